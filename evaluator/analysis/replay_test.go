package analysis

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/trail"
)

// records crafts n Decrypt records on key by the Billing role, with app=billing on even ones,
// plus one by a principal the world does not have and one without an encryption context.
func records(w *fixtures.World, k *fixtures.Key, n int) []trail.Record {
	role := "arn:aws:iam::111122223333:role/Billing"
	rec := func(i int, arn string, ec map[string]any) trail.Record {
		params := map[string]any{"keyId": w.KeyARN(k), "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
		if ec != nil {
			params["encryptionContext"] = ec
		}
		return trail.Record{EventVersion: "1.08", EventTime: time.Date(2025, 1, 1, 0, 0, i%3600, 0, time.UTC).Format(time.RFC3339),
			EventSource: "kms.amazonaws.com", EventName: "Decrypt", AWSRegion: "us-east-1", SourceIPAddress: "10.1.2.3",
			UserIdentity: &trail.UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::111122223333:assumed-role/Billing/s", AccountID: "111122223333",
				SessionContext: &trail.SessionContext{SessionIssuer: &trail.SessionIssuer{Type: "Role", ARN: arn, AccountID: "111122223333"}}},
			RequestParameters: params, EventID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), EventType: "AwsApiCall",
			Resources: []trail.Resource{{AccountID: k.Account, Type: "AWS::KMS::Key", ARN: w.KeyARN(k)}}, RecipientAccountID: k.Account, EventCategory: "Management"}
	}
	var out []trail.Record
	for i := 0; i < n; i++ {
		ec := map[string]any{"app": "billing"}
		if i%2 == 1 {
			ec = map[string]any{"app": "payroll"}
		}
		out = append(out, rec(i, role, ec))
	}
	out = append(out, rec(n, "arn:aws:iam::999999999999:role/Stranger", map[string]any{"app": "billing"}), rec(n+1, role, nil))
	return out
}

