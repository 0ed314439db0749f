package root

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestAWSCLIEveryFamily drives one scenario per operation family through the real AWS CLI:
// keys, aliases and tags, symmetric crypto, grants, rotation, signing, MACs, key agreement,
// data key pairs, imported key material, multi-Region keys, custom key stores, STS and key usage.
func TestAWSCLIEveryFamily(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI about 45 times")
	}
	dir := t.TempDir()
	addr, _ := startServer(t, dir)
	cli := awsCLI(t, addr)
	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return "fileb://" + p
	}
	run := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, err := cli(adminID, adminSecret, args...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, stderr)
		}
		res := map[string]any{}
		if out != "" {
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("aws %v: output %q: %v", args, out, err)
			}
		}
		return res
	}
	str := func(m map[string]any, path ...string) string {
		var v any = m
		for _, p := range path {
			v = v.(map[string]any)[p]
		}
		s, _ := v.(string)
		return s
	}
	blob := func(m map[string]any, key string) []byte {
		b, err := base64.StdEncoding.DecodeString(m[key].(string))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	msg := file("msg.txt", []byte("every family"))

	// Keys, aliases, tags, policies.
	key := str(run("kms", "create-key", "--description", "families", "--tags", "TagKey=team,TagValue=red"), "KeyMetadata", "KeyId")
	run("kms", "create-alias", "--alias-name", "alias/families", "--target-key-id", key)
	run("kms", "tag-resource", "--key-id", key, "--tags", "TagKey=env,TagValue=test")
	if tags := run("kms", "list-resource-tags", "--key-id", key)["Tags"].([]any); len(tags) != 2 {
		t.Fatalf("tags %v", tags)
	}
	run("kms", "untag-resource", "--key-id", key, "--tag-keys", "env")
	run("kms", "get-key-policy", "--key-id", key, "--policy-name", "default")
	run("kms", "update-key-description", "--key-id", key, "--description", "renamed")
	// Symmetric cryptography.
	enc := run("kms", "encrypt", "--key-id", "alias/families", "--plaintext", msg, "--encryption-context", "app=families")
	ct := file("ct.bin", blob(enc, "CiphertextBlob"))
	dec := run("kms", "decrypt", "--ciphertext-blob", ct, "--encryption-context", "app=families")
	if string(blob(dec, "Plaintext")) != "every family" {
		t.Fatalf("decrypt %v", dec)
	}
	run("kms", "re-encrypt", "--ciphertext-blob", ct, "--source-encryption-context", "app=families", "--destination-key-id", key)
	run("kms", "generate-data-key", "--key-id", key, "--key-spec", "AES_256")
	run("kms", "generate-random", "--number-of-bytes", "32")
	// Grants.
	grant := run("kms", "create-grant", "--key-id", key, "--grantee-principal", "arn:aws:iam::111122223333:user/developer", "--operations", "Encrypt")
	if out, stderr, err := cli(devID, devSecret, "kms", "encrypt", "--key-id", key, "--plaintext", msg); err != nil {
		t.Fatalf("encrypt under a grant: %v %s %s", err, out, stderr)
	}
	run("kms", "list-grants", "--key-id", key)
	run("kms", "revoke-grant", "--key-id", key, "--grant-id", str(grant, "GrantId"))
	// Rotation.
	run("kms", "enable-key-rotation", "--key-id", key, "--rotation-period-in-days", "90")
	run("kms", "rotate-key-on-demand", "--key-id", key)
	if rots := run("kms", "list-key-rotations", "--key-id", key)["Rotations"].([]any); len(rots) != 1 {
		t.Fatalf("rotations %v", rots)
	}
	run("kms", "get-key-rotation-status", "--key-id", key)
	run("kms", "get-key-last-usage", "--key-id", key)
	// Signing, MACs, key agreement, data key pairs.
	signer := str(run("kms", "create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY"), "KeyMetadata", "KeyId")
	sig := run("kms", "sign", "--key-id", signer, "--message", msg, "--signing-algorithm", "ECDSA_SHA_256")
	if v := run("kms", "verify", "--key-id", signer, "--message", msg, "--signing-algorithm", "ECDSA_SHA_256", "--signature", file("sig.bin", blob(sig, "Signature"))); v["SignatureValid"] != true {
		t.Fatalf("verify %v", v)
	}
	mac := str(run("kms", "create-key", "--key-spec", "HMAC_256", "--key-usage", "GENERATE_VERIFY_MAC"), "KeyMetadata", "KeyId")
	tag := run("kms", "generate-mac", "--key-id", mac, "--message", msg, "--mac-algorithm", "HMAC_SHA_256")
	run("kms", "verify-mac", "--key-id", mac, "--message", msg, "--mac-algorithm", "HMAC_SHA_256", "--mac", file("mac.bin", blob(tag, "Mac")))
	agree := str(run("kms", "create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "KEY_AGREEMENT"), "KeyMetadata", "KeyId")
	peer := run("kms", "get-public-key", "--key-id", signer)
	run("kms", "derive-shared-secret", "--key-id", agree, "--key-agreement-algorithm", "ECDH", "--public-key", file("peer.der", blob(peer, "PublicKey")))
	run("kms", "generate-data-key-pair", "--key-id", key, "--key-pair-spec", "ECC_NIST_P256")
	// Imported key material: wrap 32 bytes with the import public key, as a user would.
	ext := str(run("kms", "create-key", "--origin", "EXTERNAL"), "KeyMetadata", "KeyId")
	params := run("kms", "get-parameters-for-import", "--key-id", ext, "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048")
	pub, err := x509.ParsePKIXPublicKey(blob(params, "PublicKey"))
	if err != nil {
		t.Fatal(err)
	}
	material := make([]byte, 32)
	rand.Read(material)
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), material, nil)
	if err != nil {
		t.Fatal(err)
	}
	run("kms", "import-key-material", "--key-id", ext, "--import-token", file("token.bin", blob(params, "ImportToken")),
		"--encrypted-key-material", file("wrapped.bin", wrapped), "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE")
	run("kms", "encrypt", "--key-id", ext, "--plaintext", msg)
	run("kms", "delete-imported-key-material", "--key-id", ext)
	// Multi-Region keys.
	mrk := str(run("kms", "create-key", "--multi-region"), "KeyMetadata", "KeyId")
	run("kms", "replicate-key", "--key-id", mrk, "--replica-region", "us-west-2")
	run("kms", "update-primary-region", "--key-id", mrk, "--primary-region", "us-west-2")
	// Custom key stores.
	store := str(run("kms", "create-custom-key-store", "--custom-key-store-name", "cli-store", "--cloud-hsm-cluster-id", "cluster-234abcdefgh",
		"--trust-anchor-certificate", "-----BEGIN CERTIFICATE-----", "--key-store-password", "kmsuser-password"), "CustomKeyStoreId")
	run("kms", "connect-custom-key-store", "--custom-key-store-id", store)
	run("kms", "describe-custom-key-stores", "--custom-key-store-id", store)
	run("kms", "disconnect-custom-key-store", "--custom-key-store-id", store)
	run("kms", "delete-custom-key-store", "--custom-key-store-id", store)
	// Lifecycle and listing.
	run("kms", "disable-key", "--key-id", key)
	run("kms", "enable-key", "--key-id", key)
	run("kms", "schedule-key-deletion", "--key-id", key, "--pending-window-in-days", "7")
	run("kms", "cancel-key-deletion", "--key-id", key)
	run("kms", "list-keys")
	run("kms", "list-aliases")
	run("kms", "delete-alias", "--alias-name", "alias/families")
	// STS.
	role := run("sts", "assume-role", "--role-arn", "arn:aws:iam::111122223333:role/SecurityAuditor", "--role-session-name", "cli")
	if str(role, "AssumedRoleUser", "Arn") != "arn:aws:sts::111122223333:assumed-role/SecurityAuditor/cli" {
		t.Fatalf("assume-role %v", role)
	}
	if id := run("sts", "get-caller-identity"); id["Arn"] != "arn:aws:iam::111122223333:user/admin" {
		t.Fatalf("caller %v", id)
	}
}
