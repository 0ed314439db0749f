// Package helpbar shows the active view's key bindings: one line, or all of them after "?".
package helpbar

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"

	"github.com/kmsim/kmsim/tui/common"
)

// Model is the help bar.
type Model struct {
	common common.Common
	help   help.Model
	// ShowAll shows the full help instead of the one-line summary.
	ShowAll bool
}

// New returns a help bar showing the short help.
func New(c common.Common) *Model {
	h := help.New()
	h.Styles.ShortKey = c.Styles.StatusKey
	h.Styles.FullKey = c.Styles.StatusKey
	h.Styles.ShortDesc = c.Styles.Muted
	h.Styles.FullDesc = c.Styles.Muted
	h.Styles.ShortSeparator = c.Styles.Muted
	h.Styles.FullSeparator = c.Styles.Muted
	return &Model{common: c, help: h}
}

// SetSize sets the width the help wraps to.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.help.Width = width
}

// Toggle switches between short and full help.
func (m *Model) Toggle() { m.ShowAll = !m.ShowAll }

// View renders the bindings of km.
func (m *Model) View(km help.KeyMap) string {
	m.help.ShowAll = m.ShowAll
	return m.help.View(km)
}

// Height is the number of lines View(km) takes.
func (m *Model) Height(km help.KeyMap) int { return lipgloss.Height(m.View(km)) }
