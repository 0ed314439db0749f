package simulator

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"hash"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

// Imported asymmetric and HMAC key material: the user's own private key (PKCS#8) or HMAC key,
// imported into an EXTERNAL key, works inside kmsim exactly as it does outside.

// wrapParams gets a wrapping key and token for a key in the client's Region.
func wrapParams(t *testing.T, c *kms.Client, id string, alg types.AlgorithmSpec, spec types.WrappingKeySpec) *kms.GetParametersForImportOutput {
	t.Helper()
	out, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: &id, WrappingAlgorithm: alg, WrappingKeySpec: spec})
	must(t, err)
	return out
}

// wrapAny wraps material under GetParametersForImport's public key: RSA-OAEP, RSA-AES key wrap,
// or SM2PKE (ASN.1 ciphertext) with an SM2 wrapping key.
func wrapAny(t *testing.T, params *kms.GetParametersForImportOutput, alg types.AlgorithmSpec, material []byte) []byte {
	t.Helper()
	if alg != types.AlgorithmSpecSm2pke {
		return wrapForImport(t, params, alg, material)
	}
	pub, err := smx509.ParsePKIXPublicKey(params.PublicKey)
	must(t, err)
	out, err := sm2.EncryptASN1(rand.Reader, pub.(*ecdsa.PublicKey), material)
	must(t, err)
	return out
}

// importInto imports material into an EXTERNAL key with a fresh token and the given wrapping.
func importInto(t *testing.T, c *kms.Client, id string, alg types.AlgorithmSpec, spec types.WrappingKeySpec, material []byte) error {
	t.Helper()
	p := wrapParams(t, c, id, alg, spec)
	_, err := c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken,
		EncryptedKeyMaterial: wrapAny(t, p, alg, material), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	return err
}

// secp256k1PKCS8 encodes a secp256k1 private key as OpenSSL's minimal PKCS#8 does: the curve in
// the algorithm identifier, and an ECPrivateKey without parameters or public key.
func secp256k1PKCS8(t *testing.T, k *secp256k1.PrivateKey) []byte {
	t.Helper()
	curve, err := asn1.Marshal(asn1.ObjectIdentifier{1, 3, 132, 0, 10})
	must(t, err)
	scalar := k.Key.Bytes()
	inner, err := asn1.Marshal(struct {
		Version    int
		PrivateKey []byte
	}{1, scalar[:]})
	must(t, err)
	der, err := asn1.Marshal(struct {
		Version    int
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}{0, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, Parameters: asn1.RawValue{FullBytes: curve}}, inner})
	must(t, err)
	return der
}

// localKey is a private key held outside kmsim: its PKCS#8 encoding and its public key (SPKI).
type localKey struct {
	pkcs8, spki []byte
	private     any
}

