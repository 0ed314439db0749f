package tui_test

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/dryrun"
	"github.com/kmsim/kmsim/tui/pages/explain"
	"github.com/kmsim/kmsim/tui/pages/keydetail"
	"github.com/kmsim/kmsim/tui/pages/keys"
	trailpage "github.com/kmsim/kmsim/tui/pages/trail"
)

// newApp returns the root model on the demo world and a temporary trail, sized and started.
func newApp(t *testing.T) *tui.Model {
	t.Helper()
	m := tui.New(tuitest.Common(t), tuitest.Service(t))
	start(t, m)
	return m
}

// start sizes m at Width×Height and runs its Init.
func start(t *testing.T, m *tui.Model) {
	t.Helper()
	drive(t, m, tea.WindowSizeMsg{Width: tuitest.Width, Height: tuitest.Height})
	drive(t, m, tuitest.Messages(m.Init())...)
}

func drive(t *testing.T, m *tui.Model, msgs ...tea.Msg) {
	t.Helper()
	tuitest.Drive(t, func(msg tea.Msg) tea.Cmd {
		if msg == nil {
			return nil
		}
		_, cmd := m.Update(msg)
		return cmd
	}, msgs...)
}

// typeKeys presses each key once the previous one's work is done, as a person would.
func typeKeys(t *testing.T, m *tui.Model, s string) {
	t.Helper()
	for _, k := range tuitest.Keys(s) {
		drive(t, m, k)
	}
}

// TestViews snapshots every view at 100×30 in the ASCII profile; docs/tui.md shows these files.
func TestViews(t *testing.T) {
	cases := []struct {
		name string
		keys string
		want string
	}{
		{"keys", "", "alias/app-data"},
		{"keys_filtered", "/partner<enter>", "alias/partner-shared"},
		{"keydetail", "<enter>", "Key policy (JSON)"},
		{"keydetail_rego", "<enter>r", "Key policy (Rego)"},
		{"keydetail_folded", "<down><enter>f", "▸ 3"},
		{"trail", "2", "Decrypt"},
		{"trail_errors", "2e", "AccessDeniedException"},
		{"trail_record", "2<down><enter>", "AccessDeniedException"},
		{"trail_key", "<down><enter>t", "key key/1234abcd"},
		{"trail_explain_event", "2<down>x", "DENIED"},
		{"trail_sql", "2:<backspace><backspace><backspace><backspace><backspace><backspace><backspace>SELECT eventName, count(*) AS n FROM events GROUP BY 1 ORDER BY 1<enter>", "DescribeKey"},
		{"explain", "3", "Principal"},
		{"findings", "4", "lint"},
		{"findings_open", "4<down><enter>", "statement 3"},
		{"help", "?", "ctrl+c"},
		{"whocan", "<down><enter>w", "EncryptionApp"},
		{"principal", "<down><enter>w<down><enter>", "Recent calls"},
		{"dryrun_editor", "<down><enter>d", "ctrl+s"},
		{"dryrun_result", "<down><enter>d<ctrl+s>", "nothing to save"},
	}
	t.Setenv("EDITOR", "") // the dry-run views use the in-app editor
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newApp(t)
			typeKeys(t, m, tc.keys)
			v := m.View()
			if !strings.Contains(v, tc.want) {
				t.Errorf("view lacks %q:\n%s", tc.want, v)
			}
			if n := strings.Count(v, "\n") + 1; n != tuitest.Height {
				t.Errorf("view has %d lines, want %d", n, tuitest.Height)
			}
			tuitest.Golden(t, v)
		})
	}
}

// TestSaveViews snapshots the dry run's save: the question, AWS's acceptance and its refusal by
// the lockout safety check (no server holds the trail: a simulator starts on it for the call).
func TestSaveViews(t *testing.T) {
	cases := []struct {
		name, doc, keys, want string
	}{
		{"confirm", appDataAccountOnly, "s", "y saves"},
		{"saved", appDataAccountOnly, "sy", "Saved: AWS answered PutKeyPolicy with 200 OK."},
		{"refused", lockoutPolicy, "sy", "MalformedPolicyDocumentException"},
	}
	t.Setenv("EDITOR", "")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newApp(t)
			typeKeys(t, m, "<down><enter>d")
			drive(t, m, dryrun.EditedMsg{ARN: tuitest.AppDataARN, Doc: []byte(tc.doc)})
			typeKeys(t, m, tc.keys)
			v := m.View()
			if !strings.Contains(v, tc.want) {
				t.Errorf("view lacks %q:\n%s", tc.want, v)
			}
			tuitest.Golden(t, v)
		})
	}
}

// Proposals for alias/app-data: the account's statement alone (admin keeps PutKeyPolicy through
// IAM), and one that lets the account only decrypt (no one could change the policy afterwards).
const (
	appDataAccountOnly = `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	lockoutPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Decrypt","Resource":"*"}]}`
)

func TestExplainDenialView(t *testing.T) {
	m := newApp(t)
	typeKeys(t, m, "3")
	ex := m.Page(tui.ExplainPage).(*explain.Model)
	if !ex.Choose(explain.FieldPrincipal, tuitest.DeveloperARN) || !ex.Choose(explain.FieldKey, "alias/app-data") {
		t.Fatal("developer or alias/app-data not offered")
	}
	typeKeys(t, m, "<enter>")
	e := ex.Explanation()
	if e == nil || e.Effect != "implicitDeny" || !strings.Contains(e.Text, "no identity-based policy allows") {
		t.Fatalf("explanation %+v", e)
	}
	tuitest.Golden(t, m.View())
}

