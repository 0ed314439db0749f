package simulator

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/kmsim/kmsim/fixtures"
)

// TestSeededGrantsAuthorize starts the cross-account-grant world: its grants exist from the
// start (ListGrants shows them with the world's ids) and authorize calls within their
// encryption-context constraints; the grant to the partner account works only for the partner
// principal whose IAM policy allows the call.
func TestSeededGrantsAuthorize(t *testing.T) {
	w := fixtures.MustLoad("cross-account-grant")
	h := newHarnessWith(t, t.TempDir(), func(c *Config) { c.World = w })
	h.world = w
	ctx := context.Background()
	creds := func(id string) aws.Credentials {
		c, ok := w.FindAccessKey(id)
		if !ok {
			t.Fatalf("no access key %s", id)
		}
		return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	}
	admin, app, analyst, user := h.kms(creds("AKIAGRANTADMINEXMPLE")), h.kms(creds("ASIAGRANTPARTNERAPP1")),
		h.kms(creds("ASIAGRANTANALYST0001")), h.kms(creds("AKIAGRANTPARTNERUSER"))
	keyARN := w.KeyARN(&w.Keys[0])

	list, err := admin.ListGrants(ctx, &kms.ListGrantsInput{KeyId: aws.String(keyARN)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range list.Grants {
		ids = append(ids, aws.ToString(g.GrantId))
	}
	want := []string{w.Keys[0].Grants[0].ID, w.Keys[0].Grants[1].ID}
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("ListGrants ids %v, want %v", ids, want)
	}

	encrypt := func(c *kms.Client, ec map[string]string) ([]byte, error) {
		out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyARN), Plaintext: []byte("secret"), EncryptionContext: ec})
		if err != nil {
			return nil, err
		}
		return out.CiphertextBlob, nil
	}
	decrypt := func(c *kms.Client, blob []byte, ec map[string]string) error {
		_, err := c.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(keyARN), CiphertextBlob: blob, EncryptionContext: ec})
		return err
	}
	billing, reports, other := map[string]string{"app": "billing"}, map[string]string{"app": "reports"}, map[string]string{"app": "other"}
	// PartnerApp's grant allows Encrypt and Decrypt with app=billing, without any IAM policy.
	billingBlob, err := encrypt(app, billing)
	if err != nil {
		t.Fatalf("PartnerApp Encrypt app=billing: %v", err)
	}
	if err := decrypt(app, billingBlob, billing); err != nil {
		t.Fatalf("PartnerApp Decrypt app=billing: %v", err)
	}
	if _, err := encrypt(app, other); err == nil {
		t.Fatal("PartnerApp Encrypt app=other: allowed")
	} else {
		wantErrorCode(t, err, "AccessDeniedException")
	}
	reportsBlob, err := encrypt(admin, reports)
	if err != nil {
		t.Fatal(err)
	}
	// The account grant needs the caller's IAM policy: PartnerAnalyst has it, PartnerApp and
	// partner-user do not; and the encryption context must be exactly app=reports.
	if err := decrypt(analyst, reportsBlob, reports); err != nil {
		t.Fatalf("PartnerAnalyst Decrypt app=reports: %v", err)
	}
	for name, c := range map[string]*kms.Client{"PartnerApp": app, "partner-user": user} {
		if err := decrypt(c, reportsBlob, reports); err == nil {
			t.Errorf("%s Decrypt app=reports: allowed", name)
		} else {
			wantErrorCode(t, err, "AccessDeniedException")
		}
	}
	if err := decrypt(analyst, billingBlob, billing); err == nil {
		t.Error("PartnerAnalyst Decrypt app=billing: allowed")
	}
}
