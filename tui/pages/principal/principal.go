// Package principal is the view of one principal: its identity policies, groups and permissions
// boundary, what it can do on which keys (as `kmsim can` answers), and its recent calls in the trail.
package principal

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/trail"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/components/viewer"
)

// RecentCalls is how many of the principal's calls the view lists, newest first.
const RecentCalls = 20

// Service is what the principal view asks of kmsim.
type Service interface {
	Principal(ctx context.Context, arn string) (common.PrincipalInfo, error)
	Query(ctx context.Context, sql string) (*trail.Result, error)
}

type infoMsg struct {
	arn  string
	info common.PrincipalInfo
	err  error
}

type callsMsg struct {
	arn string
	res *trail.Result
	err error
}

// Model is the principal view.
type Model struct {
	common      common.Common
	svc         Service
	arn         string
	info        *common.PrincipalInfo
	infoErr     error
	calls       *trail.Result
	callsErr    error
	loadingInfo bool
	loadingCall bool
	cancelled   bool
	cancel      context.CancelFunc
	view        *viewer.Model
}

// New returns an empty principal view; SetPrincipal fills it.
func New(c common.Common, svc Service) *Model {
	return &Model{common: c, svc: svc, view: viewer.New(c)}
}

// Title names the view.
func (m *Model) Title() string { return "Principal" }

// Init does nothing: SetPrincipal loads.
func (m *Model) Init() tea.Cmd { return nil }

// CallsSQL is the query for the principal's recent calls.
func CallsSQL(arn string) string {
	q := "'" + strings.ReplaceAll(arn, "'", "''") + "'"
	return fmt.Sprintf(`SELECT eventTime, eventName, coalesce(errorCode, '') AS errorCode, coalesce(keyArn, '') AS keyArn
FROM events WHERE principalArn = %s OR callerArn = %s ORDER BY eventTime DESC LIMIT %d`, q, q, RecentCalls)
}

// SetPrincipal shows arn: it loads what the principal is and can do, and its recent calls.
func (m *Model) SetPrincipal(arn string) tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	ctx, cancel := context.WithCancel(m.common.Ctx)
	m.arn, m.cancel, m.cancelled = arn, cancel, false
	m.info, m.infoErr, m.calls, m.callsErr = nil, nil, nil, nil
	m.loadingInfo, m.loadingCall = true, true
	m.view.SetTitle(arn)
	m.render()
	svc := m.svc
	return tea.Batch(func() tea.Msg {
		info, err := svc.Principal(ctx, arn)
		return infoMsg{arn: arn, info: info, err: err}
	}, func() tea.Msg {
		res, err := svc.Query(ctx, CallsSQL(arn))
		return callsMsg{arn: arn, res: res, err: err}
	})
}

// ARN is the principal shown.
func (m *Model) ARN() string { return m.arn }

// Info is what was loaded of the principal, or nil.
func (m *Model) Info() *common.PrincipalInfo { return m.info }

// Calls are its recent calls, or nil.
func (m *Model) Calls() *trail.Result { return m.calls }

// SetSize implements common.Component.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.view.SetSize(width, height)
	m.render()
}

// Busy reports whether anything is loading.
func (m *Model) Busy() bool { return m.loadingInfo || m.loadingCall }

// Capturing is always false: the view has no text input.
func (m *Model) Capturing() bool { return false }

// Back cancels loading in flight; the view stays.
func (m *Model) Back() bool {
	if !m.Busy() {
		return false
	}
	m.cancel()
	m.loadingInfo, m.loadingCall, m.cancelled = false, false, true
	m.render()
	return true
}

// Update handles loaded parts and scrolling.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case infoMsg:
		if msg.arn != m.arn || !m.loadingInfo {
			return nil
		}
		m.loadingInfo = false
		if msg.err != nil {
			m.infoErr = msg.err
		} else {
			m.info = &msg.info
		}
		m.render()
		if msg.err != nil {
			return common.ErrorCmd(msg.err)
		}
		return nil
	case callsMsg:
		if msg.arn != m.arn || !m.loadingCall {
			return nil
		}
		m.loadingCall = false
		m.calls, m.callsErr = msg.res, msg.err
		m.render()
		return nil
	case tea.KeyMsg:
		if key.Matches(msg, m.common.Keys.Refresh) && m.arn != "" {
			return m.SetPrincipal(m.arn)
		}
		_, cmd := m.view.Update(msg)
		return cmd
	}
	return nil
}

