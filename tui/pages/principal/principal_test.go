package principal_test

import (
	"strings"
	"testing"

	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/principal"
)

func TestPrincipalDeveloper(t *testing.T) {
	m := principal.New(tuitest.Common(t), tuitest.Service(t))
	m.SetSize(tuitest.Width, tuitest.Height)
	cmd := m.SetPrincipal(tuitest.DeveloperARN)
	if !m.Busy() {
		t.Fatal("loading")
	}
	tuitest.Drive(t, m.Update, tuitest.Messages(cmd)...)
	if m.Busy() {
		t.Fatal("still loading")
	}
	in := m.Info()
	if in == nil || in.Kind != "user" || len(in.Groups) != 1 || in.Groups[0] != "Developers" {
		t.Fatalf("info %+v", in)
	}
	if c := m.Calls(); c == nil || len(c.Rows) != 2 || c.Rows[0][1] != "DescribeKey" {
		t.Fatalf("calls %+v (want DescribeKey then Decrypt, newest first)", c)
	}
	v := m.View()
	for _, want := range []string{"Groups Developers", "Recent calls (last 20)", "AccessDeniedException"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestPrincipalCancelAndUnknown(t *testing.T) {
	m := principal.New(tuitest.Common(t), tuitest.Service(t))
	m.SetSize(tuitest.Width, tuitest.Height)
	msgs := tuitest.Messages(m.SetPrincipal(tuitest.AdminARN))
	if !m.Back() || m.Busy() {
		t.Fatal("esc cancels")
	}
	tuitest.Drive(t, m.Update, msgs...)
	if m.Info() != nil || !strings.Contains(m.View(), "cancelled") {
		t.Fatalf("cancelled answers dropped:\n%s", m.View())
	}
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetPrincipal("arn:aws:iam::999999999999:user/nobody"))...)
	if m.Info() != nil || !strings.Contains(m.View(), "error") {
		t.Fatalf("unknown principal:\n%s", m.View())
	}
}

func TestCallsSQLQuotes(t *testing.T) {
	if q := principal.CallsSQL("a'b"); !strings.Contains(q, "'a''b'") || !strings.Contains(q, "LIMIT 20") {
		t.Fatal(q)
	}
}
