package tui_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/trail"
	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/explain"
	"github.com/kmsim/kmsim/tui/pages/findings"
	"github.com/kmsim/kmsim/tui/pages/keydetail"
	"github.com/kmsim/kmsim/tui/pages/keys"
	trailpage "github.com/kmsim/kmsim/tui/pages/trail"
)

// datasets holds real CloudTrail files: S3 deliveries of a real account, anonymised detonation
// logs, and the AWS KMS developer guide's example records (placeholder ids, us-west-2).
var datasets = filepath.Join("..", "..", "shared", "datasets", "cloudtrail")

// docsKey is the key of the developer guide's examples: the demo world's alias/app-data key id,
// but in us-west-2, so a key only the trail names.
const docsKey = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// The audit on an imported trail, with the demo world: keys (the trail's own keys listed after the
// world's) → a key only the trail names → its events, filtered → an event explained → findings
// (the detections of the imported calls) → explain.
func TestImportedDatasetJourney(t *testing.T) {
	if _, err := os.Stat(datasets); err != nil {
		t.Skipf("no data sets: %v", err)
	}
	dir := t.TempDir()
	store, err := trail.Open(filepath.Join(dir, "kmsim.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := store.Import(t.Context(), []string{datasets}, trail.ImportOptions{})
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil || sum.Imported == 0 {
		t.Fatalf("import: %v (%+v)", err, sum)
	}
	svc := tui.NewService(tuitest.World(t), dir)
	res, err := svc.Query(t.Context(), "SELECT count(*) FILTER (WHERE keyArn = '"+docsKey+"'), count(*) FILTER (WHERE keyArn = '"+docsKey+"' AND errorCode IS NOT NULL) FROM events")
	if err != nil {
		t.Fatal(err)
	}
	events, errors := toInt(res.Rows[0][0]), toInt(res.Rows[0][1])
	if events == 0 || errors == 0 {
		t.Fatalf("the examples name %s in %d events, %d errors", docsKey, events, errors)
	}

	m := tui.New(tuitest.Common(t), svc)
	start(t, m)

	// Keys: the world's five, then the keys only the trail names, with their events.
	shown := m.Page(tui.KeysPage).(*keys.Model).Shown()
	var trailOnly *common.Key
	accounts := map[string]bool{}
	for i, k := range shown {
		if k.ARN == docsKey {
			trailOnly = &shown[i]
		}
		if k.TrailOnly {
			accounts[k.Account] = true
		}
	}
	if len(shown) <= 5 || !accounts["111122223333"] || !accounts["123837392027"] {
		t.Errorf("%d keys; accounts of the keys only the trail names: %v", len(shown), accounts)
	}
	if trailOnly == nil || !trailOnly.TrailOnly || trailOnly.Events != events || trailOnly.State != "unknown" {
		t.Fatalf("the trail's key %s: %+v", docsKey, trailOnly)
	}
	typeKeys(t, m, "/us-west-2:111122223333:key/1234abcd<enter>")
	v := m.View()
	capture(t, "keys", v)
	for _, want := range []string{"1 of ", "1234abcd-12ab", "unknown", "2022-09-01"} {
		if !strings.Contains(v, want) {
			t.Errorf("keys view lacks %q:\n%s", want, v)
		}
	}

	// The key: what the trail knows of it; no policy, so no who-can or dry run.
	typeKeys(t, m, "<enter>")
	if m.Active() != tui.KeyDetailPage || !m.Page(tui.KeyDetailPage).(*keydetail.Model).Key().TrailOnly {
		t.Fatalf("enter: on %v", m.Active())
	}
	v = m.View()
	capture(t, "keydetail", v)
	for _, want := range []string{"State unknown (not in the world)", "The world does not hold this key", "t events"} {
		if !strings.Contains(v, want) {
			t.Errorf("key detail lacks %q:\n%s", want, v)
		}
	}
	typeKeys(t, m, "wd")
	if m.Active() != tui.KeyDetailPage {
		t.Fatalf("w or d on a key only the trail names: on %v", m.Active())
	}

	// Its events, then filtered: errors only, an event name, a principal; c clears them all.
	typeKeys(t, m, "t")
	tr := m.Page(tui.TrailPage).(*trailpage.Model)
	if m.Active() != tui.TrailPage || tr.Key() != docsKey || len(tr.Rows()) != events {
		t.Fatalf("t: on %v, key %q, %d rows, want %d", m.Active(), tr.Key(), len(tr.Rows()), events)
	}
	if v := m.View(); !strings.Contains(v, "key key/1234abcd-12ab-34cd-56ef-1234567890ab") || !strings.Contains(v, "PutKeyPolicy") {
		t.Errorf("trail view:\n%s", v)
	}
	capture(t, "trail", m.View())
	typeKeys(t, m, "e")
	if rows := tr.Rows(); len(rows) != errors || rows[0][4] != "InvalidKeyUsageException" {
		t.Errorf("errors only: %q", rows)
	}
	typeKeys(t, m, "e")
	typeKeys(t, m, "nDecrypt<enter>")
	alice := 0
	for _, r := range tr.Rows() {
		if r[1] != "Decrypt" {
			t.Errorf("event name Decrypt: row %q", r)
		}
		if strings.HasSuffix(r[2], "user/Alice") {
			alice++
		}
	}
	if alice == 0 {
		t.Fatalf("no Decrypt by Alice on the key: %q", tr.Rows())
	}
	typeKeys(t, m, "pbert-jan<enter>")
	if n := len(tr.Rows()); n != 0 {
		t.Errorf("Decrypt on the key by bert-jan: %d rows, want none", n)
	}
	typeKeys(t, m, "p<backspace><backspace><backspace><backspace><backspace><backspace><backspace><backspace><backspace>Alice<enter>")
	if n := len(tr.Rows()); n != alice {
		t.Errorf("Decrypt on the key by Alice: %d rows, want %d", n, alice)
	}

	// x: the Decrypt explained again; the world has neither Alice nor the key, and says so.
	typeKeys(t, m, "x")
	if m.Active() != tui.ExplainPage {
		t.Fatalf("x: on %v", m.Active())
	}
	v = m.View()
	capture(t, "explain_event", v)
	for _, want := range []string{"cannot be decided again as recorded", "its principal arn:aws:iam::111122223333:user/Alice is not in the world",
		"its key " + docsKey, "kms:EncryptionContext:"} {
		if !strings.Contains(v, want) {
			t.Errorf("explain lacks %q:\n%s", want, v)
		}
	}
	typeKeys(t, m, "q")
	if m.Active() != tui.TrailPage {
		t.Fatalf("q from the explanation: on %v, want the trail", m.Active())
	}
	typeKeys(t, m, "c")
	if n := len(tr.Rows()); n != trailpage.Limit || tr.Key() != "" {
		t.Errorf("c: %d rows (want the %d newest), key %q", n, trailpage.Limit, tr.Key())
	}

	// Findings: lint on the world, and the detections of the imported calls.
	typeKeys(t, m, "4")
	var disabled, burst bool
	for _, r := range m.Page(tui.FindingsPage).(*findings.Model).Rows() {
		disabled = disabled || (r.Code == "kms-key-disabled-or-deletion" && strings.Contains(r.Where, "1234abcd"))
		burst = burst || r.Code == "access-denied-burst"
	}
	if !disabled || !burst {
		t.Errorf("detections: key disabled %v, access-denied burst %v:\n%s", disabled, burst, m.View())
	}
	capture(t, "findings", m.View())

	// Explain: a request of the world, decided as the simulator would.
	typeKeys(t, m, "3")
	ex := m.Page(tui.ExplainPage).(*explain.Model)
	if !ex.Choose(explain.FieldPrincipal, tuitest.AdminARN) || !ex.Choose(explain.FieldAction, "kms:Decrypt") || !ex.Choose(explain.FieldKey, "alias/app-data") {
		t.Fatal("admin, kms:Decrypt or alias/app-data not offered")
	}
	typeKeys(t, m, "<enter>")
	if e := ex.Explanation(); e == nil || e.Effect != "allowed" {
		t.Fatalf("admin Decrypt on alias/app-data: %+v\n%s", e, m.View())
	}
}

// capture compares view with testdata/TestImportedDatasetJourney/<name>.golden (docs/tui.md shows them).
func capture(t *testing.T, name, view string) {
	t.Helper()
	t.Run(name, func(t *testing.T) { tuitest.Golden(t, view) })
}

func toInt(v any) int {
	switch n := v.(type) {
	case int64:
		return int(n)
	case int32:
		return int(n)
	case int:
		return n
	}
	return -1
}
