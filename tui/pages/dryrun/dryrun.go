// Package dryrun is the view of a proposed key policy before anything is saved: the key's policy is
// edited in $EDITOR (or, without one, in an editor inside the view), then the view shows who gains
// or loses access (as `kmsim diff` does) and, when a trail exists, which recorded calls would now be
// decided otherwise (as `kmsim replay` does). Only on confirmation does it save: a PutKeyPolicy
// through the simulator, as a principal of the world allowed to make it, with AWS's answer shown.
package dryrun

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/components/viewer"
)

// Stage is where the dry run is.
type Stage int

// The stages, in order.
const (
	StageIdle      Stage = iota
	StageLoading         // reading the key's policy
	StageEditing         // in $EDITOR or the in-app editor
	StageAnalysing       // diff and replay running
	StageResult          // showing what the proposal changes (and, after a save, AWS's answer)
	StagePlanning        // finding who may save the proposal
	StageConfirm         // asking whether to save, and as whom
	StageSaving          // PutKeyPolicy in flight
)

// Service is what the dry-run view asks of kmsim.
type Service interface {
	Policy(ctx context.Context, k common.Key) (common.Policy, error)
	DryRun(ctx context.Context, k common.Key, doc []byte) (common.DryRun, error)
	SavePlan(ctx context.Context, k common.Key, doc []byte) (common.SavePlan, error)
	SavePolicy(ctx context.Context, k common.Key, actor string, doc []byte) (common.SaveResult, error)
}

type policyMsg struct {
	arn    string
	policy common.Policy
	err    error
}

// fileMsg says the policy was written to path for the external editor.
type fileMsg struct {
	arn, path string
	err       error
}

// EditedMsg carries the proposed policy back from an editor.
type EditedMsg struct {
	ARN  string
	Doc  []byte
	File string // the file edited, when $EDITOR was used
	Err  error
}

type resultMsg struct {
	arn string
	res common.DryRun
	err error
}

// planMsg carries who may save the proposal.
type planMsg struct {
	arn  string
	plan common.SavePlan
	err  error
}

// savedMsg carries AWS's answer to the PutKeyPolicy.
type savedMsg struct {
	arn string
	res common.SaveResult
	err error
}

// Model is the dry-run view.
type Model struct {
	common common.Common
	svc    Service
	// Editor is the editor command ($EDITOR when the view was made); empty: the in-app editor.
	Editor   string
	key      common.Key
	stage    Stage
	original string
	proposed string
	result   *common.DryRun
	plan     common.SavePlan
	actor    int // index into plan.Actors
	saved    *common.SaveResult
	err      error
	note     string
	cancel   context.CancelFunc
	area     textarea.Model
	view     *viewer.Model
	run      key.Binding
	edit     key.Binding
	save     key.Binding
	yes, no  key.Binding
}

// New returns an empty dry-run view; SetKey starts it.
func New(c common.Common, svc Service) *Model {
	ta := textarea.New()
	ta.CharLimit, ta.MaxHeight, ta.ShowLineNumbers, ta.Prompt = 0, 0, false, "│ "
	m := &Model{common: c, svc: svc, Editor: os.Getenv("EDITOR"), area: ta, view: viewer.New(c),
		run:  key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "dry-run")),
		edit: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit again")),
		save: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save…")),
		yes:  key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "save")),
		no:   key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "don't save"))}
	m.view.SetTitle("Dry run")
	return m
}

// Title names the view.
func (m *Model) Title() string { return "Dry run" }

// Init does nothing: SetKey starts.
func (m *Model) Init() tea.Cmd { return nil }

// Stage is where the dry run is.
func (m *Model) Stage() Stage { return m.stage }

// Key is the key whose policy is edited.
func (m *Model) Key() common.Key { return m.key }

// Result is what the proposal changes, once analysed.
func (m *Model) Result() *common.DryRun { return m.result }

// Proposed is the proposed policy text.
func (m *Model) Proposed() string { return m.proposed }

