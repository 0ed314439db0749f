package explain_test

import (
	"strings"
	"testing"

	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/explain"
)

func newExplain(t *testing.T) (*explain.Model, func(string)) {
	t.Helper()
	m := explain.New(tuitest.Common(t), tuitest.Service(t))
	m.SetSize(tuitest.Width, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.Init())...)
	return m, func(s string) {
		for _, k := range tuitest.Keys(s) {
			tuitest.Drive(t, m.Update, k)
		}
	}
}

func TestExplainForm(t *testing.T) {
	m, press := newExplain(t)
	first := m.Request()
	press("<right>")
	if m.Request().Principal == first.Principal {
		t.Fatal("right: next principal")
	}
	press("<left><tab>")
	if m.Focus() != explain.FieldAction || m.Request().Principal != first.Principal {
		t.Fatalf("left, tab: focus %d", m.Focus())
	}
	press("l")
	if m.Request().Action != explain.Actions[1] {
		t.Fatalf("l: action %s", m.Request().Action)
	}
	press("<tab><tab>")
	if m.Focus() != explain.FieldContext || !m.Capturing() {
		t.Fatal("the context field takes the keyboard")
	}
	press("kms:EncryptionContext:app=billing, aws:SourceIp=10.0.0.1")
	if got := m.Request().Context; len(got) != 2 || got[0] != "kms:EncryptionContext:app=billing" {
		t.Fatalf("context %q", got)
	}
	press("<esc>")
	if m.Focus() != explain.FieldPrincipal || m.Capturing() {
		t.Fatal("esc leaves the context field")
	}
}

func TestExplainDecisions(t *testing.T) {
	cases := []struct {
		principal, action, key string
		effect, text           string
	}{
		{tuitest.DeveloperARN, "kms:Decrypt", "alias/app-data", "implicitDeny", "no identity-based policy allows"},
		{tuitest.AdminARN, "kms:Encrypt", "alias/app-data", "allowed", "ALLOWED"},
		{tuitest.DeveloperARN, "kms:DescribeKey", "alias/app-data", "allowed", "ALLOWED"},
	}
	for _, tc := range cases {
		t.Run(tc.principal+" "+tc.action, func(t *testing.T) {
			m, press := newExplain(t)
			if !m.Choose(explain.FieldPrincipal, tc.principal) || !m.Choose(explain.FieldAction, tc.action) || !m.Choose(explain.FieldKey, tc.key) {
				t.Fatal("choice not offered")
			}
			press("<enter>")
			e := m.Explanation()
			if e == nil || e.Effect != tc.effect || !strings.Contains(e.Text, tc.text) {
				t.Fatalf("explanation %+v", e)
			}
			if !strings.Contains(m.View(), tc.text) {
				t.Fatalf("view:\n%s", m.View())
			}
		})
	}
}

func TestExplainRejectsBadContext(t *testing.T) {
	m, press := newExplain(t)
	press("<tab><tab><tab>novalue<enter>")
	if m.Explanation() != nil || m.Busy() {
		t.Fatal("a context entry without = is refused before deciding")
	}
}

// An event of the trail, decided again: the form takes its principal, action, key and encryption
// context; what the world lacks is named.
func TestExplainEvent(t *testing.T) {
	m, _ := newExplain(t)
	ev := common.ExplainEventMsg{EventID: "e1", Principal: tuitest.DeveloperARN, Action: "kms:Decrypt", KeyARN: tuitest.AppDataARN,
		Context: []string{"kms:EncryptionContext:app=billing"}}
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetEvent(ev))...)
	r := m.Request()
	if r.Principal != tuitest.DeveloperARN || r.Action != "kms:Decrypt" || r.Key.ARN != tuitest.AppDataARN ||
		len(r.Context) != 1 || r.Context[0] != "kms:EncryptionContext:app=billing" {
		t.Fatalf("request %+v", r)
	}
	if e := m.Explanation(); e == nil || e.Effect != "implicitDeny" || e.Matched[0] != "Allow" || len(e.Matched) != 1 {
		t.Fatalf("explanation %+v", e)
	}
	if v := m.View(); !strings.Contains(v, `✓ 0 "Enable IAM User Permissions" Allow arn:aws:iam::111122223333:root: kms:*`) ||
		!strings.Contains(v, `    2 "Allow use of the key"`) {
		t.Errorf("the key policy's matched statement is not marked:\n%s", v)
	}
	ev = common.ExplainEventMsg{EventID: "e2", Principal: "arn:aws:iam::111122223333:user/Alice", Action: "kms:Decrypt",
		KeyARN: "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetEvent(ev))...)
	v := m.View()
	if m.Explanation() != nil || !strings.Contains(v, "Event e2 cannot be decided again as recorded") ||
		!strings.Contains(v, "its principal arn:aws:iam::111122223333:user/Alice is not in the world") {
		t.Fatalf("an event the world cannot decide:\n%s", v)
	}
}

// An event sent before the choices are loaded is decided once they are.
func TestExplainEventBeforeSetup(t *testing.T) {
	m := explain.New(tuitest.Common(t), tuitest.Service(t))
	m.SetSize(tuitest.Width, tuitest.Height)
	setup := tuitest.Messages(m.Init())
	m.SetEvent(common.ExplainEventMsg{EventID: "e1", Principal: tuitest.AdminARN, Action: "kms:Encrypt", KeyARN: tuitest.AppDataARN})
	tuitest.Drive(t, m.Update, setup...)
	if e := m.Explanation(); e == nil || e.Effect != "allowed" || m.Request().Principal != tuitest.AdminARN {
		t.Fatalf("explanation %+v, request %+v", e, m.Request())
	}
}