func newLocalKey(t *testing.T, spec keyspec.Spec) localKey {
	t.Helper()
	var priv, pub any
	var err error
	switch spec {
	case keyspec.RSA2048, keyspec.RSA3072:
		bits := map[keyspec.Spec]int{keyspec.RSA2048: 2048, keyspec.RSA3072: 3072}[spec]
		k, e := rsa.GenerateKey(rand.Reader, bits)
		priv, pub, err = k, &k.PublicKey, e
	case keyspec.ECCNISTP256, keyspec.ECCNISTP384, keyspec.ECCNISTP521:
		curve := map[keyspec.Spec]elliptic.Curve{keyspec.ECCNISTP256: elliptic.P256(), keyspec.ECCNISTP384: elliptic.P384(), keyspec.ECCNISTP521: elliptic.P521()}[spec]
		k, e := ecdsa.GenerateKey(curve, rand.Reader)
		priv, pub, err = k, &k.PublicKey, e
	case keyspec.ECCSECGP256K1:
		k, e := secp256k1.GeneratePrivateKey()
		must(t, e)
		return localKey{pkcs8: secp256k1PKCS8(t, k), private: k}
	case keyspec.SM2:
		k, e := sm2.GenerateKey(rand.Reader)
		must(t, e)
		der, e := smx509.MarshalPKCS8PrivateKey(k)
		must(t, e)
		spki, e := smx509.MarshalPKIXPublicKey(&k.PublicKey)
		must(t, e)
		return localKey{pkcs8: der, spki: spki, private: k}
	default:
		t.Fatalf("no local key for %s", spec)
	}
	must(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	must(t, err)
	spki, err := x509.MarshalPKIXPublicKey(pub)
	must(t, err)
	return localKey{pkcs8: der, spki: spki, private: priv}
}

// TestImportedAsymmetricInterop imports locally generated private keys into EXTERNAL keys of every
// importable asymmetric spec: GetPublicKey returns the local public key, kmsim's signatures verify
// with it outside, local signatures verify inside, local ciphertexts decrypt inside, and ECDH
// agrees with the local key.
func TestImportedAsymmetricInterop(t *testing.T) {
	h := newHarness(t)
	a := newAsymmetricKeys(h)
	msg := []byte("imported key material")
	cases := []struct {
		spec  keyspec.Spec
		usage types.KeyUsageType
		alg   types.AlgorithmSpec
	}{
		{keyspec.RSA2048, types.KeyUsageTypeSignVerify, types.AlgorithmSpecRsaAesKeyWrapSha256},
		{keyspec.RSA3072, types.KeyUsageTypeEncryptDecrypt, types.AlgorithmSpecRsaAesKeyWrapSha1},
		{keyspec.ECCNISTP256, types.KeyUsageTypeSignVerify, types.AlgorithmSpecRsaesOaepSha256},
		{keyspec.ECCNISTP256, types.KeyUsageTypeKeyAgreement, types.AlgorithmSpecRsaesOaepSha1},
		{keyspec.ECCNISTP384, types.KeyUsageTypeSignVerify, types.AlgorithmSpecRsaAesKeyWrapSha256},
		{keyspec.ECCNISTP521, types.KeyUsageTypeSignVerify, types.AlgorithmSpecRsaAesKeyWrapSha256},
		{keyspec.ECCSECGP256K1, types.KeyUsageTypeSignVerify, types.AlgorithmSpecRsaesOaepSha256},
		{keyspec.SM2, types.KeyUsageTypeSignVerify, types.AlgorithmSpecSm2pke},
		{keyspec.SM2, types.KeyUsageTypeEncryptDecrypt, types.AlgorithmSpecSm2pke},
	}
	for _, tc := range cases {
		t.Run(string(tc.spec)+"/"+string(tc.usage), func(t *testing.T) {
			c := a.client(tc.spec)
			out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: types.KeySpec(tc.spec), KeyUsage: tc.usage})
			must(t, err)
			id := *out.KeyMetadata.KeyId
			local := newLocalKey(t, tc.spec)
			wrapping := types.WrappingKeySpecRsa2048
			if tc.alg == types.AlgorithmSpecSm2pke {
				wrapping = types.WrappingKeySpecSm2
			}
			must(t, importInto(t, c, id, tc.alg, wrapping, local.pkcs8))
			desc, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
			must(t, err)
			if desc.KeyMetadata.KeyState != types.KeyStateEnabled || desc.KeyMetadata.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire || desc.KeyMetadata.CurrentKeyMaterialId != nil {
				t.Fatalf("after import: %s %s current material %v", desc.KeyMetadata.KeyState, desc.KeyMetadata.ExpirationModel, desc.KeyMetadata.CurrentKeyMaterialId)
			}
			pub, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: &id})
			must(t, err)
			if tc.spec == keyspec.ECCSECGP256K1 {
				got, err := secp256k1.ParsePubKey(spkiKey(t, pub.PublicKey))
				must(t, err)
				if !got.IsEqual(local.private.(*secp256k1.PrivateKey).PubKey()) {
					t.Fatal("GetPublicKey is not the imported key's public key")
				}
			} else if !bytes.Equal(pub.PublicKey, local.spki) {
				t.Fatal("GetPublicKey is not the imported key's public key")
			}
			switch tc.usage {
			case types.KeyUsageTypeSignVerify:
				alg := keyspec.SigningAlgorithms(tc.spec)[0]
				sig, err := c.Sign(ctx, &kms.SignInput{KeyId: &id, Message: msg, MessageType: types.MessageTypeRaw, SigningAlgorithm: types.SigningAlgorithmSpec(alg)})
				must(t, err)
				if !verifyOutside(t, tc.spec, alg, pub.PublicKey, msg, msg, sig.Signature) {
					t.Fatal("kmsim's signature does not verify with the local public key")
				}
				ver, err := c.Verify(ctx, &kms.VerifyInput{KeyId: &id, Message: msg, MessageType: types.MessageTypeRaw, SigningAlgorithm: types.SigningAlgorithmSpec(alg),
					Signature: signLocally(t, tc.spec, alg, local.private, msg)})
				must(t, err)
				if !ver.SignatureValid {
					t.Fatal("a local signature does not verify in kmsim")
				}
			case types.KeyUsageTypeEncryptDecrypt:
				alg := keyspec.EncryptionAlgorithms(tc.spec)[len(keyspec.EncryptionAlgorithms(tc.spec))-1]
				var ct []byte
				if tc.spec == keyspec.SM2 {
					ct, err = sm2.EncryptASN1(rand.Reader, &local.private.(*sm2.PrivateKey).PublicKey, msg)
				} else {
					ct, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, &local.private.(*rsa.PrivateKey).PublicKey, msg, nil)
				}
				must(t, err)
				dec, err := c.Decrypt(ctx, &kms.DecryptInput{KeyId: &id, CiphertextBlob: ct, EncryptionAlgorithm: types.EncryptionAlgorithmSpec(alg)})
				must(t, err)
				if !bytes.Equal(dec.Plaintext, msg) || dec.KeyMaterialId != nil {
					t.Fatalf("decrypted %q, key material %v", dec.Plaintext, dec.KeyMaterialId)
				}
				enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: msg, EncryptionAlgorithm: types.EncryptionAlgorithmSpec(alg)})
				must(t, err)
				var pt []byte
				if tc.spec == keyspec.SM2 {
					pt, err = local.private.(*sm2.PrivateKey).Decrypt(nil, enc.CiphertextBlob, sm2.ASN1DecrypterOpts)
				} else {
					pt, err = rsa.DecryptOAEP(sha256.New(), nil, local.private.(*rsa.PrivateKey), enc.CiphertextBlob, nil)
				}
				must(t, err)
				if !bytes.Equal(pt, msg) {
					t.Fatal("the local private key does not decrypt kmsim's ciphertext")
				}
			case types.KeyUsageTypeKeyAgreement:
				peer, err := ecdh.P256().GenerateKey(rand.Reader)
				must(t, err)
				peerDER, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
				must(t, err)
				out, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: &id, KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: peerDER})
				must(t, err)
				mine, err := local.private.(*ecdsa.PrivateKey).ECDH()
				must(t, err)
				want, err := peer.ECDH(mine.PublicKey())
				must(t, err)
				if !bytes.Equal(out.SharedSecret, want) {
					t.Fatal("DeriveSharedSecret differs from the local ECDH result")
				}
			}
			// The key takes its material back after deletion, and no other.
			_, err = c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: &id})
			must(t, err)
			other := newLocalKey(t, tc.spec)
			err = importInto(t, c, id, tc.alg, wrapping, other.pkcs8)
			if msg := wantAPIError[*types.IncorrectKeyMaterialException](t, err); msg != "The key material in the request is different from the key material that was previously imported into this KMS key." {
				t.Fatalf("message %q", msg)
			}
			must(t, importInto(t, c, id, tc.alg, wrapping, local.pkcs8))
			again, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: &id})
			must(t, err)
			if !bytes.Equal(again.PublicKey, pub.PublicKey) {
				t.Fatal("the public key changed on re-import")
			}
		})
	}
}

