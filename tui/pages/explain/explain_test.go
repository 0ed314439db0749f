package explain_test

import (
	"strings"
	"testing"

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