func TestNavigation(t *testing.T) {
	m := newApp(t)
	if m.Active() != tui.KeysPage {
		t.Fatalf("starts on %v", m.Active())
	}
	typeKeys(t, m, "<enter>")
	if m.Active() != tui.KeyDetailPage {
		t.Fatalf("enter: on %v, want key detail", m.Active())
	}
	kd := m.Page(tui.KeyDetailPage).(*keydetail.Model)
	sel := m.Page(tui.KeysPage).(*keys.Model).Shown()[0]
	if kd.Key().ARN != sel.ARN {
		t.Errorf("key detail shows %s, want %s", kd.Key().ARN, sel.ARN)
	}
	typeKeys(t, m, "q")
	if m.Active() != tui.KeysPage {
		t.Fatalf("q from key detail: on %v, want keys", m.Active())
	}
	typeKeys(t, m, "2")
	if m.Active() != tui.TrailPage {
		t.Fatalf("2: on %v", m.Active())
	}
	typeKeys(t, m, "<enter>")
	tr := m.Page(tui.TrailPage).(*trailpage.Model)
	if !tr.ShowingRecord() {
		t.Fatal("enter on an event: no record")
	}
	typeKeys(t, m, "<esc>")
	if tr.ShowingRecord() || m.Active() != tui.TrailPage {
		t.Fatal("esc closes the record first")
	}
	typeKeys(t, m, "<esc>")
	if m.Active() != tui.KeysPage {
		t.Fatalf("esc from trail: on %v, want keys", m.Active())
	}
	for _, k := range []string{"3", "4", "1"} {
		typeKeys(t, m, k)
	}
	if m.Active() != tui.KeysPage {
		t.Fatalf("1: on %v", m.Active())
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	if cmd == nil {
		t.Fatal("ctrl+c: no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("ctrl+c does not quit")
	}
}

func TestResize(t *testing.T) {
	m := newApp(t)
	for _, size := range [][2]int{{80, 24}, {60, 15}, {160, 50}, {100, 30}} {
		drive(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, k := range []string{"1", "2", "3", "4"} {
			typeKeys(t, m, k)
			v := m.View()
			lines := strings.Split(v, "\n")
			if len(lines) != size[1] {
				t.Errorf("%dx%d view %s: %d lines", size[0], size[1], k, len(lines))
			}
		}
	}
}

func TestErrorShowsInStatusBar(t *testing.T) {
	m := newApp(t)
	typeKeys(t, m, "2:<backspace><backspace><backspace><backspace><backspace><backspace><backspace>SELECT nope FROM nowhere<enter>")
	note, isErr := m.Status()
	if !isErr || !strings.Contains(note, "nowhere") {
		t.Fatalf("status %q (error %v)", note, isErr)
	}
}

func TestResizeAnalysisViews(t *testing.T) {
	t.Setenv("EDITOR", "")
	for _, keys := range []string{"<down><enter>w", "<down><enter>w<down><enter>", "<down><enter>d", "<down><enter>d<ctrl+s>"} {
		m := newApp(t)
		typeKeys(t, m, keys)
		for _, size := range [][2]int{{80, 24}, {60, 15}, {160, 50}} {
			drive(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			if n := len(strings.Split(m.View(), "\n")); n != size[1] {
				t.Errorf("%s at %dx%d: %d lines", keys, size[0], size[1], n)
			}
		}
		typeKeys(t, m, "<esc>")
		if keys == "<down><enter>d" {
			typeKeys(t, m, "<esc>") // the first esc cancels the in-app edit
		}
		if m.Active() != tui.KeyDetailPage && !strings.HasSuffix(keys, "<down><enter>") {
			t.Errorf("%s then esc: on %v, want key detail", keys, m.Active())
		}
	}
}

// TestMouseWheel scrolls with the wheel what the arrow keys scroll: the keys table's cursor and the
// key detail's text.
func TestMouseWheel(t *testing.T) {
	m := newApp(t)
	wheel := func(b tea.MouseButton) {
		drive(t, m, tea.MouseMsg{X: 10, Y: 5, Button: b, Action: tea.MouseActionPress})
	}
	wheel(tea.MouseButtonWheelDown)
	if v := m.View(); !strings.Contains(v, "› alias/app-data") {
		t.Fatalf("wheel down did not move the cursor to the second key:\n%s", v)
	}
	wheel(tea.MouseButtonWheelUp)
	if v := m.View(); !strings.Contains(v, "› alias/ams-enforced") {
		t.Fatalf("wheel up did not move the cursor back:\n%s", v)
	}
	drive(t, m, tea.MouseMsg{X: 10, Y: 5, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionRelease})
	if v := m.View(); !strings.Contains(v, "› alias/ams-enforced") {
		t.Fatalf("a wheel release moved the cursor:\n%s", v)
	}

	typeKeys(t, m, "<enter>")
	top := m.View()
	for range 5 {
		wheel(tea.MouseButtonWheelDown)
	}
	if m.View() == top {
		t.Fatalf("wheel down did not scroll the key detail:\n%s", top)
	}
	for range 5 {
		wheel(tea.MouseButtonWheelUp)
	}
	if v := m.View(); v != top {
		t.Fatalf("wheel up did not scroll the key detail back:\n%s", v)
	}
}
