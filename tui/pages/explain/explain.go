// Package explain is the view that decides one request — a principal, an action, a key and optional
// encryption context — and explains the decision with the statements that matched, as
// `kmsim simulate` does.
package explain

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/components/viewer"
)

// Actions are the KMS actions the action field cycles through.
var Actions = []string{
	"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
	"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
	"kms:CreateGrant", "kms:RetireGrant", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:EnableKey",
	"kms:Sign", "kms:Verify", "kms:GenerateMac", "kms:VerifyMac", "kms:GetPublicKey",
}

// The form's fields, in tab order.
const (
	FieldPrincipal = iota
	FieldAction
	FieldKey
	FieldContext
	fieldCount
)

// setupMsg carries the principals and keys to choose from.
type setupMsg struct {
	principals []string
	keys       []common.Key
	err        error
}

// decisionMsg carries a decision.
type decisionMsg struct {
	seq int
	exp common.Explanation
	err error
}

// Service is what the explain view asks of kmsim.
type Service interface {
	Principals() []string
	WorldKeys(ctx context.Context) ([]common.Key, error)
	Decide(ctx context.Context, r common.ExplainRequest) (common.Explanation, error)
}

// Model is the explain view.
type Model struct {
	common     common.Common
	svc        Service
	principals []string
	keys       []common.Key
	choice     [3]int // selected principal, action, key
	context    textinput.Model
	focus      int
	seq        int
	loading    bool
	exp        *common.Explanation
	result     *viewer.Model
	event      *common.ExplainEventMsg // an event to explain once the choices are loaded
}

// New returns the explain view; Init loads the choices.
func New(c common.Common, svc Service) *Model {
	in := textinput.New()
	in.Placeholder = "kms:EncryptionContext:app=billing, …"
	in.Prompt = ""
	in.Cursor.SetMode(cursor.CursorStatic) // no blinking: no redraws while idle
	m := &Model{common: c, svc: svc, context: in, result: viewer.New(c)}
	m.result.SetTitle("Decision")
	m.result.SetContent(c.Styles.Muted.Render("choose a principal, an action and a key, then press enter"))
	return m
}

// Title names the view.
func (m *Model) Title() string { return "Explain" }

// Init loads the principals and keys.
func (m *Model) Init() tea.Cmd {
	m.loading = true
	svc, ctx := m.svc, m.common.Ctx
	return func() tea.Msg {
		ks, err := svc.WorldKeys(ctx)
		return setupMsg{principals: svc.Principals(), keys: ks, err: err}
	}
}

// SetSize implements common.Component: the form takes five lines, the decision the rest.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.context.Width = max(width-16, 10)
	m.result.SetSize(width, max(height-6, 1))
	if m.exp != nil {
		m.result.SetContent(m.render(*m.exp)) // the policy's lines are cut to the width
	}
}

// Busy reports whether a decision is being made.
func (m *Model) Busy() bool { return m.loading }

// Capturing reports whether the context field has the keyboard.
func (m *Model) Capturing() bool { return m.focus == FieldContext }

// Back leaves the context field for the form; false when the form has the keyboard.
func (m *Model) Back() bool {
	if m.focus == FieldContext {
		m.setFocus(FieldPrincipal)
		return true
	}
	return false
}

// Focus is the focused field.
func (m *Model) Focus() int { return m.focus }

// Explanation is the last decision, or nil.
func (m *Model) Explanation() *common.Explanation { return m.exp }

// Request is the request the form describes.
func (m *Model) Request() common.ExplainRequest {
	r := common.ExplainRequest{Action: Actions[m.choice[FieldAction]]}
	if len(m.principals) > 0 {
		r.Principal = m.principals[m.choice[FieldPrincipal]]
	}
	if len(m.keys) > 0 {
		r.Key = m.keys[m.choice[FieldKey]]
	}
	for _, kv := range strings.Split(m.context.Value(), ",") {
		if kv = strings.TrimSpace(kv); kv != "" {
			r.Context = append(r.Context, kv)
		}
	}
	return r
}

// Choose selects value in field (a principal ARN, an action, or a key alias, id or ARN) and
// reports whether it is one of the field's choices.
func (m *Model) Choose(field int, value string) bool {
	for i, v := range m.options(field) {
		if v == value || (field == FieldKey && (m.keys[i].ARN == value || m.keys[i].ID == value || m.keys[i].Alias() == value)) {
			m.choice[field] = i
			return true
		}
	}
	return false
}

func (m *Model) options(field int) []string {
	switch field {
	case FieldPrincipal:
		return m.principals
	case FieldAction:
		return Actions
	case FieldKey:
		out := make([]string, len(m.keys))
		for i, k := range m.keys {
			out[i] = k.Alias()
			if out[i] == "" {
				out[i] = k.ID
			}
			out[i] += " (" + k.Account + ", " + k.Region + ")"
		}
		return out
	}
	return nil
}

func (m *Model) setFocus(f int) tea.Cmd {
	m.focus = (f + fieldCount) % fieldCount
	if m.focus == FieldContext {
		return m.context.Focus()
	}
	m.context.Blur()
	return nil
}