// Actor is the principal a save acts as ("" before the save is planned).
func (m *Model) Actor() string {
	if m.actor < len(m.plan.Actors) {
		return m.plan.Actors[m.actor]
	}
	return ""
}

// Plan is who may save the proposal and where the call goes, once planned.
func (m *Model) Plan() common.SavePlan { return m.plan }

// Saved is AWS's answer to the last save, or nil.
func (m *Model) Saved() *common.SaveResult { return m.saved }

// Content is the whole text of the view (the progress, the result or the question), unscrolled.
func (m *Model) Content() string { return m.view.Content() }

// InAppEditing reports whether the in-app editor has the keyboard.
func (m *Model) InAppEditing() bool { return m.stage == StageEditing && m.Editor == "" }

// SetKey loads k's policy, then opens the editor on it.
func (m *Model) SetKey(k common.Key) tea.Cmd {
	m.stop()
	m.key, m.stage, m.result, m.err, m.note = k, StageLoading, nil, nil, ""
	m.plan, m.actor, m.saved = common.SavePlan{}, 0, nil
	m.original, m.proposed = "", ""
	m.area.Blur()
	m.view.SetTitle("Dry run · " + name(k))
	m.view.SetContent("reading the key policy…")
	svc, ctx := m.svc, m.common.Ctx
	return func() tea.Msg {
		p, err := svc.Policy(ctx, k)
		return policyMsg{arn: k.ARN, policy: p, err: err}
	}
}

func name(k common.Key) string {
	if a := k.Alias(); a != "" {
		return a
	}
	return k.ARN
}

func (m *Model) stop() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// startEdit opens the external editor on text (through a temporary file), or the in-app editor.
func (m *Model) startEdit(text string) tea.Cmd {
	m.stage = StageEditing
	if m.Editor == "" {
		m.area.SetValue(text)
		m.area.CursorStart()
		m.layout()
		return m.area.Focus()
	}
	m.view.SetContent("editing in " + m.Editor + "…")
	arn, id := m.key.ARN, m.key.ID
	return func() tea.Msg {
		f, err := os.CreateTemp("", "kmsim-policy-"+id+"-*.json")
		if err != nil {
			return fileMsg{arn: arn, err: err}
		}
		_, err = f.WriteString(text + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return fileMsg{arn: arn, path: f.Name(), err: err}
	}
}

// execEditor runs the editor on path, reading the file back (and removing it) when it exits.
func (m *Model) execEditor(path string) tea.Cmd {
	editor := m.Editor
	args := strings.Fields(editor)
	c := exec.Command(args[0], append(args[1:], path)...)
	arn := m.key.ARN
	return tea.ExecProcess(c, func(err error) tea.Msg {
		defer os.Remove(path)
		if err != nil {
			return EditedMsg{ARN: arn, File: path, Err: fmt.Errorf("%s: %w", editor, err)}
		}
		doc, err := os.ReadFile(path)
		return EditedMsg{ARN: arn, Doc: doc, File: path, Err: err}
	})
}

// analyse runs the diff and the replay on doc.
func (m *Model) analyse(doc []byte) tea.Cmd {
	m.stop()
	ctx, cancel := context.WithCancel(m.common.Ctx)
	m.cancel, m.stage, m.proposed, m.saved = cancel, StageAnalysing, string(doc), nil
	m.view.SetContent("comparing who can use the key before and after, replaying the trail…")
	svc, k := m.svc, m.key
	return func() tea.Msg {
		res, err := svc.DryRun(ctx, k, doc)
		return resultMsg{arn: k.ARN, res: res, err: err}
	}
}

// SetSize implements common.Component.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.layout()
}

func (m *Model) layout() {
	m.view.SetSize(m.common.Width, m.common.Height)
	m.area.SetWidth(max(m.common.Width, 10))
	m.area.SetHeight(max(m.common.Height-2, 3))
}