// signLocally signs msg (RAW) with a locally held private key.
func signLocally(t *testing.T, spec keyspec.Spec, alg string, priv any, msg []byte) []byte {
	t.Helper()
	var sig []byte
	var err error
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		hid, _ := hashFor(alg)
		sig, err = rsa.SignPSS(rand.Reader, k, hid, digest(alg, msg), &rsa.PSSOptions{SaltLength: hid.Size()})
	case *ecdsa.PrivateKey:
		sig, err = ecdsa.SignASN1(rand.Reader, k, digest(alg, msg))
	case *secp256k1.PrivateKey:
		sig = secpecdsa.Sign(k, digest(alg, msg)).Serialize()
	case *sm2.PrivateKey:
		sig, err = sm2.SignASN1(rand.Reader, k, msg, sm2.NewSM2SignerOption(true, []byte("1234567812345678")))
	default:
		t.Fatalf("no local signer for %s", spec)
	}
	must(t, err)
	return sig
}

// TestImportedHMAC imports HMAC keys of every length: kmsim's tags equal the local HMAC, and key
// material of the wrong length is refused.
func TestImportedHMAC(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	for _, spec := range []keyspec.Spec{keyspec.HMAC224, keyspec.HMAC256, keyspec.HMAC384, keyspec.HMAC512} {
		t.Run(string(spec), func(t *testing.T) {
			out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: types.KeySpec(spec), KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
			must(t, err)
			id := *out.KeyMetadata.KeyId
			size := map[keyspec.Spec]int{keyspec.HMAC224: 28, keyspec.HMAC256: 32, keyspec.HMAC384: 48, keyspec.HMAC512: 64}[spec]
			err = importInto(t, c, id, types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048, randomBytes(size+1))
			wantAPIError[*types.IncorrectKeyMaterialException](t, err)
			key := randomBytes(size)
			must(t, importInto(t, c, id, types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048, key))
			alg := keyspec.MacAlgorithms(spec)[0]
			newHash := map[keyspec.Spec]func() hash.Hash{keyspec.HMAC224: sha256.New224, keyspec.HMAC256: sha256.New, keyspec.HMAC384: sha512.New384, keyspec.HMAC512: sha512.New}[spec]
			mac := hmac.New(newHash, key)
			mac.Write([]byte("tag me"))
			want := mac.Sum(nil)
			got, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: &id, Message: []byte("tag me"), MacAlgorithm: types.MacAlgorithmSpec(alg)})
			must(t, err)
			if !bytes.Equal(got.Mac, want) {
				t.Fatal("GenerateMac differs from the local HMAC")
			}
			ok, err := c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: &id, Message: []byte("tag me"), MacAlgorithm: types.MacAlgorithmSpec(alg), Mac: want})
			must(t, err)
			if !ok.MacValid {
				t.Fatal("VerifyMac refuses the local HMAC")
			}
		})
	}
}

