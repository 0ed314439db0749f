package analysis

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
)

// TestWhoCanCrossAccountActions: a key policy and an IAM policy giving another account's role
// kms:* let it use the key, but not manage it (those permissions cannot be used cross-account).
func TestWhoCanCrossAccountActions(t *testing.T) {
	w := fixtures.MustLoad("cross-account-key-policy")
	for i := range w.Roles {
		if r := &w.Roles[i]; r.Name == "PartnerRole" {
			r.InlinePolicies[0].Document = fixtures.Document(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`)
		}
	}
	k, err := worldview.FindKey(w, "alias/shared", "", "")
	if err != nil {
		t.Fatal(err)
	}
	k.Policy = fixtures.Document(`{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"EnableIAM","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"PartnerAll","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/PartnerRole"},"Action":"kms:*","Resource":"*"}]}`)
	const partner = "arn:aws:iam::444455556666:role/PartnerRole cross-account: always"
	for action, listed := range map[string]bool{"kms:Decrypt": true, "kms:DescribeKey": true, "kms:ScheduleKeyDeletion": false, "kms:PutKeyPolicy": false, "kms:TagResource": false} {
		acc, err := New(w).WhoCan(context.Background(), Query{Action: action, Key: k})
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(acc); slices.Contains(got, partner) != listed {
			t.Errorf("%s: partner listed %v, want %v:\n%s", action, !listed, listed, strings.Join(got, "\n"))
		}
	}
}