// planSave finds who may save the proposal, then asks for confirmation.
func (m *Model) planSave() tea.Cmd {
	m.stage = StagePlanning
	m.view.SetContent("finding who may call PutKeyPolicy on the key…")
	svc, ctx, k, doc := m.svc, m.common.Ctx, m.key, []byte(m.proposed)
	return func() tea.Msg {
		plan, err := svc.SavePlan(ctx, k, doc)
		return planMsg{arn: k.ARN, plan: plan, err: err}
	}
}

// savePolicy sends the PutKeyPolicy as the chosen principal.
func (m *Model) savePolicy() tea.Cmd {
	m.stage = StageSaving
	m.view.SetContent("PutKeyPolicy as " + m.Actor() + " through " + m.plan.Via + "…")
	svc, ctx, k, actor, doc := m.svc, m.common.Ctx, m.key, m.Actor(), []byte(m.proposed)
	return func() tea.Msg {
		res, err := svc.SavePolicy(ctx, k, actor, doc)
		return savedMsg{arn: k.ARN, res: res, err: err}
	}
}

// Busy reports long work in flight.
func (m *Model) Busy() bool {
	return m.stage == StageLoading || m.stage == StageAnalysing || m.stage == StagePlanning || m.stage == StageSaving
}

// Capturing reports that the in-app editor has the keyboard.
func (m *Model) Capturing() bool { return m.InAppEditing() }

// Back cancels the analysis in flight or the question whether to save; the view stays.
func (m *Model) Back() bool {
	if m.stage == StageConfirm || m.stage == StagePlanning {
		m.stage, m.note = StageResult, "not saved"
		m.view.SetContent(m.report())
		return true
	}
	if m.stage != StageAnalysing {
		return false
	}
	m.stop()
	m.stage, m.note = StageIdle, "cancelled"
	m.view.SetContent("cancelled: e edits the proposal again")
	return true
}

// Update drives the stages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case policyMsg:
		if msg.arn != m.key.ARN || m.stage != StageLoading {
			return nil
		}
		if msg.err != nil {
			m.stage, m.err = StageIdle, msg.err
			m.view.SetContent("error: " + msg.err.Error())
			return common.ErrorCmd(msg.err)
		}
		m.original = msg.policy.JSON
		return m.startEdit(m.original)
	case fileMsg:
		if msg.arn != m.key.ARN || m.stage != StageEditing {
			return nil
		}
		if msg.err != nil {
			m.stage = StageIdle
			m.view.SetContent("error: " + msg.err.Error())
			return common.ErrorCmd(msg.err)
		}
		return m.execEditor(msg.path)
	case EditedMsg:
		if msg.ARN != m.key.ARN || m.stage != StageEditing {
			return nil
		}
		if msg.Err != nil {
			m.stage = StageIdle
			m.view.SetContent("error: " + msg.Err.Error() + "\n\ne edits again")
			return common.ErrorCmd(msg.Err)
		}
		return m.analyse(msg.Doc)
	case resultMsg:
		if msg.arn != m.key.ARN || m.stage != StageAnalysing {
			return nil
		}
		m.stop()
		m.stage, m.err = StageResult, msg.err
		if msg.err != nil {
			m.view.SetContent("error: " + msg.err.Error() + "\n\ne edits the proposal again")
			return common.ErrorCmd(msg.err)
		}
		m.result = &msg.res
		m.view.SetContent(m.report())
		return nil
	case planMsg:
		if msg.arn != m.key.ARN || m.stage != StagePlanning {
			return nil
		}
		if msg.err != nil {
			m.stage = StageResult
			m.view.SetContent(m.report())
			return common.ErrorCmd(msg.err)
		}
		m.plan, m.actor, m.stage = msg.plan, 0, StageConfirm
		m.view.SetContent(m.confirmText())
		return nil
	case savedMsg:
		if msg.arn != m.key.ARN || m.stage != StageSaving {
			return nil
		}
		m.stage = StageResult
		if msg.err != nil {
			m.view.SetContent(m.report())
			return common.ErrorCmd(fmt.Errorf("saving the key policy: %w", msg.err))
		}
		m.saved = &msg.res
		if !msg.res.Saved {
			m.view.SetContent(m.report())
			return common.ErrorCmd(fmt.Errorf("PutKeyPolicy: %s: %s", msg.res.Code, msg.res.Message))
		}
		m.original = m.proposed
		m.view.SetContent(m.report())
		k := m.key
		return tea.Batch(func() tea.Msg { return common.PolicySavedMsg{Key: k} },
			func() tea.Msg { return common.StatusMsg("key policy of " + name(k) + " saved") })
	case tea.KeyMsg:
		if m.InAppEditing() {
			switch {
			case key.Matches(msg, m.run):
				m.area.Blur()
				return m.analyse([]byte(m.area.Value()))
			case msg.Type == tea.KeyEsc:
				m.area.Blur()
				m.stage, m.note = StageIdle, "edit cancelled"
				m.view.SetContent("edit cancelled: e edits again, q returns to the key")
				return nil
			}
			var cmd tea.Cmd
			m.area, cmd = m.area.Update(msg)
			return cmd
		}
		if m.stage == StageConfirm {
			return m.updateConfirm(msg)
		}
		if key.Matches(msg, m.save) && m.stage == StageResult && m.result != nil && !m.unchanged() {
			return m.planSave()
		}
		if key.Matches(msg, m.edit) && (m.stage == StageResult || m.stage == StageIdle) && m.original != "" {
			text := m.proposed
			if text == "" {
				text = m.original
			}
			return m.startEdit(strings.TrimRight(text, "\n"))
		}
		_, cmd := m.view.Update(msg)
		return cmd
	}
	return nil
}

