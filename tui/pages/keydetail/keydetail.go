// Package keydetail is the view of one key: metadata, aliases, tags, and its key policy as JSON
// with, on demand, the Rego module kmsim evaluates beside it (or below it on narrow terminals). A
// key only the trail names shows what the trail knows of it.
package keydetail

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/simulator"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/components/viewer"
)

// SideBySideWidth is the narrowest width at which JSON and Rego sit side by side.
const SideBySideWidth = 120

// The keys that open the who-can, dry-run and trail views on the key.
var (
	whoCanKey = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "who can"))
	dryRunKey = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "dry run"))
	trailKey  = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "events"))
	foldKey   = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fold"))
)

// policyMsg carries a key's policy and its translation.
type policyMsg struct {
	arn    string
	policy common.Policy
	err    error
}

// Service is what the key detail view asks of kmsim.
type Service interface {
	Policy(ctx context.Context, k common.Key) (common.Policy, error)
}

// Model is the key detail view.
type Model struct {
	common   common.Common
	svc      Service
	key      common.Key
	policy   common.Policy
	loading  bool
	err      error
	showRego bool
	folded   bool // the policy's statements shown one a line
	jsonW    int  // the JSON pane's width
	focus    int  // 0: JSON, 1: Rego
	// statement is the statement to scroll the JSON to once loaded, or -1.
	statement int
	json      *viewer.Model
	rego      *viewer.Model
}

// New returns an empty key detail view; SetKey fills it.
func New(c common.Common, svc Service) *Model {
	m := &Model{common: c, svc: svc, json: viewer.New(c), rego: viewer.New(c), statement: -1}
	m.json.SetTitle("Key policy (JSON)")
	m.rego.SetTitle("Key policy (Rego)")
	return m
}

// Title names the view.
func (m *Model) Title() string { return "Key" }

// Init does nothing: SetKey loads.
func (m *Model) Init() tea.Cmd { return nil }

// SetKey shows k and loads its policy.
func (m *Model) SetKey(k common.Key) tea.Cmd {
	m.key, m.loading, m.err, m.focus, m.statement = k, true, nil, 0, -1
	m.policy = common.Policy{}
	m.json.SetTitle("Key policy (JSON)")
	m.json.SetContent("translating the key policy…")
	m.rego.SetContent("")
	m.layout()
	if k.TrailOnly {
		m.json.SetTitle("Key policy")
		m.loading = false
		m.json.SetContent(fmt.Sprintf("The world does not hold this key: only the trail names it.\n"+
			"Its policy, grants and who can use it are unknown; t shows its events (%d).", k.Events))
		return nil
	}
	svc, ctx := m.svc, m.common.Ctx
	return func() tea.Msg {
		p, err := svc.Policy(ctx, k)
		return policyMsg{arn: k.ARN, policy: p, err: err}
	}
}

// reload reads the key and its policy again (the simulator may have changed them), keeping what
// is shown until they arrive.
func (m *Model) reload() tea.Cmd {
	if m.key.TrailOnly {
		return nil
	}
	m.loading = true
	k, svc, ctx := m.key, m.svc, m.common.Ctx
	return func() tea.Msg {
		p, err := svc.Policy(ctx, k)
		return policyMsg{arn: k.ARN, policy: p, err: err}
	}
}

// ShowStatement shows k with its policy scrolled to statement i, as a lint finding locates it.
func (m *Model) ShowStatement(k common.Key, i int) tea.Cmd {
	cmd := m.SetKey(k)
	m.statement = i
	return cmd
}

// statementLine finds the line of statement i in the indented policy: the line opening it.
func statementLine(policy string, i int) int {
	lines := strings.Split(policy, "\n")
	in, n := false, 0
	for j, l := range lines {
		switch {
		case strings.HasPrefix(l, `  "Statement": {`):
			return j
		case strings.HasPrefix(l, `  "Statement": [`):
			in = true
		case in && l == "    {":
			if n == i {
				return j
			}
			n++
		case in && strings.HasPrefix(l, "  ]"):
			return 0
		}
	}
	return 0
}

