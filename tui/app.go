// Package tui is kmsim's terminal interface: keys, key policies and their Rego, the trail,
// decisions explained, and findings, over the same services the CLI uses.
package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/components/helpbar"
	"github.com/kmsim/kmsim/tui/components/statusbar"
	"github.com/kmsim/kmsim/tui/pages/dryrun"
	"github.com/kmsim/kmsim/tui/pages/explain"
	"github.com/kmsim/kmsim/tui/pages/findings"
	"github.com/kmsim/kmsim/tui/pages/keydetail"
	"github.com/kmsim/kmsim/tui/pages/keys"
	"github.com/kmsim/kmsim/tui/pages/principal"
	trailpage "github.com/kmsim/kmsim/tui/pages/trail"
	"github.com/kmsim/kmsim/tui/pages/whocan"
)

// PageID names a view.
type PageID int

// The views. A view joins here: a PageID, a constructor in newPages, and a binding in tabs (and
// common.KeyMap) if it is top-level; the others are opened by a message (common.OpenWhoCanMsg…).
const (
	KeysPage PageID = iota
	KeyDetailPage
	TrailPage
	ExplainPage
	FindingsPage
	WhoCanPage
	PrincipalPage
	DryRunPage
)

// Page is what the root asks of a view.
type Page interface {
	common.Component
	Title() string
	// Init starts the view's first load; the root calls it when the view is first shown.
	Init() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	// Busy reports long work in flight: the status bar shows a spinner.
	Busy() bool
	// Capturing reports that a text input has the keyboard: global keys go to the view.
	Capturing() bool
	// Back closes something open inside the view (a record, a result) and reports whether it did.
	Back() bool
}

// tab is a top-level view and the binding that shows it.
type tab struct {
	id      PageID
	binding func(*common.KeyMap) key.Binding
}

var tabs = []tab{
	{KeysPage, func(k *common.KeyMap) key.Binding { return k.Keys }},
	{TrailPage, func(k *common.KeyMap) key.Binding { return k.Trail }},
	{ExplainPage, func(k *common.KeyMap) key.Binding { return k.Explain }},
	{FindingsPage, func(k *common.KeyMap) key.Binding { return k.Findings }},
}

func newPages(c common.Common, svc Service) map[PageID]Page {
	return map[PageID]Page{
		KeysPage:      keys.New(c, svc),
		KeyDetailPage: keydetail.New(c, svc),
		TrailPage:     trailpage.New(c, svc),
		ExplainPage:   explain.New(c, svc),
		FindingsPage:  findings.New(c, svc),
		WhoCanPage:    whocan.New(c, svc),
		PrincipalPage: principal.New(c, svc),
		DryRunPage:    dryrun.New(c, svc),
	}
}

// Model is the root model: it routes messages, draws the frame and forwards to the active view.
type Model struct {
	common   common.Common
	pages    map[PageID]Page
	active   PageID
	history  []PageID
	started  map[PageID]bool
	help     *helpbar.Model
	status   *statusbar.Model
	spinner  spinner.Model
	spinning bool
}

// New returns the root model over svc, showing the keys view.
func New(c common.Common, svc Service) *Model {
	sp := spinner.New(spinner.WithSpinner(spinner.Line))
	m := &Model{common: c, pages: newPages(c, svc), started: map[PageID]bool{}, help: helpbar.New(c),
		status: statusbar.New(c), spinner: sp}
	m.status.SetView(m.pages[KeysPage].Title())
	return m
}

// Init starts the keys view.
func (m *Model) Init() tea.Cmd { return m.show(KeysPage, false) }

// Active is the view shown.
func (m *Model) Active() PageID { return m.active }

// Page returns a view.
func (m *Model) Page(id PageID) Page { return m.pages[id] }

// Status returns the status bar's note and whether it is an error.
func (m *Model) Status() (string, bool) { return m.status.Note() }

// show makes id the active view, remembering the current one when push is set.
func (m *Model) show(id PageID, push bool) tea.Cmd {
	if push && id != m.active {
		m.history = append(m.history, m.active)
	}
	m.active = id
	m.status.SetView(m.pages[id].Title())
	m.status.SetNote("")
	m.layout()
	if !m.started[id] {
		m.started[id] = true
		return m.pages[id].Init()
	}
	if r, ok := m.pages[id].(refresher); ok {
		return r.Refresh()
	}
	return nil
}

// refresher is a view that reloads what it shows whenever it is shown again.
type refresher interface{ Refresh() tea.Cmd }

// layout gives every view the space between the title line and the status bar and help.
func (m *Model) layout() {
	w, h := m.common.Width, m.common.Height
	m.help.SetSize(w, 0)
	m.status.SetSize(w, 1)
	body := max(h-2-m.help.Height(helpKeys{m}), 1)
	for _, p := range m.pages {
		p.SetSize(w, body)
	}
}

