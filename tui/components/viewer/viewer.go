// Package viewer is a scrollable pane of text with a title (policies, records, explanations).
package viewer

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/kmsim/kmsim/tui/common"
)

// Model is the viewer.
type Model struct {
	common  common.Common
	title   string
	content string
	vp      viewport.Model
}

// New returns an empty viewer.
func New(c common.Common) *Model {
	vp := viewport.New(0, 0)
	vp.KeyMap.Up = c.Keys.Up
	vp.KeyMap.Down = c.Keys.Down
	vp.KeyMap.PageUp = c.Keys.PageUp
	vp.KeyMap.PageDown = c.Keys.PageDown
	vp.KeyMap.HalfPageUp = key.NewBinding(key.WithDisabled())
	vp.KeyMap.HalfPageDown = key.NewBinding(key.WithDisabled())
	vp.KeyMap.Left = key.NewBinding(key.WithDisabled())
	vp.KeyMap.Right = key.NewBinding(key.WithDisabled())
	return &Model{common: c, vp: vp}
}

// SetSize sets the space the viewer draws in; the title takes one line.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.vp.Width, m.vp.Height = width, max(height-1, 1)
	m.vp.SetContent(m.wrapped())
}

// SetTitle sets the title line.
func (m *Model) SetTitle(t string) { m.title = t }

// SetContent replaces the text and scrolls to the top.
func (m *Model) SetContent(s string) {
	m.content = s
	m.vp.SetContent(m.wrapped())
	m.vp.GotoTop()
}

// ShowLine scrolls so that line i of the text (0-based, before wrapping) is at the top.
func (m *Model) ShowLine(i int) {
	lines := strings.Split(m.content, "\n")
	i = min(max(i, 0), len(lines))
	offset := i
	if m.common.Width > 0 && i > 0 {
		offset = strings.Count(ansi.Wrap(strings.Join(lines[:i], "\n"), m.common.Width, ""), "\n") + 1
	}
	m.vp.SetYOffset(offset)
}

// Content returns the text.
func (m *Model) Content() string { return m.content }

// wrapped wraps long lines at word boundaries (or anywhere, for long words) to the width so nothing is cut off.
func (m *Model) wrapped() string {
	if m.common.Width <= 0 {
		return m.content
	}
	return ansi.Wrap(m.content, m.common.Width, "")
}

// Update scrolls.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, m.common.Keys.Home):
			m.vp.GotoTop()
			return m, nil
		case key.Matches(k, m.common.Keys.End):
			m.vp.GotoBottom()
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.vp, cmd = m.vp.Update(msg)
	return m, cmd
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.common.Keys.Up, m.common.Keys.Down} }

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.common.Keys.Nav()} }

// View draws the title (with the scroll position when the text does not fit) and the text.
func (m *Model) View() string {
	title := m.title
	if m.vp.TotalLineCount() > m.vp.Height {
		title += fmt.Sprintf(" (%d%%)", int(m.vp.ScrollPercent()*100))
	}
	title = ansi.Truncate(title, m.common.Width, "…")
	body := m.vp.View()
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return m.common.Styles.PaneTitle.Render(title) + "\n" + strings.Join(lines, "\n")
}