// TestImportedMaterialRefused covers private keys that do not fit the KMS key.
func TestImportedMaterialRefused(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	create := func(spec keyspec.Spec, usage types.KeyUsageType) string {
		out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: types.KeySpec(spec), KeyUsage: usage})
		must(t, err)
		return *out.KeyMetadata.KeyId
	}
	p384 := newLocalKey(t, keyspec.ECCNISTP384)
	for name, tc := range map[string]struct {
		id       string
		material []byte
	}{
		"P-384 key into ECC_NIST_P256":   {create(keyspec.ECCNISTP256, types.KeyUsageTypeSignVerify), p384.pkcs8},
		"EC key into RSA_2048":           {create(keyspec.RSA2048, types.KeyUsageTypeSignVerify), p384.pkcs8},
		"RSA_2048 key into RSA_3072":     {create(keyspec.RSA3072, types.KeyUsageTypeSignVerify), newLocalKey(t, keyspec.RSA2048).pkcs8},
		"secp256k1 key into P-256":       {create(keyspec.ECCNISTP256, types.KeyUsageTypeSignVerify), newLocalKey(t, keyspec.ECCSECGP256K1).pkcs8},
		"P-256 key into ECC_SECG_P256K1": {create(keyspec.ECCSECGP256K1, types.KeyUsageTypeSignVerify), newLocalKey(t, keyspec.ECCNISTP256).pkcs8},
		"not DER":                        {create(keyspec.ECCNISTP256, types.KeyUsageTypeSignVerify), randomBytes(100)},
	} {
		t.Run(name, func(t *testing.T) {
			err := importInto(t, c, tc.id, types.AlgorithmSpecRsaAesKeyWrapSha256, types.WrappingKeySpecRsa2048, tc.material)
			if msg := wantAPIError[*types.IncorrectKeyMaterialException](t, err); !strings.HasPrefix(msg, "The key material is not valid for a ") {
				t.Fatalf("message %q", msg)
			}
		})
	}
	// An RSA private key is too large for RSA-OAEP: it needs an RSA_AES_KEY_WRAP algorithm.
	id := create(keyspec.RSA2048, types.KeyUsageTypeSignVerify)
	p := wrapParams(t, c, id, types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa4096)
	if _, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, mustRSA(t, p.PublicKey), newLocalKey(t, keyspec.RSA2048).pkcs8, nil); err == nil {
		t.Fatal("an RSA_2048 private key fits RSA-OAEP under RSA_4096")
	}
	_, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: types.KeySpecMlDsa44, KeyUsage: types.KeyUsageTypeSignVerify})
	wantAPIError[*types.UnsupportedOperationException](t, err)
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken, EncryptedKeyMaterial: randomBytes(600),
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire, ImportType: types.ImportTypeNewKeyMaterial})
	if msg := wantErrorCode(t, err, "ValidationException"); msg != "ImportType, KeyMaterialId and KeyMaterialDescription are supported only for symmetric encryption KMS keys." {
		t.Fatalf("message %q", msg)
	}
}

func mustRSA(t *testing.T, spki []byte) *rsa.PublicKey {
	t.Helper()
	pub, err := x509.ParsePKIXPublicKey(spki)
	must(t, err)
	return pub.(*rsa.PublicKey)
}
