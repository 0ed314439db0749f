// Package statusbar is the one-line bar at the bottom: the view, a note or error, and activity.
package statusbar

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/kmsim/kmsim/tui/common"
)

// Model is the status bar.
type Model struct {
	common common.Common
	view   string
	note   string
	err    bool
	right  string
}

// New returns an empty status bar.
func New(c common.Common) *Model { return &Model{common: c} }

// SetSize sets the bar's width.
func (m *Model) SetSize(width, height int) { m.common.SetSize(width, height) }

// SetView names the active view.
func (m *Model) SetView(name string) { m.view = name }

// SetNote shows an informational note, replacing any error.
func (m *Model) SetNote(note string) { m.note, m.err = note, false }

// SetError shows an error.
func (m *Model) SetError(err error) { m.note, m.err = err.Error(), true }

// Note returns the note or error shown, and whether it is an error.
func (m *Model) Note() (string, bool) { return m.note, m.err }

// SetRight sets the text on the right: activity (a spinner) or live state.
func (m *Model) SetRight(s string) { m.right = s }

// View renders the bar on one line of exactly Width cells.
func (m *Model) View() string {
	st := m.common.Styles
	left := st.StatusKey.Render(" " + m.view + " ")
	right := m.right
	room := m.common.Width - ansi.StringWidth(left) - ansi.StringWidth(right) - 2
	note := strings.ReplaceAll(m.note, "\n", " ")
	if ansi.StringWidth(note) > room {
		note = ansi.Truncate(note, max(room, 0), "…")
	}
	pad := max(room-ansi.StringWidth(note), 0)
	if m.err {
		note = st.Error.Render(note)
	} else {
		note = st.StatusBar.Render(note)
	}
	return left + " " + note + strings.Repeat(" ", pad) + " " + right
}
