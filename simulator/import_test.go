package simulator

import (
	"bytes"
	"crypto/aes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"hash"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// wrapForImport wraps material the way an AWS KMS user does, with the public key from
// GetParametersForImport: RSA-OAEP, or RSA-OAEP of a fresh AES key plus AES Key Wrap with Padding.
func wrapForImport(t *testing.T, params *kms.GetParametersForImportOutput, algorithm types.AlgorithmSpec, material []byte) []byte {
	t.Helper()
	pub, err := x509.ParsePKIXPublicKey(params.PublicKey)
	must(t, err)
	rsaPub := pub.(*rsa.PublicKey)
	var h hash.Hash = sha256.New()
	if algorithm == types.AlgorithmSpecRsaesOaepSha1 || algorithm == types.AlgorithmSpecRsaAesKeyWrapSha1 {
		h = sha1.New()
	}
	switch algorithm {
	case types.AlgorithmSpecRsaesOaepSha1, types.AlgorithmSpecRsaesOaepSha256:
		out, err := rsa.EncryptOAEP(h, rand.Reader, rsaPub, material, nil)
		must(t, err)
		return out
	default:
		kek := randomBytes(32)
		head, err := rsa.EncryptOAEP(h, rand.Reader, rsaPub, kek, nil)
		must(t, err)
		return append(head, aesKeyWrapWithPadding(t, kek, material)...)
	}
}

// aesKeyWrapWithPadding is RFC 5649 wrapping, written independently of the server's unwrapping.
func aesKeyWrapWithPadding(t *testing.T, kek, plain []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(kek)
	must(t, err)
	padded := append(bytes.Clone(plain), make([]byte, (8-len(plain)%8)%8)...)
	aiv := make([]byte, 8)
	binary.BigEndian.PutUint32(aiv, 0xA65959A6)
	binary.BigEndian.PutUint32(aiv[4:], uint32(len(plain)))
	n := len(padded) / 8
	if n == 1 {
		out := make([]byte, 16)
		block.Encrypt(out, append(aiv, padded...))
		return out
	}
	a := aiv
	r := bytes.Clone(padded)
	buf := make([]byte, 16)
	for j := 0; j <= 5; j++ {
		for i := 1; i <= n; i++ {
			copy(buf, a)
			copy(buf[8:], r[(i-1)*8:i*8])
			block.Encrypt(buf, buf)
			tt := uint64(n*j + i)
			a = make([]byte, 8)
			binary.BigEndian.PutUint64(a, binary.BigEndian.Uint64(buf[:8])^tt)
			copy(r[(i-1)*8:i*8], buf[8:])
		}
	}
	return append(a, r...)
}

func TestImportedKeyMaterial(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	must(t, err)
	id, arn := key.KeyMetadata.KeyId, *key.KeyMetadata.Arn
	if key.KeyMetadata.KeyState != types.KeyStatePendingImport || key.KeyMetadata.Enabled {
		t.Fatalf("new EXTERNAL key %+v", key.KeyMetadata)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	if msg := wantAPIError[*types.KMSInvalidStateException](t, err); msg != arn+" is pending import." {
		t.Fatalf("message %q", msg)
	}
	material := randomBytes(32)
	params, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: id, WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048})
	must(t, err)
	if params.ParametersValidTo.Sub(h.sim.Now()) < 23*time.Hour {
		t.Fatalf("parameters valid to %v", params.ParametersValidTo)
	}
	wrapped := wrapForImport(t, params, types.AlgorithmSpecRsaesOaepSha256, material)
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: id, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped})
	if msg := wantErrorCode(t, err, "ValidationException"); msg != "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES" {
		t.Fatalf("message %q", msg)
	}
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: id, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped,
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	must(t, err)
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("imported")})
	must(t, err)
	// A token is used once.
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: id, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped,
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	wantAPIError[*types.InvalidImportTokenException](t, err)

	_, err = c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: id})
	must(t, err)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantAPIError[*types.KMSInvalidStateException](t, err)
	// Other material is refused; the same material, wrapped another way, brings the key back.
	params, err = c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: id, WrappingAlgorithm: types.AlgorithmSpecRsaAesKeyWrapSha256, WrappingKeySpec: types.WrappingKeySpecRsa3072})
	must(t, err)
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: id, ImportToken: params.ImportToken,
		EncryptedKeyMaterial: wrapForImport(t, params, types.AlgorithmSpecRsaAesKeyWrapSha256, randomBytes(32)), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	wantAPIError[*types.IncorrectKeyMaterialException](t, err)
	validTo := h.sim.Now().Add(48 * time.Hour)
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: id, ImportToken: params.ImportToken,
		EncryptedKeyMaterial: wrapForImport(t, params, types.AlgorithmSpecRsaAesKeyWrapSha256, material), ValidTo: aws.Time(validTo)})
	must(t, err)
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	must(t, err)
	if string(dec.Plaintext) != "imported" {
		t.Fatalf("plaintext %q", dec.Plaintext)
	}
	desc, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	must(t, err)
	if desc.KeyMetadata.ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires || desc.KeyMetadata.ValidTo == nil {
		t.Fatalf("metadata %+v", desc.KeyMetadata)
	}
	// When ValidTo passes, the material is deleted: the key waits for import again.
	must(t, h.sim.Advance(ctx, 72*time.Hour))
	desc, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	must(t, err)
	if desc.KeyMetadata.KeyState != types.KeyStatePendingImport {
		t.Fatalf("after expiry: %s", desc.KeyMetadata.KeyState)
	}
	events := h.serviceEvents("DeleteExpiredKeyMaterial")
	if len(events) != 1 {
		t.Fatalf("%d DeleteExpiredKeyMaterial events", len(events))
	}
	compareWithExample(t, "DeleteExpiredKeyMaterial", events[0])
	// Import tokens expire after 24 hours.
	params, err = c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: id, WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha1, WrappingKeySpec: types.WrappingKeySpecRsa2048})
	must(t, err)
	must(t, h.sim.Advance(ctx, 25*time.Hour))
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: id, ImportToken: params.ImportToken,
		EncryptedKeyMaterial: wrapForImport(t, params, types.AlgorithmSpecRsaesOaepSha1, material), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	wantAPIError[*types.ExpiredImportTokenException](t, err)
	// Each operation's record has the shape of the guide's example.
	last := map[string]map[string]any{}
	for _, r := range h.records() {
		if prev, ok := last[r.EventName]; r.ErrorCode == "" && (!ok || len(r.RequestParameters) > len(prev["requestParameters"].(map[string]any))) {
			last[r.EventName] = asMap(t, r)
		}
	}
	for _, name := range []string{"GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial"} {
		compareWithExample(t, name, last[name])
	}
	// Keys with AWS-generated material take no imports.
	_, err = c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: aws.String(appDataKey), WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048})
	if msg := wantAPIError[*types.UnsupportedOperationException](t, err); msg != "arn:aws:kms:us-east-1:111122223333:key/"+appDataKey+" origin is AWS_KMS which is not valid for this operation." {
		t.Fatalf("message %q", msg)
	}
}
