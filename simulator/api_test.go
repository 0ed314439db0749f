package simulator

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

var ctx = context.Background()

func TestEncryptDecryptRoundTrip(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("round trip")})
	if err != nil {
		t.Fatal(err)
	}
	md := created.KeyMetadata
	if md.KeyState != types.KeyStateEnabled || md.KeySpec != types.KeySpecSymmetricDefault || md.KeyUsage != types.KeyUsageTypeEncryptDecrypt || !md.Enabled {
		t.Fatalf("new key metadata = %+v", md)
	}
	if want := "arn:aws:kms:us-east-1:111122223333:key/" + *md.KeyId; *md.Arn != want {
		t.Fatalf("arn = %s, want %s", *md.Arn, want)
	}
	ec := map[string]string{"Department": "Engineering"}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("secret data"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if *enc.KeyId != *md.Arn || enc.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
		t.Fatalf("encrypt output = %+v", enc)
	}
	if bytes.Contains(enc.CiphertextBlob, []byte("secret data")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	for _, keyID := range []*string{nil, md.KeyId, md.Arn} {
		dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: keyID})
		if err != nil {
			t.Fatal(err)
		}
		if string(dec.Plaintext) != "secret data" || *dec.KeyId != *md.Arn {
			t.Fatalf("decrypt = %q under %s", dec.Plaintext, *dec.KeyId)
		}
	}
	// The encryption context is bound to the ciphertext.
	for _, bad := range []map[string]string{nil, {"Department": "Sales"}, {"Department": "Engineering", "x": "y"}} {
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: bad})
		wantAPIError[*types.InvalidCiphertextException](t, err)
	}
	// Tampering with any byte fails authentication.
	for _, i := range []int{0, 5, len(enc.CiphertextBlob) / 2, len(enc.CiphertextBlob) - 1} {
		tampered := bytes.Clone(enc.CiphertextBlob)
		tampered[i] ^= 0x01
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: tampered, EncryptionContext: ec})
		if err == nil {
			t.Fatalf("tampered byte %d decrypted", i)
		}
	}
	// Naming another key than the ciphertext's is IncorrectKeyException.
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: aws.String(appDataKey)})
	msg := wantAPIError[*types.IncorrectKeyException](t, err)
	if msg != "The key ID in the request does not identify a CMK that can perform this operation." {
		t.Fatalf("message = %q", msg)
	}
}

func TestKeyIdentifiers(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	arn := "arn:aws:kms:us-east-1:111122223333:key/" + appDataKey
	for _, id := range []string{appDataKey, arn, "alias/app-data", "arn:aws:kms:us-east-1:111122223333:alias/app-data"} {
		out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if *out.KeyMetadata.Arn != arn {
			t.Fatalf("%s resolved to %s", id, *out.KeyMetadata.Arn)
		}
	}
	cases := []struct{ id, msg string }{
		{"fake-key-id", "Invalid keyId 'fake-key-id'"},
		{"11111111-2222-3333-4444-555555555555", "Key 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555' does not exist"},
		{"alias/nope", "Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found."},
		{"arn:aws:kms:eu-west-1:111122223333:key/" + appDataKey, "Invalid arn us-east-1"},
	}
	for _, tc := range cases {
		_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(tc.id)})
		if msg := wantAPIError[*types.NotFoundException](t, err); msg != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.id, msg, tc.msg)
		}
	}
}

