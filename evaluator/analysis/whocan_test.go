package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
)

// summary renders accesses as "PRINCIPAL PATH: CONDITIONS" lines, sorted.
func summary(acc []Access) []string {
	var out []string
	for _, a := range acc {
		if len(a.Ways) == 0 {
			out = append(out, a.Principal+" denied")
		}
		for _, w := range a.Ways {
			out = append(out, a.Principal+" "+w.Path+": "+w.ConditionText())
		}
	}
	slices.Sort(out)
	return out
}

func TestWhoCanFixtureWorlds(t *testing.T) {
	cases := []struct {
		world, action, key string
		want               []string
	}{
		{"explicit-deny-wins", "kms:Decrypt", "alias/deny-wins", []string{
			"arn:aws:iam::111122223333:role/App key policy: always",
			"arn:aws:iam::111122223333:root IAM via account: always",
		}},
		{"cross-account-key-policy", "decrypt", "alias/shared", []string{
			"arn:aws:iam::111122223333:root IAM via account: always",
			"arn:aws:iam::444455556666:role/PartnerRole cross-account: always",
		}},
		{"cross-account-grant", "kms:Decrypt", "alias/partner-shared", []string{
			"arn:aws:iam::111122223333:root IAM via account: always",
			"arn:aws:iam::111122223333:user/key-admin IAM via account: always",
			"arn:aws:iam::444455556666:role/PartnerAnalyst grant: encryption context is exactly {app=reports}",
			"arn:aws:iam::444455556666:role/PartnerApp grant: kms:EncryptionContext:app = billing",
			"arn:aws:iam::444455556666:root grant: encryption context is exactly {app=reports}",
		}},
		{"cross-account-grant", "kms:Encrypt", "alias/partner-shared", []string{
			"arn:aws:iam::111122223333:root IAM via account: always",
			"arn:aws:iam::111122223333:user/key-admin IAM via account: always",
			"arn:aws:iam::444455556666:role/PartnerApp grant: kms:EncryptionContext:app = billing",
		}},
		{"cross-account-grant", "kms:ReEncryptFrom", "alias/partner-shared", []string{
			"arn:aws:iam::111122223333:root IAM via account: always",
			"arn:aws:iam::111122223333:user/key-admin IAM via account: always",
		}},
		{"ec-constrained-decrypt", "Decrypt", "alias/billing", []string{
			"arn:aws:iam::111122223333:role/Billing key policy: kms:EncryptionContext:app = billing",
		}},
		{"via-service-only", "kms:decrypt", "alias/via-ec2", []string{
			"arn:aws:iam::111122223333:role/App key policy: kms:ViaService = ec2.us-east-1.amazonaws.com",
		}},
		{"public-but-restricted", "kms:Decrypt", "alias/public", []string{
			"* key policy: kms:CallerAccount = 111122223333",
			"arn:aws:iam::111122223333:role/App key policy: always",
			"arn:aws:iam::111122223333:root key policy: always",
		}},
		{"lockout", "kms:PutKeyPolicy", "alias/locked", nil},
		{"lockout", "kms:Decrypt", "alias/locked", []string{"arn:aws:iam::111122223333:role/App key policy: always"}},
		{"demo", "kms:Decrypt", "alias/ams-enforced", []string{
			"* key policy: kms:CallerAccount = 111122223333 and kms:EncryptionContextKeys is present and kms:ViaService in [ec2.us-east-1.amazonaws.com, ecr.us-east-1.amazonaws.com]",
			"arn:aws:iam::111122223333:role/EncryptionApp IAM via account: kms:EncryptionContextKeys is present",
			"arn:aws:iam::111122223333:role/EncryptionApp key policy: kms:EncryptionContextKeys is present",
			"arn:aws:iam::111122223333:role/EncryptionApp key policy: kms:EncryptionContextKeys is present and kms:ViaService in [ec2.us-east-1.amazonaws.com, ecr.us-east-1.amazonaws.com]",
			"arn:aws:iam::111122223333:role/KMSKeyAdmins key policy: kms:EncryptionContextKeys is present and kms:ViaService in [ec2.us-east-1.amazonaws.com, ecr.us-east-1.amazonaws.com]",
			"arn:aws:iam::111122223333:role/SecurityAuditor key policy: kms:EncryptionContextKeys is present and kms:ViaService in [ec2.us-east-1.amazonaws.com, ecr.us-east-1.amazonaws.com]",
			"arn:aws:iam::111122223333:root IAM via account: kms:EncryptionContextKeys is present",
			"arn:aws:iam::111122223333:root key policy: kms:EncryptionContextKeys is present and kms:ViaService in [ec2.us-east-1.amazonaws.com, ecr.us-east-1.amazonaws.com]",
			"arn:aws:iam::111122223333:user/admin IAM via account: kms:EncryptionContextKeys is present",
			"arn:aws:iam::111122223333:user/admin key policy: kms:EncryptionContextKeys is present and kms:ViaService in [ec2.us-east-1.amazonaws.com, ecr.us-east-1.amazonaws.com]",
			"arn:aws:iam::111122223333:user/developer key policy: kms:EncryptionContextKeys is present and kms:ViaService in [ec2.us-east-1.amazonaws.com, ecr.us-east-1.amazonaws.com]",
			"arn:aws:iam::444455556666:role/PartnerDecryptRole cross-account: kms:EncryptionContextKeys is present",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.world+"/"+tc.action, func(t *testing.T) {
			w := fixtures.MustLoad(tc.world)
			k, err := worldview.FindKey(w, tc.key, "", "")
			if err != nil {
				t.Fatal(err)
			}
			acc, err := New(w).WhoCan(context.Background(), Query{Action: tc.action, Key: k})
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(acc); !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestWhoCanAgreesWithDecide checks who-can against concrete decisions on the demo world: an
// "always" principal is allowed with an empty context, a denied one is not.
func TestWhoCanAgreesWithDecide(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"demo", "explicit-deny-wins", "lockout", "public-but-restricted", "cross-account-grant"} {
		w := fixtures.MustLoad(name)
		a := New(w)
		ev := evaluator.New()
		for i := range w.Keys {
			k := &w.Keys[i]
			for _, action := range KeyActions {
				acc, err := a.WhoCan(ctx, Query{Action: action, Key: k, All: true})
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range acc {
					if x.Kind != KindUser && x.Kind != KindRole {
						continue
					}
					s, _ := a.SubjectByARN(x.Principal)
					d, err := ev.Decide(ctx, evaluator.Request{Principal: s.Principal, Action: action, Resource: w.KeyARN(k),
						ResourceAccount: k.Account, ResourcePolicy: a.keyPolicy(Query{Key: k}), Grants: worldview.Grants(w, k)})
					if err != nil {
						t.Fatal(err)
					}
					if (x.Status == statusAlways && !d.Allowed()) || (x.Status == statusDenied && d.Allowed()) {
						t.Errorf("%s %s %s %s: who-can %s, decision %s", name, x.Principal, action, k.ID, x.Status, d.Effect)
					}
				}
			}
		}
	}
}

func TestCan(t *testing.T) {
	w := fixtures.MustLoad("ec-constrained-decrypt")
	caps, err := New(w).Can(context.Background(), "arn:aws:sts::111122223333:assumed-role/Billing/s1", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range caps {
		got = append(got, c.Action+" "+c.Ways[0].ConditionText())
	}
	if want := []string{"kms:Decrypt kms:EncryptionContext:app = billing"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDiff(t *testing.T) {
	w := fixtures.MustLoad("ec-constrained-decrypt")
	k, _ := worldview.FindKey(w, "alias/billing", "", "")
	// The proposal drops the encryption-context condition and adds the partner account.
	proposed := []byte(`{"Version":"2012-10-17","Statement":[
{"Sid":"KeyAdmin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Describe*","kms:PutKeyPolicy","kms:GetKeyPolicy"],"Resource":"*"},
{"Sid":"BillingDecrypt","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Billing"},"Action":"kms:Decrypt","Resource":"*"}]}`)
	changes, err := New(w).Diff(context.Background(), DiffQuery{Key: k, KeyPolicy: proposed, Actions: []string{"decrypt", "kms:PutKeyPolicy"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, fmt.Sprintf("%s %s %s gain=%t", c.Action, c.Principal, c.Change, c.Gain))
	}
	want := []string{"kms:Decrypt arn:aws:iam::111122223333:role/Billing changed gain=true"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// Removing the statement loses access.
	proposed = []byte(`{"Version":"2012-10-17","Statement":[
{"Sid":"KeyAdmin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Describe*","kms:PutKeyPolicy","kms:GetKeyPolicy"],"Resource":"*"}]}`)
	changes, err = New(w).Diff(context.Background(), DiffQuery{Key: k, KeyPolicy: proposed, Actions: []string{"decrypt"}})
	if err != nil || len(changes) != 1 || changes[0].Change != Lost || changes[0].Gain {
		t.Errorf("lost: %v %+v", err, changes)
	}
}

func TestGrantWay(t *testing.T) {
	w := fixtures.MustLoad("cross-account-key-policy")
	k, _ := worldview.FindKey(w, "alias/shared", "", "")
	g := evaluator.Grant{ID: "g1", KeyARN: w.KeyARN(k), GranteePrincipal: "arn:aws:iam::444455556666:user/partner-user",
		Operations: []string{"Decrypt"}, EncryptionContextSubset: map[string]string{"app": "billing"}}
	acc, err := New(w, WithGrants([]evaluator.Grant{g})).WhoCan(context.Background(), Query{Action: "kms:Decrypt", Key: k})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(acc); !slices.Contains(got, "arn:aws:iam::444455556666:user/partner-user grant: kms:EncryptionContext:app = billing") {
		t.Errorf("no grant way: %v", got)
	}
}
