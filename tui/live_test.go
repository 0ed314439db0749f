package tui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/keys"
	"github.com/kmsim/kmsim/tui/pages/whocan"
)

// ordersPolicy lets the account administer the key and, with ordersSid, the developer decrypt.
const (
	ordersSid    = "DeveloperDecrypt"
	ordersPolicy = `{"Version":"2012-10-17","Statement":[
		{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		{"Sid":"` + ordersSid + `","Effect":"Allow","Principal":{"AWS":"` + tuitest.DeveloperARN + `"},"Action":"kms:Decrypt","Resource":"*"}]}`
	encryptionApp = "arn:aws:iam::111122223333:role/EncryptionApp"
)

// adminKMS is a KMS client of the demo admin against the server at addr.
func adminKMS(addr string) *kms.Client {
	creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	return kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })})
}

// The TUI on a data directory a running server holds, after clients changed it through the AWS
// SDK: the key a client created is listed with its alias; its key detail shows the policy
// PutKeyPolicy set, the grant CreateGrant made and the on-demand rotation with the key material
// ListKeyRotations names; a world key a client disabled shows Disabled; who can and explain decide
// with the live policy; ctrl+r shows a later change. Once the server stopped, a new TUI reads the
// same state from the directory.
func TestLiveServerState(t *testing.T) {
	dir := t.TempDir()
	var keyID, material string
	t.Run("live", func(t *testing.T) {
		addr := startServer(t, dir)
		c := adminKMS(addr)
		ctx := t.Context()
		created, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("orders ledger")})
		if err != nil {
			t.Fatal(err)
		}
		keyID = aws.ToString(created.KeyMetadata.KeyId)
		steps := []func() error{
			func() error {
				_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/orders"), TargetKeyId: aws.String(keyID)})
				return err
			},
			func() error {
				_, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default"), Policy: aws.String(ordersPolicy)})
				return err
			},
			func() error {
				_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(keyID), Name: aws.String("orders-app"),
					GranteePrincipal: aws.String(encryptionApp), Operations: []types.GrantOperation{types.GrantOperationDecrypt},
					Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "orders"}}})
				return err
			},
			func() error {
				_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(keyID)})
				return err
			},
			func() error {
				_, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(tuitest.AppDataKey)})
				return err
			},
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		rots, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(keyID)})
		if err != nil || len(rots.Rotations) != 1 {
			t.Fatalf("ListKeyRotations: %v %+v", err, rots)
		}
		material = aws.ToString(rots.Rotations[0].KeyMaterialId)

		svc := tui.NewService(tuitest.World(t), dir)
		m := tui.New(tuitest.Common(t), svc)
		start(t, m)
		states := map[string]string{}
		for _, k := range m.Page(tui.KeysPage).(*keys.Model).Shown() {
			states[k.Alias()] = k.State
		}
		if states["alias/orders"] != "Enabled" || states["alias/app-data"] != "Disabled" {
			t.Fatalf("keys view states %v\n%s", states, m.View())
		}
		typeKeys(t, m, "/orders<enter><enter>")
		v := m.View()
		for _, want := range []string{"Description orders ledger", "Origin AWS_KMS", `"AWS": "` + tuitest.DeveloperARN + `"`,
			"Grant orders-app: " + encryptionApp + " may Decrypt when the encryption cont", " ON_DEMAND, key material " + material[:32]} {
			if !strings.Contains(v, want) {
				t.Errorf("key detail: no %q in\n%s", want, v)
			}
		}
		k := keyByAlias(t, svc, "alias/orders")
		if p, err := svc.Policy(ctx, k); err != nil || !strings.Contains(p.JSON, `"Sid": "`+ordersSid+`"`) {
			t.Errorf("the live policy: %v\n%s", err, p.JSON)
		}
		if g := k.Grants; len(g) != 1 || g[0].Constraints == nil || g[0].Constraints.EncryptionContextSubset["app"] != "orders" {
			t.Errorf("the live grants: %+v", g)
		}

		typeKeys(t, m, "w")
		if !hasPrincipal(m.Page(tui.WhoCanPage).(*whocan.Model).Rows(), tuitest.DeveloperARN) {
			t.Errorf("who can decrypt: the live policy's developer is missing\n%s", m.View())
		}
		exp, err := svc.Decide(ctx, common.ExplainRequest{Principal: tuitest.DeveloperARN, Action: "Decrypt", Key: k})
		if err != nil || exp.Effect != "allowed" {
			t.Errorf("explain developer Decrypt: %+v, %v", exp, err)
		}
		typeKeys(t, m, "q")

		// A change made while the TUI is open shows on ctrl+r.
		if _, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(keyID)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: aws.String(keyID), GrantId: aws.String(k.Grants[0].ID)}); err != nil {
			t.Fatal(err)
		}
		drive(t, m, tea.KeyMsg{Type: tea.KeyCtrlR})
		if v := m.View(); strings.Count(v, " ON_DEMAND, key material ") != 2 || !strings.Contains(v, "Grants none") {
			t.Errorf("after ctrl+r: two rotations and no grant expected\n%s", v)
		}
	})

	svc := tui.NewService(tuitest.World(t), dir)
	m := tui.New(tuitest.Common(t), svc)
	start(t, m)
	typeKeys(t, m, "/orders<enter><enter>")
	if v := m.View(); !strings.Contains(v, "key/"+keyID) || strings.Count(v, " ON_DEMAND, key material ") != 2 ||
		!strings.Contains(v, " ON_DEMAND, key material "+material[:32]) || !strings.Contains(v, "Grants none") {
		t.Errorf("offline key detail:\n%s", v)
	}
	if p, err := svc.Policy(t.Context(), keyByAlias(t, svc, "alias/orders")); err != nil || !strings.Contains(p.JSON, `"Sid": "`+ordersSid+`"`) {
		t.Errorf("the policy offline: %v\n%s", err, p.JSON)
	}
	if k := keyByAlias(t, svc, "alias/app-data"); k.State != "Disabled" || k.Live == nil {
		t.Errorf("offline alias/app-data: %+v", k)
	}
}

func hasPrincipal(rows []whocan.Row, arn string) bool {
	for _, r := range rows {
		if r.Principal == arn {
			return true
		}
	}
	return false
}

func keyByAlias(t *testing.T, svc tui.Service, alias string) common.Key {
	t.Helper()
	ks, err := svc.Keys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.Alias() == alias {
			return k
		}
	}
	t.Fatalf("no %s", alias)
	return common.Key{}
}