// Update handles the choices, decisions and the view's keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case setupMsg:
		m.loading = false
		m.principals, m.keys = msg.principals, msg.keys
		if msg.err != nil {
			return common.ErrorCmd(msg.err)
		}
		if ev := m.event; ev != nil {
			m.event = nil
			return m.SetEvent(*ev)
		}
		return nil
	case decisionMsg:
		if msg.seq != m.seq {
			return nil
		}
		m.loading = false
		if msg.err != nil {
			m.exp = nil
			m.result.SetContent(m.common.Styles.Error.Render("error: " + msg.err.Error()))
			return nil
		}
		m.exp = &msg.exp
		m.result.SetContent(m.render(msg.exp))
		return nil
	case tea.KeyMsg:
		km := m.common.Keys
		switch {
		case msg.String() == "tab" || msg.String() == "shift+tab":
			if msg.String() == "tab" {
				return m.setFocus(m.focus + 1)
			}
			return m.setFocus(m.focus - 1)
		case msg.Type == tea.KeyEnter:
			return m.decide()
		}
		if m.focus == FieldContext {
			if msg.Type == tea.KeyEsc {
				return m.setFocus(FieldPrincipal)
			}
			var cmd tea.Cmd
			m.context, cmd = m.context.Update(msg)
			return cmd
		}
		switch {
		case key.Matches(msg, km.Left):
			m.cycle(-1)
		case key.Matches(msg, km.Right):
			m.cycle(1)
		case msg.String() == "up":
			return m.setFocus(m.focus - 1)
		case msg.String() == "down":
			return m.setFocus(m.focus + 1)
		default:
			_, cmd := m.result.Update(msg)
			return cmd
		}
	}
	return nil
}

// SetEvent fills the form with the request a trail event records and decides it; when the world
// lacks the event's principal, action or key, it says so and leaves that field to choose.
func (m *Model) SetEvent(ev common.ExplainEventMsg) tea.Cmd {
	if m.principals == nil && m.keys == nil {
		m.event = &ev // the choices are loading
		return nil
	}
	m.context.SetValue(strings.Join(ev.Context, ", "))
	var missing []string
	if !m.Choose(FieldPrincipal, ev.Principal) {
		missing = append(missing, "its principal "+ev.Principal+" is not in the world")
	}
	if !m.Choose(FieldAction, ev.Action) {
		missing = append(missing, ev.Action+" is not an action offered here")
	}
	if ev.KeyARN == "" {
		missing = append(missing, "it names no key")
	} else if !m.Choose(FieldKey, ev.KeyARN) {
		missing = append(missing, "its key "+ev.KeyARN+" is not in the world")
	}
	if len(missing) > 0 {
		m.exp = nil
		m.result.SetContent(fmt.Sprintf("Event %s cannot be decided again as recorded:\n  %s\nChoose with ←/→ and press enter to decide a request like it.",
			ev.EventID, strings.Join(missing, "\n  ")))
		return nil
	}
	return m.decide()
}

func (m *Model) cycle(d int) {
	n := len(m.options(m.focus))
	if n == 0 {
		return
	}
	m.choice[m.focus] = (m.choice[m.focus] + d + n) % n
}

func (m *Model) decide() tea.Cmd {
	r := m.Request()
	if r.Principal == "" || r.Key.Key == nil {
		return common.ErrorCmd(fmt.Errorf("the world has no principal or no key to explain"))
	}
	for _, kv := range r.Context {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return common.ErrorCmd(fmt.Errorf("context entry %q: want KEY=VALUE", kv))
		}
	}
	m.seq++
	m.loading = true
	seq, svc, ctx := m.seq, m.svc, m.common.Ctx
	return func() tea.Msg {
		exp, err := svc.Decide(ctx, r)
		return decisionMsg{seq: seq, exp: exp, err: err}
	}
}

func (m *Model) render(e common.Explanation) string {
	st := m.common.Styles
	lines := strings.SplitN(strings.TrimRight(e.Text, "\n"), "\n", 2)
	head := st.Denied
	if e.Effect == "allowed" {
		head = st.Allowed
	}
	out := head.Render(lines[0])
	if len(lines) > 1 {
		out += "\n" + lines[1]
	}
	if sums, ok := common.StatementSummaries(e.KeyPolicy); ok {
		out = strings.TrimRight(out, "\n") + "\n\n" + st.Label.Render("Key policy") + st.Muted.Render(" (✓ allows, ✗ denies: the statements that matched)")
		for i, s := range sums {
			mark, style := " ", st.Muted
			switch e.Matched[i] {
			case "Allow":
				mark, style = "✓", st.Allowed
			case "Deny":
				mark, style = "✗", st.Denied
			}
			out += "\n" + style.Render(ansi.Truncate(fmt.Sprintf("  %s %d %s", mark, i, s), m.common.Width, "…"))
		}
	}
	return out
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	km := m.common.Keys
	decide := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "decide"))
	next := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field"))
	if m.focus == FieldContext {
		return []key.Binding{decide, next, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave field"))}
	}
	return []key.Binding{decide, next, km.Left, km.Right}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	km := m.common.Keys
	return [][]key.Binding{m.ShortHelp(), {km.PageUp, km.PageDown}}
}

// View draws the form and the decision.
func (m *Model) View() string {
	st := m.common.Styles
	labels := []string{"Principal", "Action", "Key", "Context"}
	var b strings.Builder
	for f, label := range labels {
		marker := "  "
		if f == m.focus {
			marker = "› "
		}
		var value string
		if f == FieldContext {
			value = m.context.View()
		} else if opts := m.options(f); len(opts) > 0 {
			value = "‹ " + opts[m.choice[f]] + " ›"
		}
		line := marker + st.Label.Render(fmt.Sprintf("%-10s", label)) + "  " + value
		b.WriteString(ansi.Truncate(line, m.common.Width, "…") + "\n")
	}
	b.WriteString("\n")
	b.WriteString(m.result.View())
	return b.String()
}