func TestValidationErrors(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	cases := []struct {
		name string
		call func() error
		msg  string
	}{
		{"plaintext too long", func() error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(appDataKey), Plaintext: make([]byte, 4097)})
			return err
		}, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"bad key spec", func() error {
			_, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: "HMAC_random"})
			return err
		}, "1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: ["},
		{"usage required", func() error {
			_, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256})
			return err
		}, "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."},
		{"alias prefix", func() error {
			_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("noprefix"), TargetKeyId: aws.String(appDataKey)})
			return err
		}, `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		{"data key size", func() error {
			_, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(appDataKey), NumberOfBytes: aws.Int32(1025)})
			return err
		}, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"},
		{"pending window", func() error {
			_, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(appDataKey), PendingWindowInDays: aws.Int32(3)})
			return err
		}, "PendingWindowInDays value must be between 7 and 30."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := wantErrorCode(t, tc.call(), "ValidationException")
			if !strings.HasPrefix(msg, tc.msg) {
				t.Fatalf("message %q, want prefix %q", msg, tc.msg)
			}
		})
	}
}

func TestAliases(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/new-name"), TargetKeyId: aws.String(appDataKey)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/new-name"), TargetKeyId: aws.String(appDataKey)})
	if msg := wantAPIError[*types.AlreadyExistsException](t, err); msg != "An alias with the name arn:aws:kms:us-east-1:111122223333:alias/new-name already exists" {
		t.Fatalf("message %q", msg)
	}
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: aws.String(appDataKey)})
	wantErrorCode(t, err, "NotAuthorizedException")
	// The new alias works wherever a key id does.
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/new-name"), Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(*enc.KeyId, appDataKey) {
		t.Fatalf("alias encrypted under %s", *enc.KeyId)
	}
	list, err := c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String(appDataKey)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range list.Aliases {
		names = append(names, *a.AliasName)
	}
	if strings.Join(names, ",") != "alias/app-data,alias/new-name" {
		t.Fatalf("aliases of key = %v", names)
	}
	// Pagination walks every alias exactly once.
	var all []string
	p := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Aliases) > 2 {
			t.Fatalf("page of %d", len(page.Aliases))
		}
		for _, a := range page.Aliases {
			all = append(all, *a.AliasName)
		}
	}
	if len(all) != 6 || all[0] != "alias/ams-enforced" || all[5] != "alias/partner-shared" {
		t.Fatalf("paginated aliases = %v", all)
	}
	if _, err := c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/new-name")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/new-name")})
	wantAPIError[*types.NotFoundException](t, err)
}

func TestListKeysPagination(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	var ids []string
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			ids = append(ids, *k.KeyId)
		}
	}
	if len(ids) != len(h.world.Keys) {
		t.Fatalf("listed %d keys, world has %d", len(ids), len(h.world.Keys))
	}
	_, err := c.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("!!not-a-marker")})
	wantAPIError[*types.InvalidMarkerException](t, err)
}

func TestKeyPolicies(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := key.KeyMetadata.KeyId
	got, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id, PolicyName: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(*got.Policy, `"arn:aws:iam::111122223333:root"`) || !strings.Contains(*got.Policy, `"key-default-1"`) {
		t.Fatalf("default policy = %s", *got.Policy)
	}
	names, err := c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(names.PolicyNames) != 1 || names.PolicyNames[0] != "default" {
		t.Fatalf("policy names = %v", names.PolicyNames)
	}
	newPolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"AdminOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/admin"},"Action":"kms:*","Resource":"*"}]}`
	if _, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(newPolicy), PolicyName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Policy != newPolicy {
		t.Fatalf("policy after put = %s", *got.Policy)
	}
	// A policy that would lock the caller out is refused unless the check is bypassed.
	lockout := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/SecurityAuditor"},"Action":"kms:Describe*","Resource":"*"}]}`
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(lockout)})
	if msg := wantAPIError[*types.MalformedPolicyDocumentException](t, err); msg != "The new key policy will not allow you to update the key policy in the future." {
		t.Fatalf("lockout message %q", msg)
	}
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(`{"Version":"2012-10-17","Statement":[`)})
	wantAPIError[*types.MalformedPolicyDocumentException](t, err)
	if _, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, Policy: aws.String(lockout), BypassPolicyLockoutSafetyCheck: true}); err != nil {
		t.Fatal(err)
	}
	// Now even the admin, with AdministratorAccess, cannot use the key: the key policy no longer allows the account.
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	msg := wantErrorCode(t, err, "AccessDeniedException")
	if want := "User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:Encrypt on resource: " + *key.KeyMetadata.Arn + " because no resource-based policy allows the kms:Encrypt action"; msg != want {
		t.Fatalf("message %q\nwant    %q", msg, want)
	}
}

func TestKeyLifecycle(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id, arn := key.KeyMetadata.KeyId, *key.KeyMetadata.Arn
	encrypt := func() error {
		_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
		return err
	}
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	if msg := wantAPIError[*types.DisabledException](t, encrypt()); msg != arn+" is disabled." {
		t.Fatalf("message %q", msg)
	}
	if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	if err := encrypt(); err != nil {
		t.Fatal(err)
	}
	sched, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)})
	if err != nil {
		t.Fatal(err)
	}
	if sched.KeyState != types.KeyStatePendingDeletion || *sched.PendingWindowInDays != 7 || sched.DeletionDate == nil {
		t.Fatalf("schedule output %+v", sched)
	}
	if msg := wantAPIError[*types.KMSInvalidStateException](t, encrypt()); msg != arn+" is pending deletion." {
		t.Fatalf("message %q", msg)
	}
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
	wantAPIError[*types.KMSInvalidStateException](t, err)
	_, err = c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: id, Description: aws.String("x")})
	wantAPIError[*types.KMSInvalidStateException](t, err)
	desc, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if desc.KeyMetadata.DeletionDate == nil || *desc.KeyMetadata.PendingDeletionWindowInDays != 7 {
		t.Fatalf("describe during deletion %+v", desc.KeyMetadata)
	}
	if _, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	desc, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if desc.KeyMetadata.KeyState != types.KeyStateDisabled || desc.KeyMetadata.DeletionDate != nil {
		t.Fatalf("after cancel: %+v", desc.KeyMetadata)
	}
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})
	wantAPIError[*types.KMSInvalidStateException](t, err)
	if _, err := c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: id, Description: aws.String("renamed")}); err != nil {
		t.Fatal(err)
	}
	desc, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if *desc.KeyMetadata.Description != "renamed" {
		t.Fatalf("description %q", *desc.KeyMetadata.Description)
	}
}

func TestDataKeys(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	ec := map[string]string{"app": "billing"}
	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/app-data"), KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if len(dk.Plaintext) != 32 {
		t.Fatalf("data key of %d bytes", len(dk.Plaintext))
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dec.Plaintext, dk.Plaintext) {
		t.Fatal("decrypted data key differs")
	}
	np, err := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: aws.String(appDataKey), NumberOfBytes: aws.Int32(64)})
	if err != nil {
		t.Fatal(err)
	}
	dec, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: np.CiphertextBlob})
	if err != nil {
		t.Fatal(err)
	}
	if len(dec.Plaintext) != 64 {
		t.Fatalf("data key of %d bytes", len(dec.Plaintext))
	}
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(appDataKey)})
	if msg := wantErrorCode(t, err, "ValidationException"); msg != "Please specify either number of bytes or key spec." {
		t.Fatalf("message %q", msg)
	}
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(legacyKey), KeySpec: types.DataKeySpecAes128})
	wantAPIError[*types.DisabledException](t, err)
}