func replayStore(t testing.TB, n int) (*trail.Store, *fixtures.World, *fixtures.Key) {
	w := fixtures.MustLoad("ec-constrained-decrypt")
	k, _ := worldview.FindKey(w, "alias/billing", "", "")
	s, err := trail.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	recs := records(w, k, n)
	for i := 0; i < len(recs); i += 10000 {
		if err := s.Insert(context.Background(), recs[i:min(i+10000, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	return s, w, k
}

// opened drops the encryption-context condition: payroll calls and the call without a context
// would be allowed.
var opened = []byte(`{"Version":"2012-10-17","Statement":[
{"Sid":"KeyAdmin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Describe*","kms:PutKeyPolicy"],"Resource":"*"},
{"Sid":"BillingAny","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Billing"},"Action":"kms:Decrypt","Resource":"*"}]}`)

func TestReplay(t *testing.T) {
	s, w, k := replayStore(t, 10)
	rep, err := New(w).Replay(context.Background(), s.Query, ReplayQuery{Key: k, KeyPolicy: opened, PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Calls != 12 || rep.Evaluated != 11 || rep.Changed != 6 {
		t.Errorf("calls %d evaluated %d changed %d, want 12 11 6", rep.Calls, rep.Evaluated, rep.Changed)
	}
	if len(rep.Groups) != 1 || rep.Groups[0].Change != "denied→allowed" || rep.Groups[0].Count != 6 ||
		rep.Groups[0].Statement != `proposed#1 "BillingAny"` || rep.Groups[0].Principal != "arn:aws:iam::111122223333:role/Billing" {
		t.Errorf("groups %+v", rep.Groups)
	}
	if rep.UnknownPrincipals["arn:aws:iam::999999999999:role/Stranger"] != 1 || rep.Unbuilt["encryption context (not in the record)"] != 1 {
		t.Errorf("unknown %v unbuilt %v", rep.UnknownPrincipals, rep.Unbuilt)
	}
	// The reverse: from the opened policy back to the current one loses the same calls.
	rep, err = New(w).Replay(context.Background(), s.Query, ReplayQuery{Key: k, KeyPolicy: []byte(w.Keys[0].Policy)})
	if err != nil || rep.Changed != 0 {
		t.Errorf("same policy: %v changed %d", err, rep.Changed)
	}
}

// variedRecords crafts n Decrypt records on key by the Billing role as real traffic has them:
// each with its own object in the encryption context, from one of 65,536 source addresses,
// spread over a day; app=billing on even ones.
func variedRecords(w *fixtures.World, k *fixtures.Key, from, n int) []trail.Record {
	base := records(w, k, 1)[0]
	out := make([]trail.Record, n)
	for j := range out {
		i := from + j
		r := base
		app := "billing"
		if i%2 == 1 {
			app = "payroll"
		}
		r.EventID = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		r.EventTime = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i%86400) * time.Second).Format(time.RFC3339)
		r.SourceIPAddress = fmt.Sprintf("10.0.%d.%d", i/256%256, i%256)
		r.RequestParameters = map[string]any{"keyId": w.KeyARN(k), "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
			"encryptionContext": map[string]any{"app": app, "object": fmt.Sprintf("reports/%d.csv", i)}}
		out[j] = r
	}
	return out
}

// BenchmarkReplay1M replays a million recorded calls that differ in their encryption context,
// source address and time.
func BenchmarkReplay1M(b *testing.B) {
	w := fixtures.MustLoad("ec-constrained-decrypt")
	k, _ := worldview.FindKey(w, "alias/billing", "", "")
	s, err := trail.Open(filepath.Join(b.TempDir(), "trail.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const n, batch = 1000000, 20000
	for i := 0; i < n; i += batch {
		if err := s.Insert(context.Background(), variedRecords(w, k, i, batch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := New(w).Replay(context.Background(), s.Query, ReplayQuery{Key: k, KeyPolicy: opened})
		if err != nil || rep.Calls != n || rep.Changed != n/2 {
			b.Fatal(err, rep.Calls, rep.Changed)
		}
	}
}

func BenchmarkReplay100k(b *testing.B) {
	s, w, k := replayStore(b, 100000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := New(w).Replay(context.Background(), s.Query, ReplayQuery{Key: k, KeyPolicy: opened})
		if err != nil || rep.Calls != 100002 {
			b.Fatal(err, rep.Calls)
		}
	}
}

// TestReplayClockConditions: decisions are reused across calls only where no policy reads the
// clock; a proposed policy that allows Decrypt before a date changes exactly the later calls.
func TestReplayClockConditions(t *testing.T) {
	s, w, k := replayStore(t, 3600)
	untilHalfPast := []byte(`{"Version":"2012-10-17","Statement":[
{"Sid":"KeyAdmin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Describe*","kms:PutKeyPolicy"],"Resource":"*"},
{"Sid":"BillingUntilHalfPast","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Billing"},"Action":"kms:Decrypt","Resource":"*",
 "Condition":{"DateLessThan":{"aws:CurrentTime":"2025-01-01T00:30:00Z"},"StringEquals":{"kms:EncryptionContext:app":"billing"}}}]}`)
	rep, err := New(w).Replay(context.Background(), s.Query, ReplayQuery{Key: k, KeyPolicy: untilHalfPast})
	if err != nil {
		t.Fatal(err)
	}
	// Billing calls (even i) are allowed today; those from 00:30:00 on (i >= 1800) lose access.
	if rep.Changed != 900 || len(rep.Groups) != 1 || rep.Groups[0].Change != "allowed→denied" {
		t.Fatalf("changed %d groups %+v", rep.Changed, rep.Groups)
	}
}

// reEncryptWorld has three keys: alias/old and alias/new let the App role re-encrypt from and
// to them; alias/closed allows nothing to App.
const reEncryptWorld = `name: re-encrypt
accounts: [{id: "111122223333"}]
roles:
  - account: "111122223333"
    name: App
    trustPolicy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: "sts:AssumeRole"}]}
keys:
  - account: "111122223333"
    id: 11111111-1111-1111-1111-111111111111
    aliases: [alias/old]
    policy: {Version: "2012-10-17", Statement: [
      {Sid: Admin, Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: "kms:PutKeyPolicy", Resource: "*"},
      {Sid: AppReEncrypt, Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:role/App"}, Action: "kms:ReEncrypt*", Resource: "*"}]}
  - account: "111122223333"
    id: 22222222-2222-2222-2222-222222222222
    aliases: [alias/new]
    policy: {Version: "2012-10-17", Statement: [
      {Sid: AppReEncrypt, Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:role/App"}, Action: "kms:ReEncrypt*", Resource: "*"}]}
  - account: "111122223333"
    id: 33333333-3333-3333-3333-333333333333
    aliases: [alias/closed]
    policy: {Version: "2012-10-17", Statement: [
      {Sid: Admin, Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: "kms:PutKeyPolicy", Resource: "*"}]}
`

// reEncryptRecord is a ReEncrypt by the App role from src to dst, shaped as CloudTrail records it.
func reEncryptRecord(w *fixtures.World, i int, src, dst *fixtures.Key) trail.Record {
	return trail.Record{EventVersion: "1.08", EventTime: "2025-01-01T00:00:00Z", EventSource: "kms.amazonaws.com", EventName: "ReEncrypt",
		AWSRegion: "us-east-1", SourceIPAddress: "10.1.2.3", EventType: "AwsApiCall", RecipientAccountID: "111122223333", EventCategory: "Management",
		EventID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i),
		UserIdentity: &trail.UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::111122223333:assumed-role/App/s", AccountID: "111122223333",
			SessionContext: &trail.SessionContext{SessionIssuer: &trail.SessionIssuer{Type: "Role", ARN: "arn:aws:iam::111122223333:role/App", AccountID: "111122223333"}}},
		RequestParameters: map[string]any{"destinationKeyId": dst.ID, "sourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
			"destinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "destinationEncryptionContext": map[string]any{"app": "x"}},
		Resources: []trail.Resource{{AccountID: "111122223333", Type: "AWS::KMS::Key", ARN: w.KeyARN(src)}, {AccountID: "111122223333", Type: "AWS::KMS::Key", ARN: w.KeyARN(dst)}}}
}

// TestReplayReEncrypt: a ReEncrypt is authorized as ReEncryptFrom on its source key and
// ReEncryptTo on its destination key, each under that key's policy; replaying a key's policy
// finds the calls that re-encrypt from it and those that re-encrypt to it.
func TestReplayReEncrypt(t *testing.T) {
	w, err := fixtures.Parse("world.yaml", []byte(reEncryptWorld), nil)
	if err != nil {
		t.Fatal(err)
	}
	key := func(alias string) *fixtures.Key {
		k, err := worldview.FindKey(w, alias, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	old, nw, closed := key("alias/old"), key("alias/new"), key("alias/closed")
	s, err := trail.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recs := []trail.Record{
		reEncryptRecord(w, 1, old, nw),     // from old: allowed today
		reEncryptRecord(w, 2, nw, old),     // to old: allowed today
		reEncryptRecord(w, 3, old, closed), // from old to a key that denies ReEncryptTo: denied either way
		reEncryptRecord(w, 4, old, old),    // from old to old: both sides on old
		reEncryptRecord(w, 5, nw, closed),  // does not use old
	}
	if err := s.Insert(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	statement := func(actions string) []byte {
		return []byte(`{"Version":"2012-10-17","Statement":[
{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:PutKeyPolicy","Resource":"*"},
{"Sid":"AppOneWay","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"` + actions + `","Resource":"*"}]}`)
	}
	for _, tc := range []struct {
		name   string
		policy []byte
		want   []string // changed calls: event id suffix and action
	}{
		{"only ReEncryptFrom left", statement("kms:ReEncryptFrom"), []string{"2 kms:ReEncryptTo", "4 kms:ReEncryptFrom+kms:ReEncryptTo"}},
		{"only ReEncryptTo left", statement("kms:ReEncryptTo"), []string{"1 kms:ReEncryptFrom", "4 kms:ReEncryptFrom+kms:ReEncryptTo"}},
		{"both left", statement("kms:ReEncrypt*"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := New(w).Replay(context.Background(), s.Query, ReplayQuery{Key: old, KeyPolicy: tc.policy})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Calls != 4 || rep.Evaluated != 4 {
				t.Errorf("calls %d evaluated %d, want 4 4", rep.Calls, rep.Evaluated)
			}
			var got []string
			for _, g := range rep.Groups {
				if g.Change != "allowed→denied" {
					t.Errorf("group %+v", g)
				}
				for _, c := range g.Calls {
					got = append(got, strings.TrimLeft(c.EventID[len(c.EventID)-12:], "0")+" "+c.Action)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("changed %v, want %v", got, tc.want)
			}
		})
	}
}
