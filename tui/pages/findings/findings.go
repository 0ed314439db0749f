// Package findings is the view of what is wrong or risky: lint findings on the world's key policies
// and, when a trail exists, the detections of the built-in rules. Enter opens what a finding refers
// to: the policy statement, or the events.
package findings

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/components/table"
)

// detailLines is the height of the pane under the table that shows the selected finding in full.
const detailLines = 4

// loadedMsg carries the findings.
type loadedMsg struct {
	f   common.Findings
	err error
}

// Service is what the findings view asks of kmsim.
type Service interface {
	Findings(ctx context.Context) (common.Findings, error)
}

// Row is one finding as the table lists it.
type Row struct {
	Source, Severity, Code, Where, Message string
	Detail                                 string
	// Open is the message that shows what the finding refers to, or nil.
	Open tea.Msg
}

// Model is the findings view.
type Model struct {
	common  common.Common
	svc     Service
	rows    []Row
	note    string
	loading bool
	table   *table.Model
}

// New returns the findings view; Init computes the findings.
func New(c common.Common, svc Service) *Model {
	return &Model{common: c, svc: svc, table: table.New(c, []table.Column{
		{Title: "Source", Min: 6},
		{Title: "Severity", Min: 16},
		{Title: "Code", Min: 10, Drop: 2},
		{Title: "Where", Min: 18, Grow: 1, Drop: 1},
		{Title: "Message", Min: 20, Grow: 4},
	})}
}

// Title names the view.
func (m *Model) Title() string { return "Findings" }

// Init lints and detects.
func (m *Model) Init() tea.Cmd {
	m.loading = true
	m.table.Empty = "looking for findings…"
	svc, ctx := m.svc, m.common.Ctx
	return func() tea.Msg {
		f, err := svc.Findings(ctx)
		return loadedMsg{f: f, err: err}
	}
}

// SetSize implements common.Component: the note, the table, and the selected finding in full.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.table.SetSize(width, max(height-1-detailLines, 2))
}

// Busy reports whether the findings are being computed.
func (m *Model) Busy() bool { return m.loading }

// Capturing is always false: the view has no text input.
func (m *Model) Capturing() bool { return false }

// Back leaves nothing open inside the view.
func (m *Model) Back() bool { return false }

// Rows returns the findings listed.
func (m *Model) Rows() []Row { return m.rows }

// Update handles the findings and the view's keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		m.loading = false
		m.table.Empty = "no findings"
		if msg.err != nil {
			m.table.Empty = "error: " + msg.err.Error()
			return nil
		}
		m.setFindings(msg.f)
		return nil
	case tea.KeyMsg:
		if key.Matches(msg, m.common.Keys.Refresh) {
			return m.Init()
		}
		if key.Matches(msg, m.common.Keys.Select) {
			if i := m.table.Cursor(); i >= 0 && i < len(m.rows) && m.rows[i].Open != nil {
				open := m.rows[i].Open
				return func() tea.Msg { return open }
			}
			return nil
		}
		_, cmd := m.table.Update(msg)
		return cmd
	}
	return nil
}

func (m *Model) setFindings(f common.Findings) {
	m.rows = nil
	for _, d := range f.Detections {
		where := d.Principal
		if d.Key != "" {
			where += " on " + d.Key
		}
		m.rows = append(m.rows, Row{Source: "trail", Severity: d.Severity.String(), Code: d.RuleID, Where: where,
			Message: fmt.Sprintf("%s (%d events)", d.Title, d.Count),
			Detail: fmt.Sprintf("%s: %s\n%s, %d events from %s to %s: %s", d.RuleID, d.Title, where, d.Count, d.FirstSeen, d.LastSeen,
				strings.Join(d.EventIDs, ", ")),
			Open: common.OpenEventsMsg{Title: d.RuleID + " · " + d.Principal, IDs: d.EventIDs}})
	}
	for _, l := range f.Lint {
		where := l.File
		if l.Sid != "" {
			where += " " + strconv.Quote(l.Sid)
		} else if l.Statement >= 0 {
			where += fmt.Sprintf(" #%d", l.Statement)
		}
		row := Row{Source: "lint", Severity: string(l.Severity), Code: l.Code, Where: where, Message: l.Message,
			Detail: fmt.Sprintf("%s %s at %s line %d, column %d %s\n%s", l.Code, l.Severity, l.File, l.Line, l.Column, l.Pointer, l.Message)}
		if k, ok := f.Keys[l.File]; ok {
			row.Open = common.OpenStatementMsg{Key: k, Statement: l.Statement}
		}
		m.rows = append(m.rows, row)
	}
	rows := make([][]string, len(m.rows))
	for i, r := range m.rows {
		rows[i] = []string{r.Source, r.Severity, r.Code, r.Where, r.Message}
	}
	m.table.SetRows(rows)
	m.note = fmt.Sprintf("%d lint findings on the world's key policies · %d detections", len(f.Lint), len(f.Detections))
	if f.TrailNote != "" {
		m.note += " · " + f.TrailNote
	}
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	km := m.common.Keys
	return []key.Binding{km.Up, km.Down, km.Select, km.Refresh}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.common.Keys.Nav(), {m.common.Keys.Select, m.common.Keys.Refresh}}
}

// View draws the note, the table and the selected finding.
func (m *Model) View() string {
	st := m.common.Styles
	note := st.Muted.Render(ansi.Truncate(m.note, m.common.Width, "…"))
	detail := ""
	if i := m.table.Cursor(); i >= 0 && i < len(m.rows) {
		detail = ansi.Hardwrap(m.rows[i].Detail, m.common.Width, true)
	}
	lines := strings.Split(detail, "\n")
	if len(lines) > detailLines {
		lines = lines[:detailLines]
	}
	return note + "\n" + m.table.View() + "\n" + strings.Join(lines, "\n")
}
