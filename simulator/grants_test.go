package simulator

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

const developerARN = "arn:aws:iam::111122223333:user/developer"

// TestGrantAllowsItsOperations: the developer's IAM policies allow no Encrypt or Decrypt; a
// grant on one key lets it do exactly the granted operations there, within the constraints.
func TestGrantAllowsItsOperations(t *testing.T) {
	h := newHarness(t)
	admin, dev := h.kms(adminCreds), h.kms(developerCreds)
	key, err := admin.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	id := key.KeyMetadata.KeyId
	ec := map[string]string{"app": "billing"}
	_, err = dev.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), EncryptionContext: ec})
	wantErrorCode(t, err, "AccessDeniedException")

	g, err := admin.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(developerARN),
		Operations:  []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationDecrypt},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: ec}, Name: aws.String("billing-app")})
	must(t, err)
	if len(*g.GrantId) != 64 || *g.GrantToken == "" {
		t.Fatalf("grant %q token %q", *g.GrantId, *g.GrantToken)
	}
	enc, err := dev.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), EncryptionContext: map[string]string{"app": "billing", "extra": "ok"}, GrantTokens: []string{*g.GrantToken}})
	must(t, err)
	_, err = dev.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"app": "billing", "extra": "ok"}})
	must(t, err)
	// Outside the constraint, and for an operation the grant lacks, the grant does not apply.
	_, err = dev.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), EncryptionContext: map[string]string{"app": "payroll"}})
	wantErrorCode(t, err, "AccessDeniedException")
	_, err = dev.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})
	wantErrorCode(t, err, "AccessDeniedException")
	// A retry with the same name and parameters returns the same grant.
	again, err := admin.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(developerARN),
		Operations:  []types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationEncrypt},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: ec}, Name: aws.String("billing-app")})
	must(t, err)
	if *again.GrantId != *g.GrantId {
		t.Fatalf("retry created grant %s, first was %s", *again.GrantId, *g.GrantId)
	}
	list, err := admin.ListGrants(ctx, &kms.ListGrantsInput{KeyId: id})
	must(t, err)
	if len(list.Grants) != 1 || *list.Grants[0].GranteePrincipal != developerARN || *list.Grants[0].IssuingAccount != "arn:aws:iam::111122223333:root" {
		t.Fatalf("grants %+v", list.Grants)
	}
	// An explicit deny still wins over a grant.
	_, err = admin.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(explicitDenyKey), GranteePrincipal: aws.String(developerARN),
		Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
	must(t, err)
	blob, err := dev.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(explicitDenyKey), Plaintext: []byte("x")})
	must(t, err)
	_, err = dev.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob.CiphertextBlob})
	if msg := wantErrorCode(t, err, "AccessDeniedException"); !strings.Contains(msg, "explicit deny") {
		t.Fatalf("message %q", msg)
	}
	// Revoked, the grant allows nothing.
	_, err = admin.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: id, GrantId: g.GrantId})
	must(t, err)
	_, err = dev.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), EncryptionContext: ec})
	wantErrorCode(t, err, "AccessDeniedException")
	_, err = admin.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: id, GrantId: g.GrantId})
	wantAPIError[*types.NotFoundException](t, err)
}

func TestGrantValidationAndRetirement(t *testing.T) {
	h := newHarness(t)
	admin := h.kms(adminCreds)
	key, err := admin.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	id := key.KeyMetadata.KeyId
	_, err = admin.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(developerARN), Operations: []types.GrantOperation{types.GrantOperationSign}})
	if msg := wantErrorCode(t, err, "ValidationException"); !strings.Contains(msg, "Sign") {
		t.Fatalf("message %q", msg)
	}
	_, err = admin.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(developerARN), Operations: []types.GrantOperation{"Explode"}})
	wantErrorCode(t, err, "ValidationException")
	auditor := "arn:aws:iam::111122223333:role/SecurityAuditor"
	// Retiring principal: the auditor role's sessions may retire it; the developer, the grantee without RetireGrant, may not.
	g, err := admin.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(developerARN), RetiringPrincipal: aws.String(auditor),
		Operations: []types.GrantOperation{types.GrantOperationDescribeKey}})
	must(t, err)
	retirable, err := admin.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(auditor)})
	must(t, err)
	if len(retirable.Grants) != 1 || *retirable.Grants[0].GrantId != *g.GrantId {
		t.Fatalf("retirable %+v", retirable.Grants)
	}
	_, err = h.kms(developerCreds).RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken})
	wantErrorCode(t, err, "AccessDeniedException")
	_, err = h.kms(h.session("SecurityAuditor")).RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken})
	must(t, err)
	_, err = h.kms(h.session("SecurityAuditor")).RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken})
	wantAPIError[*types.InvalidGrantTokenException](t, err)
	// A grantee whose grant includes RetireGrant may retire it by key and grant id.
	g2, err := admin.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(developerARN),
		Operations: []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationRetireGrant}})
	must(t, err)
	_, err = h.kms(developerCreds).RetireGrant(ctx, &kms.RetireGrantInput{KeyId: key.KeyMetadata.Arn, GrantId: g2.GrantId})
	must(t, err)
	// Unknown grant tokens are refused by every operation that takes them.
	_, err = admin.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), GrantTokens: []string{"not-a-token"}})
	wantAPIError[*types.InvalidGrantTokenException](t, err)
	// RetireGrant's trail record names the grant in additionalEventData, never the token.
	for _, r := range h.records() {
		if r.EventName == "RetireGrant" && r.ErrorCode == "" {
			if r.RequestParameters != nil || r.AdditionalEventData["grantId"] == nil {
				t.Fatalf("RetireGrant record %+v / %+v", r.RequestParameters, r.AdditionalEventData)
			}
		}
	}
}

func TestGrantPagination(t *testing.T) {
	h := newHarness(t)
	admin := h.kms(adminCreds)
	key, err := admin.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	want := map[string]bool{}
	for i := 0; i < 7; i++ {
		g, err := admin.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyMetadata.KeyId, GranteePrincipal: aws.String(developerARN), Operations: []types.GrantOperation{types.GrantOperationEncrypt}})
		must(t, err)
		want[*g.GrantId] = true
	}
	seen := map[string]bool{}
	p := kms.NewListGrantsPaginator(admin, &kms.ListGrantsInput{KeyId: key.KeyMetadata.KeyId, Limit: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		must(t, err)
		for _, g := range page.Grants {
			if seen[*g.GrantId] {
				t.Fatalf("grant %s listed twice", *g.GrantId)
			}
			seen[*g.GrantId] = true
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("listed %d grants, want %d", len(seen), len(want))
	}
}
