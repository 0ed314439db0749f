package trail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	testKey      = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testRole     = "arn:aws:iam::111122223333:role/Admin"
	policyPublic = `{"Version":"2012-10-17","Statement":[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}]}`
	policyExtern = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","444455556666"]},"Action":"kms:Decrypt","Resource":"*"}}`
	policyOwn    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
)

// call is testRecord(i) turned into another operation.
func call(i int, name string, params map[string]any, mod ...func(*Record)) Record {
	r := testRecord(i)
	r.EventName = name
	r.RequestParameters = params
	for _, m := range mod {
		m(&r)
	}
	return r
}

func denied(r *Record) {
	r.ErrorCode = "AccessDeniedException"
	r.ErrorMessage = "not authorized"
}

// analysisRecords triggers each built-in rule once, plus noise that must not.
func analysisRecords() []Record {
	recs := []Record{
		call(1, "CreateKey", map[string]any{"policy": policyOwn}),
		call(2, "PutKeyPolicy", map[string]any{"keyId": testKey, "policyName": "default", "policy": policyPublic}),
		call(3, "PutKeyPolicy", map[string]any{"keyId": testKey, "policyName": "default", "policy": policyExtern}),
		call(4, "DisableKey", map[string]any{"keyId": testKey}),
		call(5, "ScheduleKeyDeletion", map[string]any{"keyId": testKey, "pendingWindowInDays": 7}),
		call(6, "DeleteImportedKeyMaterial", map[string]any{"keyId": testKey}),
		call(7, "CreateCustomKeyStore", map[string]any{"customKeyStoreName": "hsm"}, func(r *Record) { r.Resources = nil }),
		call(8, "EnableKey", map[string]any{"keyId": testKey}, denied), // failed: no finding
		call(9, "CreateGrant", map[string]any{"keyId": testKey, "granteePrincipal": "arn:aws:iam::111122223333:role/App", "operations": []any{"Decrypt"}}),
		call(10, "Decrypt", map[string]any{"grantTokens": []any{"token"}}),
		call(11, "Encrypt", map[string]any{"keyId": testKey}, func(r *Record) {
			r.UserIdentity = &UserIdentity{Type: "AWSAccount", PrincipalID: "AIDAEXTERNAL", AccountID: "444455556666"}
		}),
	}
	for i := range 5 { // a burst of denials in one hour
		recs = append(recs, call(20+i, "Decrypt", nil, denied))
	}
	// Decrypt baseline: 30 hours of 10 calls, then one hour of 200.
	n := 100
	base := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	for h := range 31 {
		calls := 10
		if h == 30 {
			calls = 200
		}
		for c := range calls {
			recs = append(recs, call(n, "Decrypt", nil, func(r *Record) {
				r.EventTime = base.Add(time.Duration(h)*time.Hour + time.Duration(c)*time.Second).Format(time.RFC3339)
			}))
			n++
		}
	}
	return recs
}

func TestDetectBuiltinRules(t *testing.T) {
	s, _ := openTestStore(t)
	if err := s.Insert(context.Background(), analysisRecords()); err != nil {
		t.Fatal(err)
	}
	rules, err := BuiltinRules()
	if err != nil {
		t.Fatal(err)
	}
	findings, err := s.Detect(context.Background(), rules, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		rule  string
		count int64
		ids   []string
	}
	wants := []want{
		{"kms-key-policy-public", 1, []string{testEventID(2)}},
		{"kms-imported-key-material-deleted", 1, []string{testEventID(6)}},
		{"kms-key-disabled-or-deletion", 2, []string{testEventID(4), testEventID(5)}},
		{"kms-key-policy-external-account", 1, []string{testEventID(3)}},
		{"access-denied-burst", 6, nil},
		{"kms-custom-key-store-changed", 1, []string{testEventID(7)}},
		{"kms-decrypt-volume-anomaly", 200, nil},
		{"kms-key-policy-changed", 2, []string{testEventID(2), testEventID(3)}},
	}
	var got []want
	for _, f := range findings {
		w := want{f.RuleID, f.Count, f.EventIDs}
		if f.RuleID == "access-denied-burst" || f.RuleID == "kms-decrypt-volume-anomaly" {
			w.ids = nil
			if len(f.EventIDs) == 0 || f.Principal != testRole {
				t.Errorf("%s: principal %q, %d event IDs", f.RuleID, f.Principal, len(f.EventIDs))
			}
		}
		got = append(got, w)
	}
	if fmt.Sprint(got) != fmt.Sprint(wants) {
		t.Errorf("findings:\n got %v\nwant %v", got, wants)
	}
	for _, f := range findings {
		if f.RuleID == "kms-key-disabled-or-deletion" && (f.Key != testKey || f.Severity != SeverityHigh || f.FirstSeen == "") {
			t.Errorf("finding %+v", f)
		}
	}
}

