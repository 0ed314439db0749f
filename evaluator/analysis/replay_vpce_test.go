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

// vpceRecord crafts a call on k by the vpc-endpoint world's user from ip, through endpoint
// vpce ("" for none).
func vpceRecord(w *fixtures.World, k *fixtures.Key, i int, user, event, ip, vpce string) trail.Record {
	return trail.Record{EventVersion: "1.08", EventTime: time.Date(2025, 1, 1, 0, 0, i, 0, time.UTC).Format(time.RFC3339),
		EventSource: "kms.amazonaws.com", EventName: event, AWSRegion: "us-east-1", SourceIPAddress: ip, VPCEndpointID: vpce,
		UserIdentity:      &trail.UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/" + user, AccountID: "111122223333"},
		RequestParameters: map[string]any{"keyId": w.KeyARN(k)}, EventID: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), EventType: "AwsApiCall",
		Resources: []trail.Resource{{AccountID: k.Account, Type: "AWS::KMS::Key", ARN: w.KeyARN(k)}}, RecipientAccountID: k.Account, EventCategory: "Management"}
}

// TestReplayVPCEndpoint: a call recorded with a vpcEndpointId through an endpoint of the world
// is decided with aws:SourceVpce and aws:SourceVpc and bound by the endpoint's policy; one
// through an endpoint the world does not know is reported as not rebuilt, apart from calls alike
// through a known endpoint.
func TestReplayVPCEndpoint(t *testing.T) {
	w := fixtures.MustLoad("vpc-endpoint")
	k, err := worldview.FindKey(w, "alias/vpc-only-decrypt", "", "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := trail.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const known, unknown = "vpce-0a1b2c3d4e5f60718", "vpce-0123456789abcdef0"
	recs := []trail.Record{
		vpceRecord(w, k, 1, "app", "Decrypt", "10.0.1.15", known),             // allowed either way
		vpceRecord(w, k, 2, "app", "DisableKey", "10.0.1.15", known),          // the endpoint policy denies it either way
		vpceRecord(w, k, 3, "laptop-admin", "DisableKey", "203.0.113.10", ""), // allowed today, denied by the proposal
		vpceRecord(w, k, 4, "app", "Decrypt", "10.0.1.15", unknown),           // denied either way; not rebuilt
		vpceRecord(w, k, 5, "laptop-admin", "Decrypt", "203.0.113.10", ""),    // denied either way
		vpceRecord(w, k, 6, "app", "Decrypt", "10.0.1.16", known),             // alike the first
	}
	if err := s.Insert(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	// The proposal leaves key management to no one and denies Decrypt outside the endpoint's VPC.
	proposed := []byte(`{"Version":"2012-10-17","Statement":[
{"Sid":"UseOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey","kms:PutKeyPolicy"],"Resource":"*"},
{"Sid":"DecryptInTheVPC","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-0a1b2c3d4e5f60718"}}}]}`)
	rep, err := New(w).Replay(context.Background(), s.Query, ReplayQuery{Key: k, KeyPolicy: proposed})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Calls != 6 || rep.Evaluated != 6 || rep.Changed != 1 {
		t.Errorf("calls %d evaluated %d changed %d, want 6 6 1", rep.Calls, rep.Evaluated, rep.Changed)
	}
	if len(rep.Groups) != 1 || rep.Groups[0].Principal != "arn:aws:iam::111122223333:user/laptop-admin" ||
		rep.Groups[0].EventName != "DisableKey" || rep.Groups[0].Change != "allowed→denied" {
		t.Errorf("groups %+v", rep.Groups)
	}
	if rep.Unbuilt["VPC endpoint (not in the world: its VPC and policy)"] != 1 {
		t.Errorf("unbuilt %v", rep.Unbuilt)
	}
	// Denying every Decrypt takes away exactly the calls through the known endpoint, which the
	// current policy allowed.
	noDecrypt := []byte(`{"Version":"2012-10-17","Statement":[
{"Sid":"EnableIAM","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
{"Sid":"NoDecrypt","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`)
	rep, err = New(w).Replay(context.Background(), s.Query, ReplayQuery{Key: k, KeyPolicy: noDecrypt})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 1 || rep.Groups[0].Principal != "arn:aws:iam::111122223333:user/app" || rep.Groups[0].EventName != "Decrypt" ||
		rep.Groups[0].Count != 2 || rep.Groups[0].Change != "allowed→denied" {
		t.Errorf("groups %+v", rep.Groups)
	}
}