// Update routes msg: keys to the frame or the active view, results to every view (each takes its own).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	page := m.pages[m.active]
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.common.SetSize(msg.Width, msg.Height)
		m.layout()
	case tea.KeyMsg:
		cmds = append(cmds, m.handleKey(msg))
	case tea.MouseMsg:
		if k, ok := wheelKey(msg); ok && !page.Capturing() {
			cmds = append(cmds, m.handleKey(k))
		}
	case keys.OpenKeyMsg:
		cmds = append(cmds, m.show(KeyDetailPage, true), m.pages[KeyDetailPage].(*keydetail.Model).SetKey(msg.Key))
	case common.OpenWhoCanMsg:
		cmds = append(cmds, m.show(WhoCanPage, true), m.pages[WhoCanPage].(*whocan.Model).SetKey(msg.Key))
	case common.OpenPrincipalMsg:
		cmds = append(cmds, m.show(PrincipalPage, true), m.pages[PrincipalPage].(*principal.Model).SetPrincipal(msg.ARN))
	case common.ExplainEventMsg:
		cmds = append(cmds, m.show(ExplainPage, true), m.pages[ExplainPage].(*explain.Model).SetEvent(msg))
	case common.OpenStatementMsg:
		cmds = append(cmds, m.show(KeyDetailPage, true), m.pages[KeyDetailPage].(*keydetail.Model).ShowStatement(msg.Key, msg.Statement))
	case common.OpenEventsMsg:
		cmds = append(cmds, m.show(TrailPage, true), m.pages[TrailPage].(*trailpage.Model).SetEvents(msg.Title, msg.IDs))
	case common.OpenTrailMsg:
		cmds = append(cmds, m.show(TrailPage, true), m.pages[TrailPage].(*trailpage.Model).SetKey(msg.KeyARN))
	case common.OpenDryRunMsg:
		cmds = append(cmds, m.show(DryRunPage, true), m.pages[DryRunPage].(*dryrun.Model).SetKey(msg.Key))
	case common.ErrorMsg:
		m.status.SetError(msg.Err)
	case common.StatusMsg:
		m.status.SetNote(string(msg))
	case common.GoBackMsg:
		cmds = append(cmds, m.back())
	case spinner.TickMsg:
		if !page.Busy() {
			m.spinning = false
			break
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		cmds = append(cmds, cmd)
	default:
		for _, p := range m.pages {
			cmds = append(cmds, p.Update(msg))
		}
	}
	if m.pages[m.active].Busy() && !m.spinning {
		m.spinning = true
		cmds = append(cmds, m.spinner.Tick)
	}
	return m, tea.Batch(cmds...)
}

// wheelKey turns a mouse wheel turn into the arrow key that scrolls the same way, so the wheel
// moves whatever pane the keys move: a table's cursor or a text's viewport.
func wheelKey(msg tea.MouseMsg) (tea.KeyMsg, bool) {
	if msg.Action != tea.MouseActionPress {
		return tea.KeyMsg{}, false
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return tea.KeyMsg{Type: tea.KeyUp}, true
	case tea.MouseButtonWheelDown:
		return tea.KeyMsg{Type: tea.KeyDown}, true
	}
	return tea.KeyMsg{}, false
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	km := m.common.Keys
	page := m.pages[m.active]
	if key.Matches(msg, km.Quit) {
		return tea.Quit
	}
	if page.Capturing() {
		return page.Update(msg) // esc included: the view closes its own input
	}
	switch {
	case key.Matches(msg, km.Help):
		m.help.Toggle()
		m.layout()
		return nil
	case key.Matches(msg, km.Back):
		if page.Back() {
			m.layout()
			return nil
		}
		if len(m.history) == 0 && m.active == KeysPage {
			if msg.String() == "q" {
				return tea.Quit
			}
			return nil
		}
		return m.back()
	}
	for _, t := range tabs {
		if key.Matches(msg, t.binding(km)) {
			m.history = nil
			return m.show(t.id, false)
		}
	}
	return page.Update(msg)
}

// back returns to the previous view, or to the keys view from a top-level one.
func (m *Model) back() tea.Cmd {
	prev := KeysPage
	if n := len(m.history); n > 0 {
		prev, m.history = m.history[n-1], m.history[:n-1]
	}
	return m.show(prev, false)
}

// ShortHelp implements help.KeyMap: the view's keys, then the frame's.
func (m *Model) ShortHelp() []key.Binding {
	km := m.common.Keys
	if m.pages[m.active].Capturing() {
		return m.pages[m.active].ShortHelp()
	}
	return append(m.pages[m.active].ShortHelp(), km.Back, km.Help)
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	km := m.common.Keys
	return append(m.pages[m.active].FullHelp(), km.Views(), km.App())
}

// View draws the title line, the active view, the status bar and the help, in exactly the
// terminal's size.
func (m *Model) View() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := m.common.Styles
	parts := []string{st.Title.Render("kmsim")}
	for _, t := range tabs {
		b := t.binding(m.common.Keys)
		name := b.Help().Key + " " + m.pages[t.id].Title()
		if t.id == m.active || (!isTab(m.active) && t.id == KeysPage) {
			parts = append(parts, st.ActiveTab.Render("["+name+"]"))
		} else {
			parts = append(parts, st.Tab.Render(" "+name+" "))
		}
	}
	if m.pages[m.active].Busy() {
		m.status.SetRight(m.spinner.View() + " working")
	} else {
		m.status.SetRight("")
	}
	helpView := m.help.View(helpKeys{m})
	body := max(h-2-strings.Count(helpView, "\n")-1, 1)
	view := strings.Join([]string{
		strings.Join(parts, " "),
		fit(m.pages[m.active].View(), w, body),
		m.status.View(),
		helpView,
	}, "\n")
	return fit(view, w, h)
}

// isTab reports whether id is a top-level view; the others (key detail, who can, principal, dry
// run) are reached from the keys view, whose tab stays marked.
func isTab(id PageID) bool {
	for _, t := range tabs {
		if t.id == id {
			return true
		}
	}
	return false
}

// helpKeys lets the help bar read the root's bindings without the root implementing them twice.
type helpKeys struct{ m *Model }

func (k helpKeys) ShortHelp() []key.Binding  { return k.m.ShortHelp() }
func (k helpKeys) FullHelp() [][]key.Binding { return k.m.FullHelp() }

// fit cuts or pads s to exactly h lines of at most w cells.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
