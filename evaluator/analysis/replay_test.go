package analysis

import (
	"context"
	"fmt"
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