// Key is the key shown.
func (m *Model) Key() common.Key { return m.key }

// Folded reports whether the policy's statements are folded, one a line.
func (m *Model) Folded() bool { return m.folded }

// ShowRego reports whether the Rego pane is shown.
func (m *Model) ShowRego() bool { return m.showRego }

// SideBySide reports whether the panes sit side by side (else the Rego pane is below the JSON).
func (m *Model) SideBySide() bool { return m.common.Width >= SideBySideWidth }

// SetSize implements common.Component.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.layout()
}

// Busy reports whether the policy is loading.
func (m *Model) Busy() bool { return m.loading }

// Capturing is always false: the view has no text input.
func (m *Model) Capturing() bool { return false }

// Back leaves nothing open inside the view: the root returns to the previous view.
func (m *Model) Back() bool { return false }

func (m *Model) metaLines() []string {
	st := m.common.Styles
	k := m.key
	if k.Key == nil {
		return []string{st.Muted.Render("no key selected")}
	}
	field := func(label, value string) string { return st.Label.Render(label) + " " + value }
	acct := k.Account
	if k.AccountName != "" {
		acct += " (" + k.AccountName + ")"
	}
	aliases := strings.Join(k.Aliases, ", ")
	if aliases == "" {
		aliases = "none"
	}
	var tags []string
	for t, v := range k.Tags {
		tags = append(tags, t+"="+v)
	}
	sort.Strings(tags)
	if len(tags) == 0 {
		tags = []string{"none"}
	}
	created := k.CreationDate
	if created == "" {
		created = "when the simulator starts"
	}
	if k.TrailOnly {
		lines := []string{
			field("ARN", k.ARN),
			strings.Join([]string{field("State", "unknown (not in the world)"), field("Account", acct), field("Region", k.Region)}, "   "),
			field("Trail", fmt.Sprintf("events: %d, the last at %s", k.Events, k.LastEvent)),
		}
		for i, l := range lines {
			lines[i] = ansi.Truncate(l, m.common.Width, "…")
		}
		return lines
	}
	if k.Live != nil {
		created = k.Live.CreationDate.UTC().Format(time.DateTime)
	}
	lines := []string{
		field("ARN", k.ARN),
		strings.Join([]string{field("State", k.State), field("Spec", k.Spec), field("Usage", k.Usage), field("Created", created)}, "   "),
		strings.Join([]string{field("Account", acct), field("Region", k.Region)}, "   "),
		field("Aliases", aliases),
		field("Tags", strings.Join(tags, ", ")),
		field("Description", k.Description),
	}
	if k.Live != nil {
		live := []string{field("Origin", k.Live.Origin), field("Rotation", rotation(k.Live)), field("Multi-Region", yesNo(k.Live.MultiRegion))}
		if !k.Live.DeletionDate.IsZero() {
			live = append(live, field("Deletion", k.Live.DeletionDate.UTC().Format(time.DateOnly)))
		}
		lines = append(lines, strings.Join(live, "   "))
	}
	lines = append(lines, grantLines(k.Grants, field)...)
	if k.Live != nil {
		lines = append(lines, rotationLines(k.Live.Rotations, field)...)
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.common.Width, "…")
	}
	return lines
}

// policyText is the policy as shown: indented JSON, or with each statement folded to a line.
func (m *Model) policyText() string {
	if !m.folded {
		return m.policy.JSON
	}
	return foldStatements(m.policy.JSON, m.jsonW)
}