// render writes the sections into the scrolling pane: who the principal is, its recent calls, and
// (longest, so last) what it can do.
func (m *Model) render() {
	var b strings.Builder
	st := m.common.Styles
	section := func(s string) { b.WriteString("\n" + st.Label.Render(s) + "\n") }
	switch {
	case m.info != nil:
		in := m.info
		fmt.Fprintf(&b, "%s %s", st.Label.Render("Kind"), in.Kind)
		if in.Note != "" {
			b.WriteString(" — " + in.Note)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "%s %s\n", st.Label.Render("Groups"), orNone(strings.Join(in.Groups, ", ")))
		fmt.Fprintf(&b, "%s %s\n", st.Label.Render("Boundary"), orNone(in.Boundary))
		section(fmt.Sprintf("Identity policies (%d)", len(in.Policies)))
		for _, p := range in.Policies {
			b.WriteString("  " + p + "\n")
		}
		if len(in.Policies) == 0 {
			b.WriteString("  none\n")
		}
	case m.infoErr != nil:
		b.WriteString("error: " + m.infoErr.Error() + "\n")
	case m.cancelled:
		b.WriteString("cancelled: ctrl+r loads again\n")
	default:
		b.WriteString("analysing what the principal can do…\n")
	}
	section(fmt.Sprintf("Recent calls (last %d)", RecentCalls))
	switch {
	case m.calls != nil && len(m.calls.Rows) == 0:
		b.WriteString("  no calls in the trail\n")
	case m.calls != nil:
		for _, r := range m.calls.Rows {
			outcome := "ok"
			if s := fmt.Sprint(r[2]); s != "" {
				outcome = s
			}
			fmt.Fprintf(&b, "  %-20s  %-16s  %-22s  %s\n", fmt.Sprint(r[0]), fmt.Sprint(r[1]), outcome, fmt.Sprint(r[3]))
		}
	case m.callsErr != nil:
		b.WriteString("  no trail: " + m.callsErr.Error() + "\n")
	case m.cancelled:
		b.WriteString("  cancelled\n")
	default:
		b.WriteString("  reading the trail…\n")
	}
	if m.info != nil {
		writeCan(&b, st, m.info.Can)
	}
	m.view.SetContent(strings.TrimRight(b.String(), "\n"))
}

// writeCan lists, per key, the actions the principal can always use and those it can use under conditions.
func writeCan(b *strings.Builder, st *common.Styles, caps []analysis.Capability) {
	type perKey struct {
		name        string
		always      []string
		conditional []string
	}
	var keys []*perKey
	byKey := map[string]*perKey{}
	for _, c := range caps {
		if !c.Allowed() {
			continue
		}
		k := byKey[c.Key]
		if k == nil {
			name := c.Key
			if len(c.Aliases) > 0 {
				name = c.Aliases[0]
			}
			k = &perKey{name: name}
			byKey[c.Key] = k
			keys = append(keys, k)
		}
		action := strings.TrimPrefix(c.Action, "kms:")
		if c.Status == "always" {
			k.always = append(k.always, action)
			continue
		}
		var conds []string
		for _, w := range c.Ways {
			conds = append(conds, w.ConditionText())
		}
		k.conditional = append(k.conditional, action+" when "+strings.Join(conds, " or "))
	}
	b.WriteString("\n" + st.Label.Render(fmt.Sprintf("Can (%d keys)", len(keys))) + "\n")
	if len(keys) == 0 {
		b.WriteString("  no key action\n")
	}
	for _, k := range keys {
		b.WriteString("  " + k.name + "\n")
		if len(k.always) == len(analysis.KeyActions) {
			b.WriteString("    every key action\n")
		} else if len(k.always) > 0 {
			b.WriteString("    " + strings.Join(k.always, ", ") + "\n")
		}
		for _, c := range k.conditional {
			b.WriteString("    " + c + "\n")
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	km := m.common.Keys
	return []key.Binding{km.Up, km.Down, km.Refresh}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.common.Keys.Nav(), {m.common.Keys.Refresh}}
}

// View draws the scrolling pane.
func (m *Model) View() string { return m.view.View() }
