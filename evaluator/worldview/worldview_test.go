package worldview

import (
	"context"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/fixtures"
)

func TestPrincipalByARN(t *testing.T) {
	w := fixtures.MustLoad("demo")
	cases := []struct {
		arn, wantType, wantARN, wantPolicy string
	}{
		{"arn:aws:iam::111122223333:user/admin", "IAMUser", "arn:aws:iam::111122223333:user/admin", "arn:aws:iam::aws:policy/AdministratorAccess"},
		{"arn:aws:iam::111122223333:user/developer", "IAMUser", "arn:aws:iam::111122223333:user/developer", "group/Developers/inline/kms-read-only-listing"},
		{"arn:aws:iam::111122223333:role/EncryptionApp", "AssumedRole", "arn:aws:sts::111122223333:assumed-role/EncryptionApp/kmsim-simulate", "role/EncryptionApp/inline/use-account-keys"},
		{"arn:aws:sts::111122223333:assumed-role/EncryptionApp/demo-app", "AssumedRole", "arn:aws:sts::111122223333:assumed-role/EncryptionApp/demo-app", "role/EncryptionApp/inline/use-account-keys"},
		{"arn:aws:sts::444455556666:assumed-role/PartnerDecryptRole/other", "AssumedRole", "arn:aws:sts::444455556666:assumed-role/PartnerDecryptRole/other", "role/PartnerDecryptRole/inline/decrypt-prod-keys"},
		{"arn:aws:iam::111122223333:root", "Root", "arn:aws:iam::111122223333:root", ""},
	}
	for _, tc := range cases {
		p, err := PrincipalByARN(w, tc.arn)
		if err != nil {
			t.Fatalf("%s: %v", tc.arn, err)
		}
		if p.Type != tc.wantType || p.ARN != tc.wantARN {
			t.Errorf("%s: %s %s", tc.arn, p.Type, p.ARN)
		}
		var ids []string
		for _, pol := range p.IdentityPolicies {
			ids = append(ids, pol.ID)
		}
		if tc.wantPolicy != "" && !strings.Contains(strings.Join(ids, " "), tc.wantPolicy) {
			t.Errorf("%s: policies %v lack %s", tc.arn, ids, tc.wantPolicy)
		}
		if p.OrgID != "o-a1b2c3d4e5" {
			t.Errorf("%s: organization %q", tc.arn, p.OrgID)
		}
	}
	if _, err := PrincipalByARN(w, "arn:aws:iam::111122223333:user/nobody"); err == nil {
		t.Fatal("found a principal that does not exist")
	}
}

// TestDemoDecisions decides through the world's own policies: the admin may use alias/app-data's
// key through IAM, the developer may not.
func TestDemoDecisions(t *testing.T) {
	w := fixtures.MustLoad("demo")
	ev := evaluator.New()
	key := w.KeyByAlias("111122223333", "us-east-1", "alias/app-data")
	for _, tc := range []struct {
		arn  string
		want evaluator.Effect
	}{
		{"arn:aws:iam::111122223333:user/admin", evaluator.Allowed},
		{"arn:aws:iam::111122223333:user/developer", evaluator.ImplicitDeny},
		{"arn:aws:iam::111122223333:role/EncryptionApp", evaluator.Allowed},
	} {
		p, err := PrincipalByARN(w, tc.arn)
		if err != nil {
			t.Fatal(err)
		}
		d, err := ev.Decide(context.Background(), evaluator.Request{Principal: p, Action: "kms:Encrypt", Resource: w.KeyARN(key),
			ResourceAccount: key.Account, ResourcePolicy: KeyPolicy(w, key)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Effect != tc.want {
			t.Errorf("%s: %s, want %s", tc.arn, d.Effect, tc.want)
		}
	}
	legacy := w.KeyByAlias("111122223333", "us-east-1", "alias/legacy")
	if !strings.Contains(string(KeyPolicy(w, legacy).Document), `"key-default-1"`) {
		t.Fatal("a key without a policy does not get the default")
	}
}

func TestGrants(t *testing.T) {
	w := fixtures.MustLoad("cross-account-grant")
	k := &w.Keys[0]
	gs := Grants(w, k)
	if len(gs) != 2 {
		t.Fatalf("%d grants, want 2", len(gs))
	}
	app, acct := gs[0], gs[1]
	if app.KeyARN != w.KeyARN(k) || app.ID != k.Grants[0].ID || app.GranteePrincipal != "arn:aws:iam::444455556666:role/PartnerApp" ||
		app.EncryptionContextSubset["app"] != "billing" || app.EncryptionContextEquals != nil || app.RetiringPrincipal == "" {
		t.Errorf("app grant %+v", app)
	}
	if acct.EncryptionContextEquals["app"] != "reports" || acct.EncryptionContextSubset != nil || len(acct.Operations) != 1 {
		t.Errorf("account grant %+v", acct)
	}
}