// unchanged reports whether the proposal is the current policy.
func (m *Model) unchanged() bool {
	return strings.TrimSpace(m.proposed) == strings.TrimSpace(m.original)
}

// updateConfirm answers the question whether to save: y saves, n or esc does not, ←/→ change who acts.
func (m *Model) updateConfirm(msg tea.KeyMsg) tea.Cmd {
	km := m.common.Keys
	n := len(m.plan.Actors)
	switch {
	case key.Matches(msg, m.yes) && n > 0:
		return m.savePolicy()
	case key.Matches(msg, m.no):
		m.Back()
		return nil
	case key.Matches(msg, km.Right) && n > 0:
		m.actor = (m.actor + 1) % n
	case key.Matches(msg, km.Left) && n > 0:
		m.actor = (m.actor + n - 1) % n
	default:
		_, cmd := m.view.Update(msg)
		return cmd
	}
	m.view.SetContent(m.confirmText())
	return nil
}

// confirmText asks whether to save, says as whom and through what, and warns of a lockout.
func (m *Model) confirmText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Save the proposal as the key policy of %s?\n\n", name(m.key))
	if len(m.plan.Actors) == 0 {
		b.WriteString("No principal of the world with credentials may call PutKeyPolicy on the key: nothing can be saved.\n\n")
		b.WriteString("n/esc returns to the dry run")
		return b.String()
	}
	fmt.Fprintf(&b, "  call     PutKeyPolicy on key/%s, policy name default\n", m.key.ID)
	fmt.Fprintf(&b, "  as       %s  (%d of %d allowed; ←/→ change)\n", m.Actor(), m.actor+1, len(m.plan.Actors))
	fmt.Fprintf(&b, "  through  %s\n\n", m.plan.Via)
	if m.actor >= len(m.plan.Actors)-m.plan.LockedOut {
		b.WriteString("The proposal would lock this principal out of the key policy: the lockout safety check\n")
		b.WriteString("will refuse it (MalformedPolicyDocumentException) and nothing will change.\n\n")
	}
	b.WriteString("y saves · n/esc does not")
	return b.String()
}

