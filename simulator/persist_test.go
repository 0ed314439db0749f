package simulator

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// TestRestartKeepsState: keys, aliases, policies and ciphertexts survive a restart on the same directory.
func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	h := newHarnessIn(t, dir)
	c := h.kms(adminCreds)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("persisted")})
	must(t, err)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/persisted"), TargetKeyId: key.KeyMetadata.KeyId})
	must(t, err)
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/persisted"), Plaintext: []byte("kept")})
	must(t, err)
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(legacyKey)})
	must(t, err)
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(legacyKey)})
	must(t, err)
	h.close()

	h2 := newHarnessIn(t, dir)
	c2 := h2.kms(adminCreds)
	dec, err := c2.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	must(t, err)
	if string(dec.Plaintext) != "kept" {
		t.Fatalf("plaintext %q", dec.Plaintext)
	}
	desc, err := c2.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/persisted")})
	must(t, err)
	if *desc.KeyMetadata.Description != "persisted" {
		t.Fatalf("description %q", *desc.KeyMetadata.Description)
	}
	// The world's legacy key was enabled by a call; the restart does not re-seed it as Disabled.
	desc, err = c2.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(legacyKey)})
	must(t, err)
	if desc.KeyMetadata.KeyState != "Enabled" {
		t.Fatalf("legacy key state %s after restart", desc.KeyMetadata.KeyState)
	}
	if n := len(h2.records()); n < 6 {
		t.Fatalf("%d trail records after restart, want at least 6", n)
	}
}
