package keydetail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/simulator"
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

// liveService answers the policy of a key of the simulator's state.
type liveService struct{ key common.Key }

func (s liveService) Policy(ctx context.Context, k common.Key) (common.Policy, error) {
	return common.Policy{JSON: "{\n  \"Version\": \"2012-10-17\"\n}", Key: s.key}, nil
}

// A key of the simulator's state shows its origin, rotation, multi-Region flag and deletion date,
// and its rotation history newest first (the last three), as the service answers it when loaded.
func TestKeyDetailRotationHistory(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 9, 30, 0, 0, time.UTC) }
	live := &simulator.SnapshotKey{Origin: "AWS_KMS", CreationDate: day(1), DeletionDate: day(28), RotationPeriodInDays: 90,
		NextRotationDate: day(20).AddDate(0, 3, 0), Rotations: []simulator.SnapshotRotation{
			{RotationDate: day(2), RotationType: "ON_DEMAND", KeyMaterialID: strings.Repeat("1", 64)},
			{RotationDate: day(5), RotationType: "ON_DEMAND", KeyMaterialID: strings.Repeat("2", 64)},
			{RotationDate: day(9), RotationType: "AUTOMATIC", KeyMaterialID: strings.Repeat("3", 64)},
			{RotationDate: day(20), RotationType: "ON_DEMAND", KeyMaterialID: strings.Repeat("4", 64)},
		}}
	fk := &fixtures.Key{Account: tuitest.Account, Region: "us-east-1", ID: tuitest.AppDataKey, Spec: "SYMMETRIC_DEFAULT",
		Usage: "ENCRYPT_DECRYPT", State: "PendingDeletion", Description: "orders", Aliases: []string{"alias/orders"},
		Grants: []fixtures.Grant{{Name: "orders-app", GranteePrincipal: "arn:aws:iam::111122223333:role/AppRole",
			Operations: []string{"Decrypt"}, Constraints: &fixtures.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "orders"}}}}}
	loaded := common.Key{Key: fk, ARN: tuitest.AppDataARN, AccountName: "prod", Live: live}
	listed := loaded
	listed.Live = nil // listed before the simulator's state was read
	m := keydetail.New(tuitest.Common(t), liveService{key: loaded})
	m.SetSize(tuitest.Width, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetKey(listed))...)
	v := m.View()
	for _, want := range []string{"Rotated 2026-01-20 09:30:00 ON_DEMAND, key material 4444", "Rotated and 1 earlier",
		"Rotation every 90 days, next 2026-04-20", "Deletion 2026-01-28", "Created 2026-01-01 09:30:00"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q in\n%s", want, v)
		}
	}
	if strings.Contains(v, "key material 1111") {
		t.Errorf("the oldest rotation is shown:\n%s", v)
	}
	tuitest.Golden(t, v)
}
