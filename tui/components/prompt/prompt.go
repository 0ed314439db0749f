// Package prompt is a one-line text input opened by a key (/ to filter, : for SQL) and closed by
// enter or esc.
package prompt

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kmsim/kmsim/tui/common"
)

// Result says how an Update left the prompt.
type Result int

// Results of Update.
const (
	Editing   Result = iota // still open
	Submitted               // enter: Value holds the text
	Cancelled               // esc: the prompt closed, the text is kept for the next Open
)

// Model is the prompt.
type Model struct {
	common common.Common
	input  textinput.Model
}

// New returns a closed prompt.
func New(c common.Common) *Model {
	in := textinput.New()
	in.PromptStyle = c.Styles.Prompt
	in.Cursor.SetMode(cursor.CursorStatic) // no blinking: no redraws while idle
	return &Model{common: c, input: in}
}

// SetSize sets the prompt's width.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.input.Width = max(width-len(m.input.Prompt)-1, 1)
}

// Open focuses the prompt with the given label and text.
func (m *Model) Open(label, value string) tea.Cmd {
	m.input.Prompt = label
	m.input.SetValue(value)
	m.input.CursorEnd()
	m.SetSize(m.common.Width, m.common.Height)
	return m.input.Focus()
}

// Active reports whether the prompt is open.
func (m *Model) Active() bool { return m.input.Focused() }

// Value is the text typed.
func (m *Model) Value() string { return m.input.Value() }

// Update edits; enter submits and esc cancels, both closing the prompt.
func (m *Model) Update(msg tea.Msg) (Result, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch k.Type {
		case tea.KeyEnter:
			m.input.Blur()
			return Submitted, nil
		case tea.KeyEsc:
			m.input.Blur()
			return Cancelled, nil
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return Editing, cmd
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View draws the prompt.
func (m *Model) View() string { return m.input.View() }
