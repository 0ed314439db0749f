package keydetail_test

import (
	"strings"
	"testing"

	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/keydetail"
)

func appData(t *testing.T, svc tui.Service) common.Key {
	t.Helper()
	ks, err := svc.Keys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.ID == tuitest.AppDataKey {
			return k
		}
	}
	t.Fatal("no alias/app-data")
	return common.Key{}
}

func TestKeyDetailRegoToggle(t *testing.T) {
	svc := tuitest.Service(t)
	m := keydetail.New(tuitest.Common(t), svc)
	m.SetSize(tuitest.Width, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetKey(appData(t, svc)))...)
	if m.Busy() {
		t.Fatal("still loading")
	}
	v := m.View()
	if !strings.Contains(v, `"Sid": "Enable IAM User Permissions"`) || strings.Contains(v, "Rego") {
		t.Fatalf("JSON only:\n%s", v)
	}
	tuitest.Drive(t, m.Update, tuitest.Keys("r")...)
	if !m.ShowRego() || m.SideBySide() {
		t.Fatal("r at 100 columns: Rego stacked")
	}
	v = m.View()
	if strings.Index(v, "Key policy (JSON)") > strings.Index(v, "Key policy (Rego)") {
		t.Fatalf("stacked: JSON above Rego:\n%s", v)
	}
	m.SetSize(160, 40)
	if !m.SideBySide() {
		t.Fatal("160 columns: side by side")
	}
	for _, l := range strings.Split(m.View(), "\n") {
		if strings.Contains(l, "Key policy (JSON)") && !strings.Contains(l, "Key policy (Rego)") {
			t.Fatalf("side by side: titles on one line: %q", l)
		}
	}
	tuitest.Drive(t, m.Update, tuitest.Keys("r")...)
	if m.ShowRego() {
		t.Fatal("r again hides Rego")
	}
}

func TestKeyDetailIgnoresStaleAnswers(t *testing.T) {
	svc := tuitest.Service(t)
	m := keydetail.New(tuitest.Common(t), svc)
	m.SetSize(tuitest.Width, tuitest.Height)
	first := tuitest.Messages(m.SetKey(appData(t, svc)))
	ks, _ := svc.Keys(t.Context())
	second := tuitest.Messages(m.SetKey(ks[0]))
	tuitest.Drive(t, m.Update, append(second, first...)...)
	if !strings.Contains(m.View(), ks[0].ID) {
		t.Fatal("the later key is shown")
	}
}

// The key's grants with their constraints, above the policy.
func TestKeyDetailGrants(t *testing.T) {
	w, err := fixtures.Load("cross-account-grant")
	if err != nil {
		t.Fatal(err)
	}
	svc := tui.NewService(w, t.TempDir())
	ks, err := svc.WorldKeys(t.Context())
	if err != nil || len(ks) == 0 {
		t.Fatalf("keys: %v", err)
	}
	m := keydetail.New(tuitest.Common(t), svc)
	m.SetSize(160, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetKey(ks[0]))...)
	v := m.View()
	for _, want := range []string{
		"Grant partner-app-billing: arn:aws:iam::444455556666:role/PartnerApp may Decrypt, Encrypt when the encryption context includes app=billing",
		"Grant partner-account-reports: arn:aws:iam::444455556666:root may Decrypt when the encryption context is exactly app=reports",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestKeyDetailFold(t *testing.T) {
	svc := tuitest.Service(t)
	m := keydetail.New(tuitest.Common(t), svc)
	m.SetSize(tuitest.Width, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetKey(appData(t, svc)))...)
	tuitest.Drive(t, m.Update, tuitest.Keys("f")...)
	v := m.View()
	for _, want := range []string{
		`▸ 0 "Enable IAM User Permissions" Allow arn:aws:iam::111122223333:root: kms:*`,
		`▸ 3 "Allow attachment of persistent resources" Allow arn:aws:iam::111122223333:role/EncryptionA…`,
		`"Version": "2012-10-17"`,
	} {
		if !m.Folded() || !strings.Contains(v, want) {
			t.Errorf("folded view lacks %q:\n%s", want, v)
		}
	}
	var unfold bool
	for _, b := range m.ShortHelp() {
		unfold = unfold || b.Help().Desc == "unfold"
	}
	if !unfold {
		t.Error("the help does not offer to unfold")
	}
	tuitest.Drive(t, m.Update, tuitest.Keys("f")...)
	if m.Folded() || !strings.Contains(m.View(), `"Sid": "Enable IAM User Permissions"`) {
		t.Errorf("f unfolds:\n%s", m.View())
	}
}
