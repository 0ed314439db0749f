// Package keys is the view listing every key of the simulator's state and the world, and the keys
// only the trail names: alias, spec, usage, state, automatic rotation (of the simulator's keys, on
// wide terminals), description and the last event on the key in the trail; it reloads them on
// ctrl+r and whenever it is shown again.
package keys

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/components/prompt"
	"github.com/kmsim/kmsim/tui/components/table"
)

// OpenKeyMsg asks the root to show a key in the key detail view.
type OpenKeyMsg struct{ Key common.Key }

// loadedMsg carries the keys the service listed.
type loadedMsg struct {
	keys []common.Key
	err  error
}

// Service is what the keys view asks of kmsim.
type Service interface {
	Keys(ctx context.Context) ([]common.Key, error)
}

// SortOrder is how the keys are ordered.
type SortOrder int

// Sort orders, cycled by "s".
const (
	ByAccount SortOrder = iota // account, region, alias: the service's order
	ByAlias
	ByState
	BySpec
)

var sortNames = []string{"account", "alias", "state", "spec"}

func (s SortOrder) String() string { return sortNames[s] }

// Model is the keys view.
type Model struct {
	common  common.Common
	svc     Service
	all     []common.Key
	shown   []common.Key
	filter  string
	order   SortOrder
	loading bool
	err     error
	prompt  *prompt.Model
	table   *table.Model
}

// New returns the keys view; Init loads the keys.
func New(c common.Common, svc Service) *Model {
	return &Model{common: c, svc: svc, prompt: prompt.New(c), table: table.New(c, []table.Column{
		{Title: "Alias", Min: 18, Grow: 2},
		{Title: "Account", Min: 12, Drop: 3},
		{Title: "Region", Min: 9, Drop: 6},
		{Title: "Spec", Min: 17, Drop: 2},
		{Title: "Usage", Min: 15, Drop: 5},
		{Title: "State", Min: 8},
		{Title: "Rotation", Min: 10, Drop: 7},
		{Title: "Last event", Min: 16, Drop: 4},
		{Title: "Description", Min: 11, Grow: 3, Drop: 1},
	})}
}

// Title names the view.
func (m *Model) Title() string { return "Keys" }

// Init loads the keys.
func (m *Model) Init() tea.Cmd {
	m.loading = true
	svc, ctx := m.svc, m.common.Ctx
	return func() tea.Msg {
		ks, err := svc.Keys(ctx)
		return loadedMsg{keys: ks, err: err}
	}
}

// Refresh reloads the keys, keeping the filter, the order and the selected key.
func (m *Model) Refresh() tea.Cmd {
	if m.loading {
		return nil
	}
	return m.Init()
}

// SetSize implements common.Component: one line for the prompt or summary, the rest for the table.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.prompt.SetSize(width, 1)
	m.table.SetSize(width, height-1)
}

// Busy reports whether the keys are loading.
func (m *Model) Busy() bool { return m.loading }

// Capturing reports whether the filter prompt has the keyboard.
func (m *Model) Capturing() bool { return m.prompt.Active() }

// Back leaves nothing open inside the view: the root handles it.
func (m *Model) Back() bool { return false }

// Filter is the text filter applied.
func (m *Model) Filter() string { return m.filter }

// Order is the sort order applied.
func (m *Model) Order() SortOrder { return m.order }

// Shown returns the keys the table lists, in order.
func (m *Model) Shown() []common.Key { return m.shown }

// Selected returns the key under the cursor.
func (m *Model) Selected() (common.Key, bool) {
	i := m.table.Cursor()
	if i < 0 || i >= len(m.shown) {
		return common.Key{}, false
	}
	return m.shown[i], true
}

// Update handles the view's keys and the loaded keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		m.loading, m.all, m.err = false, msg.keys, msg.err
		if msg.err != nil {
			m.table.Empty = "error: " + msg.err.Error()
		} else {
			m.table.Empty = "no keys in the world"
		}
		m.refresh()
		return nil
	case tea.KeyMsg:
		if m.prompt.Active() {
			res, cmd := m.prompt.Update(msg)
			if res == prompt.Cancelled {
				m.filter = ""
			} else {
				m.filter = strings.TrimSpace(m.prompt.Value())
			}
			m.refresh()
			return cmd
		}
		km := m.common.Keys
		switch {
		case key.Matches(msg, km.Filter):
			return m.prompt.Open("/", m.filter)
		case key.Matches(msg, km.Refresh):
			return m.Refresh()
		case key.Matches(msg, km.Sort):
			m.order = (m.order + 1) % SortOrder(len(sortNames))
			m.refresh()
			return nil
		case key.Matches(msg, km.Select):
			if k, ok := m.Selected(); ok {
				return func() tea.Msg { return OpenKeyMsg{Key: k} }
			}
			return nil
		}
		_, cmd := m.table.Update(msg)
		return cmd
	}
	return nil
}

// refresh applies the filter and the order and refills the table, keeping the selected key.
func (m *Model) refresh() {
	prev, hadPrev := m.Selected()
	m.shown = m.shown[:0]
	needle := strings.ToLower(m.filter)
	for _, k := range m.all {
		if needle == "" || strings.Contains(strings.ToLower(searchText(k)), needle) {
			m.shown = append(m.shown, k)
		}
	}
	sort.SliceStable(m.shown, func(i, j int) bool {
		a, b := m.shown[i], m.shown[j]
		switch m.order {
		case ByAlias:
			return a.Alias() < b.Alias()
		case ByState:
			return a.State < b.State
		case BySpec:
			return a.Spec < b.Spec
		}
		return false
	})
	rows := make([][]string, len(m.shown))
	cursor := 0
	for i, k := range m.shown {
		alias := k.Alias()
		if alias == "" {
			alias = k.ID
		}
		last := k.LastEvent
		if len(last) > 16 {
			last = last[:16] // to the minute
		}
		rows[i] = []string{alias, k.Account, k.Region, k.Spec, k.Usage, k.State, rotation(k), last, k.Description}
		if hadPrev && k.ARN == prev.ARN {
			cursor = i
		}
	}
	m.table.SetRows(rows)
	m.table.SetCursor(cursor)
}

// rotation is the key's automatic rotation period, "off", or "" when the simulator's state does
// not hold the key.
func rotation(k common.Key) string {
	switch {
	case k.Live == nil:
		return ""
	case k.Live.RotationPeriodInDays > 0:
		return fmt.Sprintf("%d days", k.Live.RotationPeriodInDays)
	}
	return "off"
}

func searchText(k common.Key) string {
	return strings.Join(append([]string{k.ID, k.ARN, k.Account, k.AccountName, k.Region, k.Spec, k.Usage, k.State, k.Description}, k.Aliases...), " ")
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	if m.prompt.Active() {
		return m.prompt.ShortHelp()
	}
	km := m.common.Keys
	return []key.Binding{km.Up, km.Down, km.Select, km.Filter, km.Sort}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	km := m.common.Keys
	return [][]key.Binding{km.Nav(), {km.Select, km.Filter, km.Sort, km.Refresh}}
}

// View draws the summary (or the filter prompt) and the table.
func (m *Model) View() string {
	top := m.prompt.View()
	if !m.prompt.Active() {
		top = fmt.Sprintf("%d of %d keys · sorted by %s", len(m.shown), len(m.all), m.order)
		if m.filter != "" {
			top += fmt.Sprintf(" · filter %q", m.filter)
		}
		top = m.common.Styles.Muted.Render(top)
	}
	return top + "\n" + m.table.View()
}
