// Package whocan is the view of who can perform one action on one key: each principal with each
// path that allows it and the conditions that must hold, as `kmsim who-can` answers.
package whocan

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/components/table"
)

// DefaultAction is the action the view asks about first.
const DefaultAction = "kms:Decrypt"

// detailLines is the height of the pane under the table: the selected row's conditions, wrapped.
const detailLines = 5

// Service is what the who-can view asks of kmsim.
type Service interface {
	WhoCan(ctx context.Context, k common.Key, action string) ([]analysis.Access, error)
}

// answerMsg carries the answer to one question.
type answerMsg struct {
	arn, action string
	acc         []analysis.Access
	err         error
}

// Row is one principal and one way it is allowed.
type Row struct {
	Principal, Kind, Path, Conditions string
	Statements                        []string
}

// Model is the who-can view.
type Model struct {
	common  common.Common
	svc     Service
	key     common.Key
	actions []string
	action  int
	rows    []Row
	loading bool
	cancel  context.CancelFunc
	note    string
	table   *table.Model
}

// New returns an empty who-can view; SetKey asks.
func New(c common.Common, svc Service) *Model {
	m := &Model{common: c, svc: svc, actions: analysis.KeyActions, table: table.New(c, []table.Column{
		{Title: "Principal", Min: 44, Grow: 1},
		{Title: "Path", Min: 15},
		{Title: "Conditions", Min: 20, Grow: 3},
	})}
	m.action = max(slices.Index(m.actions, DefaultAction), 0)
	return m
}

// Title names the view.
func (m *Model) Title() string { return "Who can" }

// Init does nothing: SetKey asks.
func (m *Model) Init() tea.Cmd { return nil }

// SetKey asks who can use k with the default action.
func (m *Model) SetKey(k common.Key) tea.Cmd {
	m.key = k
	m.action = max(slices.Index(m.actions, DefaultAction), 0)
	return m.ask()
}

// Key is the key asked about.
func (m *Model) Key() common.Key { return m.key }

// Action is the action asked about.
func (m *Model) Action() string { return m.actions[m.action] }

// SetAction asks about action instead; it reports false when action is not a key action.
func (m *Model) SetAction(action string) (tea.Cmd, bool) {
	i := slices.Index(m.actions, analysis.NormalizeAction(action))
	if i < 0 {
		return nil, false
	}
	m.action = i
	return m.ask(), true
}

// Rows are the rows listed.
func (m *Model) Rows() []Row { return m.rows }

// ask starts the question in a command, cancelling any still running.
func (m *Model) ask() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	ctx, cancel := context.WithCancel(m.common.Ctx)
	m.cancel, m.loading, m.note = cancel, true, ""
	m.rows = nil
	m.table.SetRows(nil)
	m.table.Empty = "asking who can " + m.Action() + "…"
	svc, k, action := m.svc, m.key, m.Action()
	return func() tea.Msg {
		acc, err := svc.WhoCan(ctx, k, action)
		return answerMsg{arn: k.ARN, action: action, acc: acc, err: err}
	}
}

// SetSize implements common.Component: the action line, the table and the selected row's detail.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.table.SetSize(width, max(height-2-detailLines, 2))
}

// Busy reports whether the question is being answered.
func (m *Model) Busy() bool { return m.loading }

// Capturing is always false: the view has no text input.
func (m *Model) Capturing() bool { return false }

// Back cancels a question in flight; the view stays.
func (m *Model) Back() bool {
	if !m.loading {
		return false
	}
	m.cancel()
	m.loading = false
	m.note = "cancelled"
	m.table.Empty = "cancelled: ←/→ or ctrl+r asks again"
	return true
}

// Update handles answers and the view's keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case answerMsg:
		if msg.arn != m.key.ARN || msg.action != m.Action() || !m.loading {
			return nil // an earlier question, or a cancelled one
		}
		m.loading = false
		if msg.err != nil {
			m.table.Empty = "error: " + msg.err.Error()
			return common.ErrorCmd(msg.err)
		}
		m.setAnswer(msg.acc)
		return nil
	case tea.KeyMsg:
		km := m.common.Keys
		switch {
		case key.Matches(msg, km.Left):
			m.action = (m.action + len(m.actions) - 1) % len(m.actions)
			return m.ask()
		case key.Matches(msg, km.Right):
			m.action = (m.action + 1) % len(m.actions)
			return m.ask()
		case key.Matches(msg, km.Refresh):
			return m.ask()
		case key.Matches(msg, km.Select):
			if i := m.table.Cursor(); i >= 0 && i < len(m.rows) {
				arn := m.rows[i].Principal
				return func() tea.Msg { return common.OpenPrincipalMsg{ARN: arn} }
			}
			return nil
		}
		_, cmd := m.table.Update(msg)
		return cmd
	}
	return nil
}

func (m *Model) setAnswer(acc []analysis.Access) {
	m.rows = nil
	principals := 0
	for _, a := range acc {
		if !a.Allowed() {
			continue
		}
		principals++
		for _, w := range a.Ways {
			m.rows = append(m.rows, Row{Principal: a.Principal, Kind: a.Kind, Path: w.Path, Conditions: w.ConditionText(), Statements: w.Statements})
		}
	}
	rows := make([][]string, len(m.rows))
	for i, r := range m.rows {
		rows[i] = []string{r.Principal, r.Path, r.Conditions}
	}
	m.table.Empty = "no principal can " + m.Action() + " on this key"
	m.table.SetRows(rows)
	m.note = plural(principals, "principal") + " · " + plural(len(m.rows), "way")
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return strconv.Itoa(n) + " " + s + "s"
}

func (m *Model) bindings() (prev, next, open key.Binding) {
	km := m.common.Keys
	prev, next = km.Left, km.Right
	prev.SetHelp("←/h", "prev action")
	next.SetHelp("→/l", "next action")
	open = km.Select
	open.SetHelp("enter", "principal")
	return
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	prev, next, open := m.bindings()
	return []key.Binding{m.common.Keys.Up, m.common.Keys.Down, prev, next, open}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	prev, next, open := m.bindings()
	return [][]key.Binding{m.common.Keys.Nav(), {prev, next, open, m.common.Keys.Refresh}}
}

// View draws the question, the table and the selected row's conditions and statements, wrapped.
func (m *Model) View() string {
	st := m.common.Styles
	name := m.key.Alias()
	if name == "" {
		name = m.key.ARN
	}
	head := st.Label.Render("Who can") + " ‹ " + m.Action() + " › " + st.Label.Render("on") + " " + name
	if m.note != "" {
		head += st.Muted.Render(" · " + m.note)
	}
	var detail string
	if i := m.table.Cursor(); i >= 0 && i < len(m.rows) {
		r := m.rows[i]
		detail = st.Label.Render("Conditions") + " " + r.Conditions + "\n" + st.Label.Render("Statements") + " " + strings.Join(r.Statements, ", ")
		detail = ansi.Wrap(detail, m.common.Width, " ,")
	}
	lines := strings.Split(detail, "\n")
	if len(lines) > detailLines {
		lines = lines[:detailLines]
	}
	return ansi.Truncate(head, m.common.Width, "…") + "\n" + m.table.View() + "\n\n" + strings.Join(lines, "\n")
}