func TestReports(t *testing.T) {
	s, _ := openTestStore(t)
	if err := s.Insert(context.Background(), analysisRecords()); err != nil {
		t.Fatal(err)
	}
	importPaths(t, s, dataset(t, "aws-kms-docs-examples"), dataset(t, "invictus-sigma-aws"))
	reports, err := Reports()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range reports {
		names = append(names, r.Name)
		if r.Title == "" || r.Description == "" {
			t.Errorf("report %s lacks a title or description", r.Name)
		}
		res, err := s.Report(context.Background(), r.Name, Scope{})
		if err != nil {
			t.Errorf("report %s: %v", r.Name, err)
			continue
		}
		if len(res.Rows) == 0 {
			t.Errorf("report %s: no rows", r.Name)
		}
	}
	if want := []string{"cross-account", "denied", "grants", "key-usage", "lifecycle", "policy-changes"}; !slices.Equal(names, want) {
		t.Errorf("reports = %v, want %v", names, want)
	}

	// policy-changes pairs each policy with the key's previous one.
	res, err := s.Report(context.Background(), "policy-changes", Scope{Key: "1234abcd-12ab-34cd-56ef-1234567890ab", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(res.Columns, name) }
	var pairs [][2]any
	for _, r := range res.Rows {
		if r[col("principal")] == testRole {
			pairs = append(pairs, [2]any{r[col("policy")], r[col("previous_policy")]})
		}
	}
	want := [][2]any{{policyOwn, nil}, {policyPublic, policyOwn}, {policyExtern, policyPublic}}
	if fmt.Sprint(pairs) != fmt.Sprint(want) {
		t.Errorf("policy-changes:\n got %v\nwant %v", pairs, want)
	}

	// The scope filters: the invictus Decrypts by time and principal.
	from := time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC)
	res, err = s.Report(context.Background(), "key-usage", Scope{From: from, To: from.Add(24 * time.Hour), Account: "123837392027"})
	if err != nil {
		t.Fatal(err)
	}
	var calls int64
	for _, r := range res.Rows {
		calls += r[col("calls")].(int64)
	}
	if calls != 240 {
		t.Errorf("key-usage calls on 2023-07-10 in 123837392027 = %d, want 240", calls)
	}

	res, err = s.Report(context.Background(), "cross-account", Scope{Account: "444455556666"})
	if err != nil || len(res.Rows) != 1 || res.Rows[0][1] != "444455556666" {
		t.Errorf("cross-account = %v, %v", res, err)
	}
	if _, err := s.Report(context.Background(), "nope", Scope{}); err == nil || !strings.Contains(err.Error(), "key-usage") {
		t.Errorf("unknown report error = %v", err)
	}
}

func TestLoadRules(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.sql"), []byte(`-- id: my-rule
-- title: Every Encrypt
-- severity: low
-- description: >
--   Demonstrates a user rule.
SELECT principalArn AS principal, keyArn AS key, count(*) AS count, min(eventTime) AS first_seen,
       max(eventTime) AS last_seen, list(eventID) AS event_ids
FROM scope WHERE eventName = 'Encrypt' GROUP BY ALL
`), 0o644)
	rules, err := LoadRules(dir)
	if err != nil || len(rules) != 1 || rules[0].Severity != SeverityLow || rules[0].Description != "Demonstrates a user rule." {
		t.Fatalf("LoadRules = %+v, %v", rules, err)
	}
	s, _ := openTestStore(t)
	s.Insert(context.Background(), []Record{testRecord(1), testRecord(2)})
	findings, err := s.Detect(context.Background(), rules, Scope{})
	if err != nil || len(findings) != 1 || findings[0].Count != 2 {
		t.Errorf("Detect = %+v, %v", findings, err)
	}

	for name, body := range map[string]string{
		"no-id.sql":     "-- title: x\n-- severity: low\nSELECT 1",
		"bad-sev.sql":   "-- id: x\n-- title: x\n-- severity: urgent\nSELECT 1",
		"no-query.sql":  "-- id: x\n-- title: x\n-- severity: low\n",
		"bad-yaml.sql":  "-- id: [\nSELECT 1",
		"columns.sql":   "-- id: x\n-- title: x\n-- severity: low\nSELECT 1 AS principal FROM scope",
		"bad-query.sql": "-- id: x\n-- title: x\n-- severity: low\nSELECT nope FROM scope",
	} {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, name), []byte(body), 0o644)
		rules, err := LoadRules(d)
		if err == nil {
			_, err = s.Detect(context.Background(), rules, Scope{})
		}
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
}

func TestPrune(t *testing.T) {
	s, _ := openTestStore(t)
	s.Insert(context.Background(), []Record{testRecord(1), testRecord(2), testRecord(3)})
	n, err := s.Prune(context.Background(), time.Date(2024, 5, 1, 12, 0, 3, 0, time.UTC))
	if err != nil || n != 2 || countEvents(t, s) != 1 {
		t.Errorf("Prune = %d, %v; %d left", n, err, countEvents(t, s))
	}
}
