// Package table is a scrolling table whose columns fit the width it is given.
package table

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/kmsim/kmsim/tui/common"
)

// Column describes one column: its title, the width it needs, how much of the spare width it takes,
// and when it is dropped on narrow terminals.
type Column struct {
	Title string
	Min   int // minimum width; cells are truncated to fit
	Grow  int // share of the spare width (0: stays at Min)
	// Drop orders which columns go first when even the minimum widths do not fit: the highest Drop
	// goes first; 0 is never dropped.
	Drop int
}

// Model is the table. The cursor row is drawn reversed and marked "›", so it shows without colour.
type Model struct {
	common  common.Common
	columns []Column
	rows    [][]string
	cursor  int
	offset  int
	shown   []int // indexes of the columns that fit
	widths  []int // their widths
	// Empty is shown when there are no rows.
	Empty string
}

// New returns an empty table with columns.
func New(c common.Common, columns []Column) *Model {
	m := &Model{common: c, Empty: "no rows"}
	m.SetColumns(columns)
	return m
}

// SetSize sets the space the table draws in; the header takes one line.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.layout()
	m.clamp()
}

// SetColumns replaces the columns (rows are kept; they must match).
func (m *Model) SetColumns(columns []Column) {
	m.columns = columns
	m.layout()
}

// Columns returns the columns.
func (m *Model) Columns() []Column { return m.columns }

// SetRows replaces the rows, keeping the cursor in range.
func (m *Model) SetRows(rows [][]string) {
	m.rows = rows
	m.clamp()
}

// Rows returns the rows.
func (m *Model) Rows() [][]string { return m.rows }

// Cursor is the index of the selected row.
func (m *Model) Cursor() int { return m.cursor }

// SetCursor selects row i.
func (m *Model) SetCursor(i int) {
	m.cursor = i
	m.clamp()
}

// Selected returns the selected row, or nil when the table is empty.
func (m *Model) Selected() []string {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return nil
	}
	return m.rows[m.cursor]
}

// VisibleColumns returns the titles of the columns that fit the width.
func (m *Model) VisibleColumns() []string {
	var out []string
	for _, i := range m.shown {
		out = append(out, m.columns[i].Title)
	}
	return out
}

func (m *Model) bodyHeight() int { return max(m.common.Height-1, 1) }

func (m *Model) clamp() {
	if m.cursor >= len(m.rows) {
		m.cursor = len(m.rows) - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	h := m.bodyHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	if m.offset > max(len(m.rows)-h, 0) {
		m.offset = max(len(m.rows)-h, 0)
	}
}

// layout decides which columns are shown and how wide each is.
func (m *Model) layout() {
	avail := m.common.Width - 2 // the cursor marker
	shown := make([]int, len(m.columns))
	for i := range shown {
		shown[i] = i
	}
	need := func() int {
		n := 0
		for _, i := range shown {
			n += m.columns[i].Min
		}
		return n + 2*max(len(shown)-1, 0)
	}
	for need() > avail {
		drop, at := 0, -1
		for j, i := range shown {
			if d := m.columns[i].Drop; d > drop {
				drop, at = d, j
			}
		}
		if at < 0 {
			break
		}
		shown = append(shown[:at], shown[at+1:]...)
	}
	widths := make([]int, len(shown))
	grow := 0
	for j, i := range shown {
		widths[j] = m.columns[i].Min
		grow += m.columns[i].Grow
	}
	if spare := avail - need(); spare > 0 && grow > 0 {
		last, given := -1, 0
		for j, i := range shown {
			if g := m.columns[i].Grow; g > 0 {
				extra := spare * g / grow
				widths[j] += extra
				given += extra
				last = j
			}
		}
		widths[last] += spare - given
	}
	m.shown, m.widths = shown, widths
}

// Update moves the cursor.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	km := m.common.Keys
	switch {
	case key.Matches(k, km.Up):
		m.cursor--
	case key.Matches(k, km.Down):
		m.cursor++
	case key.Matches(k, km.PageUp):
		m.cursor -= m.bodyHeight()
	case key.Matches(k, km.PageDown):
		m.cursor += m.bodyHeight()
	case key.Matches(k, km.Home):
		m.cursor = 0
	case key.Matches(k, km.End):
		m.cursor = len(m.rows) - 1
	}
	m.clamp()
	return m, nil
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.common.Keys.Up, m.common.Keys.Down} }

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.common.Keys.Nav()} }

func (m *Model) line(cells []string) string {
	var b strings.Builder
	for j, i := range m.shown {
		if j > 0 {
			b.WriteString("  ")
		}
		cell := ""
		if i < len(cells) {
			cell = strings.NewReplacer("\n", " ", "\t", " ").Replace(cells[i])
		}
		b.WriteString(fit(cell, m.widths[j]))
	}
	return b.String()
}

// fit truncates s with an ellipsis or pads it to exactly w cells.
func fit(s string, w int) string {
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}

// View draws the header and the visible rows, exactly Height lines.
func (m *Model) View() string {
	st := m.common.Styles
	titles := make([]string, len(m.columns))
	for i, c := range m.columns {
		titles[i] = strings.ToUpper(c.Title)
	}
	lines := []string{st.Header.Render("  " + m.line(titles))}
	h := m.bodyHeight()
	if len(m.rows) == 0 {
		lines = append(lines, st.Muted.Render("  "+m.Empty))
	}
	for i := m.offset; i < len(m.rows) && i < m.offset+h; i++ {
		l := m.line(m.rows[i])
		if i == m.cursor {
			lines = append(lines, st.Selected.Render("› "+l))
		} else {
			lines = append(lines, "  "+l)
		}
	}
	for len(lines) < m.common.Height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