// report renders AWS's answer to a save, the diff, the replay summary and the save hint.
func (m *Model) report() string {
	r := m.result
	var b strings.Builder
	switch sv := m.saved; {
	case sv != nil && sv.Saved:
		b.WriteString("Saved: AWS answered PutKeyPolicy with 200 OK.\n")
		fmt.Fprintf(&b, "  as       %s\n  through  %s\n", sv.Actor, sv.Via)
		b.WriteString("The key has the proposed policy (q returns to it); below, what the save changed.\n\n")
	case sv != nil:
		fmt.Fprintf(&b, "Not saved: AWS answered PutKeyPolicy with %s:\n%s\n", sv.Code, sv.Message)
		fmt.Fprintf(&b, "  as       %s\n  through  %s\n", sv.Actor, sv.Via)
		b.WriteString("The key policy is unchanged. s tries again, e edits the proposal.\n\n")
	case m.unchanged():
		b.WriteString("The proposal is the current policy: nothing to save. e edits it.\n\n")
	default:
		b.WriteString("Nothing is saved yet: s saves the proposal (PutKeyPolicy through the simulator, after you\nconfirm), e edits it again.\n\n")
	}
	gains := 0
	for _, c := range r.Changes {
		if c.Gain {
			gains++
		}
	}
	fmt.Fprintf(&b, "Access diff: %d changes, %d gain access\n", len(r.Changes), gains)
	if len(r.Changes) == 0 {
		b.WriteString("  no change: everyone keeps exactly the access they have\n")
	}
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "  %-7s  %s  %s\n", c.Change, c.Action, c.Principal)
		fmt.Fprintf(&b, "           before: %s\n           after:  %s\n", waysText(c.Before), waysText(c.After))
	}
	b.WriteString("\nReplay of the trail\n")
	switch rep := r.Replay; {
	case rep == nil:
		b.WriteString("  " + r.ReplayNote + "\n")
	default:
		fmt.Fprintf(&b, "  %d calls on the key, %d re-evaluated, %d would change\n", rep.Calls, rep.Evaluated, rep.Changed)
		for _, g := range rep.Groups {
			fmt.Fprintf(&b, "  %s  %s  %s  %d calls  %s\n", g.Principal, g.EventName, g.Change, g.Count, g.Statement)
		}
		for _, p := range slices.Sorted(mapKeys(rep.UnknownPrincipals)) {
			fmt.Fprintf(&b, "  skipped %d calls of %s (not in the world)\n", rep.UnknownPrincipals[p], p)
		}
		for _, u := range slices.Sorted(mapKeys(rep.Unbuilt)) {
			fmt.Fprintf(&b, "  %d calls decided without %s\n", rep.Unbuilt[u], u)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func mapKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func waysText(ws []analysis.Way) string {
	if len(ws) == 0 {
		return "denied"
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.Path + ": " + w.ConditionText()
	}
	return strings.Join(parts, " | ")
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	km := m.common.Keys
	switch {
	case m.InAppEditing():
		return []key.Binding{m.run, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel edit"))}
	case m.stage == StageConfirm:
		return []key.Binding{m.yes, m.no, key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "who acts"))}
	case m.stage == StageResult && m.result != nil && !m.unchanged():
		return []key.Binding{km.Up, km.Down, m.save, m.edit}
	}
	return []key.Binding{km.Up, km.Down, m.edit}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	if m.InAppEditing() || m.stage == StageConfirm {
		return [][]key.Binding{m.ShortHelp()}
	}
	return [][]key.Binding{m.common.Keys.Nav(), {m.save, m.edit}}
}

// View draws the in-app editor, or the progress and the result.
func (m *Model) View() string {
	if m.InAppEditing() {
		st := m.common.Styles
		head := st.Label.Render("Key policy of "+name(m.key)) + st.Muted.Render(" · $EDITOR unset: editing here · ctrl+s dry-runs, esc cancels")
		return ansi.Truncate(head, m.common.Width, "…") + "\n" + m.area.View()
	}
	return m.view.View()
}
