package keyspec_test

import (
	"testing"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

func TestNegative(t *testing.T) {
	type call func() error
	sign := func(spec keyspec.Spec, alg, mt string, n int) call {
		return func() error {
			_, err := keyspec.Sign(spec, material(t, spec), alg, mt, make([]byte, n))
			return err
		}
	}
	verify := func(spec keyspec.Spec, alg, mt string, n int) call {
		return func() error {
			_, err := keyspec.Verify(spec, material(t, spec), alg, mt, make([]byte, n), []byte{1})
			return err
		}
	}
	encrypt := func(spec keyspec.Spec, alg string, n int) call {
		return func() error {
			_, err := keyspec.Encrypt(spec, material(t, spec), alg, make([]byte, n))
			return err
		}
	}
	decrypt := func(spec keyspec.Spec, alg string) call {
		return func() error {
			_, err := keyspec.Decrypt(spec, material(t, spec), alg, make([]byte, 16))
			return err
		}
	}
	mac := func(spec keyspec.Spec, alg string) call {
		return func() error {
			_, err := keyspec.GenerateMac(spec, material(t, spec), alg, []byte("m"))
			return err
		}
	}
	const (
		validation = "ValidationException"
		usage      = "InvalidKeyUsageException"
		ciphertext = "InvalidCiphertextException"
	)
	cases := []struct {
		name, code, message string
		fn                  call
	}{
		// Plaintext one byte over MaxPlaintext (AWS-recorded messages).
		{"RSA_2048 OAEP_SHA_1 215", validation, "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes.", encrypt("RSA_2048", "RSAES_OAEP_SHA_1", 215)},
		{"RSA_2048 OAEP_SHA_256 191", validation, "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.", encrypt("RSA_2048", "RSAES_OAEP_SHA_256", 191)},
		{"RSA_3072 OAEP_SHA_1 343", validation, "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_3072 cannot encrypt data larger than 342 bytes.", encrypt("RSA_3072", "RSAES_OAEP_SHA_1", 343)},
		{"RSA_3072 OAEP_SHA_256 319", validation, "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_3072 cannot encrypt data larger than 318 bytes.", encrypt("RSA_3072", "RSAES_OAEP_SHA_256", 319)},
		{"RSA_4096 OAEP_SHA_1 471", validation, "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_4096 cannot encrypt data larger than 470 bytes.", encrypt("RSA_4096", "RSAES_OAEP_SHA_1", 471)},
		{"RSA_4096 OAEP_SHA_256 447", validation, "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_4096 cannot encrypt data larger than 446 bytes.", encrypt("RSA_4096", "RSAES_OAEP_SHA_256", 447)},
		{"SM2PKE 1025", validation, "Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes.", encrypt("SM2", "SM2PKE", 1025)},
		// Wrong algorithm for the spec.
		{"HMAC_224 with HMAC_SHA_256", usage, "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.", mac("HMAC_224", "HMAC_SHA_256")},
		{"HMAC_256 with HMAC_SHA_512", usage, "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.", mac("HMAC_256", "HMAC_SHA_512")},
		{"P256 with ECDSA_SHA_384", usage, "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.", sign("ECC_NIST_P256", "ECDSA_SHA_384", "RAW", 8)},
		{"RSA with ECDSA", usage, "Algorithm ECDSA_SHA_256 is incompatible with key spec RSA_2048.", verify("RSA_2048", "ECDSA_SHA_256", "RAW", 8)},
		{"SM2 with OAEP", usage, "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SM2.", encrypt("SM2", "RSAES_OAEP_SHA_256", 8)},
		{"RSA with SM2PKE", usage, "Algorithm SM2PKE is incompatible with key spec RSA_2048.", decrypt("RSA_2048", "SM2PKE")},
		{"ML_DSA with SM2DSA", usage, "Algorithm SM2DSA is incompatible with key spec ML_DSA_65.", sign("ML_DSA_65", "SM2DSA", "RAW", 8)},
		{"HMAC key signing", usage, "Algorithm ECDSA_SHA_256 is incompatible with key spec HMAC_256.", sign("HMAC_256", "ECDSA_SHA_256", "RAW", 8)},
		// Unknown enum values (request validation).
		{"unknown MAC algorithm", validation, "1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]", mac("HMAC_256", "INVALID")},
		{"unknown signing algorithm", validation, "*", sign("ECC_NIST_P256", "ECDSA_SHA_1", "RAW", 8)},
		{"unknown message type", validation, "*", sign("ECC_NIST_P256", "ECDSA_SHA_256", "HASHED", 8)},
		{"unknown encryption algorithm", validation, "*", encrypt("RSA_2048", "RSAES_PKCS1_V1_5", 8)},
		// Bad digest lengths (AWS-recorded messages).
		{"ECDSA_SHA_256 digest 31", validation, "Digest is invalid length for algorithm ECDSA_SHA_256.", sign("ECC_NIST_P256", "ECDSA_SHA_256", "DIGEST", 31)},
		{"ECDSA_SHA_384 digest 32", validation, "Digest is invalid length for algorithm ECDSA_SHA_384.", verify("ECC_NIST_P384", "ECDSA_SHA_384", "DIGEST", 32)},
		{"secp256k1 digest 64", validation, "Digest is invalid length for algorithm ECDSA_SHA_256.", sign("ECC_SECG_P256K1", "ECDSA_SHA_256", "DIGEST", 64)},
		{"ECDSA_SHA_512 digest 66", validation, "Digest is invalid length for algorithm ECDSA_SHA_512.", sign("ECC_NIST_P521", "ECDSA_SHA_512", "DIGEST", 66)},
		{"RSASSA_PSS_SHA_256 digest 0", validation, "Digest is invalid length for algorithm RSASSA_PSS_SHA_256.", sign("RSA_2048", "RSASSA_PSS_SHA_256", "DIGEST", 0)},
		{"RSASSA_PSS_SHA_384 digest 64", validation, "Digest is invalid length for algorithm RSASSA_PSS_SHA_384.", sign("RSA_2048", "RSASSA_PSS_SHA_384", "DIGEST", 64)},
		{"RSASSA_PSS_SHA_512 digest 48", validation, "Digest is invalid length for algorithm RSASSA_PSS_SHA_512.", verify("RSA_2048", "RSASSA_PSS_SHA_512", "DIGEST", 48)},
		{"RSASSA_PKCS1_V1_5_SHA_256 digest 33", validation, "Digest is invalid length for algorithm RSASSA_PKCS1_V1_5_SHA_256.", sign("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_256", "DIGEST", 33)},
		{"RSASSA_PKCS1_V1_5_SHA_512 digest 32", validation, "Digest is invalid length for algorithm RSASSA_PKCS1_V1_5_SHA_512.", sign("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_512", "DIGEST", 32)},
		{"SM2DSA digest 20", validation, "Digest is invalid length for algorithm SM2DSA.", sign("SM2", "SM2DSA", "DIGEST", 20)},
		{"ED25519_PH digest 32", validation, "Digest is invalid length for algorithm ED25519_PH_SHA_512.", sign("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "DIGEST", 32)},
		{"EXTERNAL_MU 32", validation, "Digest is invalid length for algorithm ML_DSA_SHAKE_256.", sign("ML_DSA_44", "ML_DSA_SHAKE_256", "EXTERNAL_MU", 32)},
		// Message types an algorithm does not accept.
		{"ED25519_SHA_512 DIGEST", validation, "MessageType DIGEST is not supported for signing algorithm ED25519_SHA_512.", sign("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "DIGEST", 64)},
		{"ED25519_PH_SHA_512 RAW", validation, "MessageType RAW is not supported for signing algorithm ED25519_PH_SHA_512.", sign("ECC_NIST_EDWARDS25519", "ED25519_PH_SHA_512", "RAW", 64)},
		{"ML_DSA DIGEST", validation, "MessageType DIGEST is not supported for signing algorithm ML_DSA_SHAKE_256.", sign("ML_DSA_87", "ML_DSA_SHAKE_256", "DIGEST", 64)},
		{"ECDSA EXTERNAL_MU", validation, "MessageType EXTERNAL_MU is not supported for signing algorithm ECDSA_SHA_256.", sign("ECC_NIST_P256", "ECDSA_SHA_256", "EXTERNAL_MU", 64)},
		// Undecryptable ciphertext.
		{"RSA garbage ciphertext", ciphertext, "", decrypt("RSA_2048", "RSAES_OAEP_SHA_256")},
		{"SM2 garbage ciphertext", ciphertext, "", decrypt("SM2", "SM2PKE")},
		// Unsupported operations.
		{"symmetric Encrypt", "UnsupportedOperationException", "*", encrypt("SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT", 8)},
		{"unknown spec", validation, "*", func() error {
			_, err := keyspec.Sign("RSA_1024", material(t, "RSA_2048"), "RSASSA_PSS_SHA_256", "RAW", make([]byte, 8))
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, c.fn(), c.code, c.message)
		})
	}
}

// TestNegativeMaterial checks corrupt or foreign material yields a plain
// (internal) error rather than a panic or an AWS-mapped *keyspec.Error.
func TestNegativeMaterial(t *testing.T) {
	for _, spec := range asymmetricSpecs {
		foreign := material(t, "ECC_NIST_P256")
		if spec == "ECC_NIST_P256" {
			foreign = material(t, "SM2")
		}
		for _, bad := range [][]byte{nil, []byte("not DER"), foreign} {
			_, err := keyspec.PublicKey(spec, bad)
			var e *keyspec.Error
			if err == nil || errorsAs(err, &e) {
				t.Errorf("PublicKey(%s, %.8x...) = %v, want a plain error", spec, bad, err)
			}
		}
	}
}