// foldStatements shows an indented policy with each statement on one line, cut to width: its index
// and the statement's summary.
func foldStatements(policy string, width int) string {
	var doc map[string]json.RawMessage
	summaries, ok := common.StatementSummaries([]byte(policy))
	if !ok || json.Unmarshal([]byte(policy), &doc) != nil {
		return policy
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("{\n")
	for i, k := range keys {
		sep := ","
		if i == len(keys)-1 {
			sep = ""
		}
		if k != "Statement" {
			fmt.Fprintf(&b, "  %q: %s%s\n", k, doc[k], sep)
			continue
		}
		b.WriteString("  \"Statement\": [\n")
		for j, sum := range summaries {
			b.WriteString(ansi.Truncate(fmt.Sprintf("    ▸ %d %s", j, sum), max(width, 20), "…") + "\n")
		}
		b.WriteString("  ]" + sep + "\n")
	}
	b.WriteString("}")
	return b.String()
}

// maxGrantLines caps the grants listed above the policy.
const maxGrantLines = 3

// grantLines lists the key's grants: grantee, operations and constraints, one a line.
func grantLines(grants []fixtures.Grant, field func(label, value string) string) []string {
	if len(grants) == 0 {
		return []string{field("Grants", "none")}
	}
	var out []string
	for i, g := range grants {
		if i == maxGrantLines {
			out = append(out, field("Grants", fmt.Sprintf("and %d more", len(grants)-i)))
			break
		}
		name := g.Name
		if name == "" {
			name = g.ID
		}
		text := fmt.Sprintf("%s: %s may %s", name, g.GranteePrincipal, strings.Join(g.Operations, ", "))
		if c := g.Constraints; c != nil {
			if len(c.EncryptionContextEquals) > 0 {
				text += " when the encryption context is exactly " + pairs(c.EncryptionContextEquals)
			}
			if len(c.EncryptionContextSubset) > 0 {
				text += " when the encryption context includes " + pairs(c.EncryptionContextSubset)
			}
		}
		out = append(out, field("Grant", text))
	}
	return out
}

// rotation describes a key's automatic rotation.
func rotation(k *simulator.SnapshotKey) string {
	if k.RotationPeriodInDays <= 0 {
		return "off"
	}
	out := fmt.Sprintf("every %d days", k.RotationPeriodInDays)
	if !k.NextRotationDate.IsZero() {
		out += ", next " + k.NextRotationDate.UTC().Format(time.DateOnly)
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// maxRotationLines caps the rotations listed above the policy.
const maxRotationLines = 3

// rotationLines lists the key's completed rotations, newest first, as ListKeyRotations reports
// them: date, type and the key material each made current.
func rotationLines(rots []simulator.SnapshotRotation, field func(label, value string) string) []string {
	if len(rots) == 0 {
		return []string{field("Rotations", "none")}
	}
	var out []string
	for i := len(rots) - 1; i >= 0; i-- {
		if len(out) == maxRotationLines {
			out = append(out, field("Rotated", fmt.Sprintf("and %d earlier", i+1)))
			break
		}
		r := rots[i]
		text := r.RotationDate.UTC().Format(time.DateTime) + " " + r.RotationType
		if r.KeyMaterialID != "" {
			text += ", key material " + r.KeyMaterialID
		}
		out = append(out, field("Rotated", text))
	}
	return out
}

// pairs writes a map as k=v, k=v, sorted by key.
func pairs(m map[string]string) string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// layout sizes the panes below the metadata.
func (m *Model) layout() {
	h := max(m.common.Height-len(m.metaLines())-1, 2)
	w := m.common.Width
	jsonW := w
	switch {
	case !m.showRego:
		m.json.SetSize(w, h)
	case m.SideBySide():
		jsonW = (w - 1) / 2
		m.json.SetSize(jsonW, h)
		m.rego.SetSize(w-jsonW-1, h)
	default:
		top := h / 2
		m.json.SetSize(w, top)
		m.rego.SetSize(w, h-top)
	}
	if jsonW != m.jsonW {
		m.jsonW = jsonW
		if m.folded {
			m.json.SetContent(m.policyText())
		}
	}
}

// Update handles the loaded policy and the view's keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case policyMsg:
		if msg.arn != m.key.ARN {
			return nil // an earlier key's answer
		}
		m.loading, m.err, m.policy = false, msg.err, msg.policy
		if k := msg.policy.Key; k.Key != nil && k.ARN == m.key.ARN {
			m.key = k // as the simulator holds it now
			m.layout()
		}
		if msg.err != nil {
			m.json.SetContent("error: " + msg.err.Error())
			return common.ErrorCmd(msg.err)
		}
		m.json.SetContent(m.policyText())
		m.rego.SetContent(msg.policy.Rego)
		if m.statement >= 0 {
			m.json.ShowLine(statementLine(msg.policy.JSON, m.statement))
			m.json.SetTitle(fmt.Sprintf("Key policy (JSON) · statement %d", m.statement))
		}
		return nil
	case common.PolicySavedMsg:
		if msg.Key.ARN != m.key.ARN {
			return nil
		}
		return m.SetKey(m.key)
	case tea.KeyMsg:
		km := m.common.Keys
		switch {
		case key.Matches(msg, km.Refresh) && m.key.Key != nil && !m.loading:
			return m.reload()
		case key.Matches(msg, foldKey) && !m.key.TrailOnly && !m.loading && m.err == nil:
			m.folded = !m.folded
			m.json.SetContent(m.policyText())
			return nil
		case key.Matches(msg, km.Toggle) && !m.key.TrailOnly:
			m.showRego = !m.showRego
			if !m.showRego {
				m.focus = 0
			}
			m.layout()
			return nil
		case key.Matches(msg, whoCanKey) && m.key.Key != nil && !m.key.TrailOnly:
			k := m.key
			return func() tea.Msg { return common.OpenWhoCanMsg{Key: k} }
		case key.Matches(msg, dryRunKey) && m.key.Key != nil && !m.key.TrailOnly:
			k := m.key
			return func() tea.Msg { return common.OpenDryRunMsg{Key: k} }
		case key.Matches(msg, trailKey) && m.key.Key != nil:
			arn := m.key.ARN
			return func() tea.Msg { return common.OpenTrailMsg{KeyARN: arn} }
		case msg.String() == "tab" && m.showRego:
			m.focus = 1 - m.focus
			return nil
		}
		var cmd tea.Cmd
		if m.focus == 1 {
			_, cmd = m.rego.Update(msg)
		} else {
			_, cmd = m.json.Update(msg)
		}
		return cmd
	}
	return nil
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	km := m.common.Keys
	if m.key.TrailOnly {
		return []key.Binding{km.Up, km.Down, trailKey}
	}
	toggle := km.Toggle
	if m.showRego {
		toggle.SetHelp("r", "hide rego")
		return []key.Binding{km.Up, km.Down, toggle, key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "switch pane")), whoCanKey, dryRunKey, trailKey}
	}
	fold := foldKey
	if m.folded {
		fold.SetHelp("f", "unfold")
	}
	return []key.Binding{km.Up, km.Down, toggle, fold, whoCanKey, dryRunKey, trailKey}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.common.Keys.Nav(), m.ShortHelp(), {m.common.Keys.Refresh}}
}

// View draws the metadata and the policy panes.
func (m *Model) View() string {
	meta := strings.Join(m.metaLines(), "\n")
	if !m.showRego {
		return meta + "\n\n" + m.json.View()
	}
	if m.SideBySide() {
		h := max(m.common.Height-len(m.metaLines())-1, 2)
		sep := strings.TrimRight(strings.Repeat("│\n", h), "\n")
		return meta + "\n\n" + lipgloss.JoinHorizontal(lipgloss.Top, m.pad(m.json.View(), (m.common.Width-1)/2), m.common.Styles.Muted.Render(sep), m.rego.View())
	}
	return meta + "\n\n" + m.json.View() + "\n" + m.rego.View()
}

// pad makes every line of s exactly w cells wide, so a pane beside it lines up.
func (m *Model) pad(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = l + strings.Repeat(" ", max(w-ansi.StringWidth(l), 0))
	}
	return strings.Join(lines, "\n")
}
