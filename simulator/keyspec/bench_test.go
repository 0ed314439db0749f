package keyspec_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"testing"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

var benchSign = []struct {
	name string
	spec keyspec.Spec
	alg  string
}{
	{"RSA_2048_PSS", "RSA_2048", "RSASSA_PSS_SHA_256"},
	{"P256", "ECC_NIST_P256", "ECDSA_SHA_256"},
	{"Ed25519", "ECC_NIST_EDWARDS25519", "ED25519_SHA_512"},
	{"ML_DSA_65", "ML_DSA_65", "ML_DSA_SHAKE_256"},
}

var benchMsg = make([]byte, 256)

func BenchmarkSign(b *testing.B) {
	for _, c := range benchSign {
		b.Run(c.name, func(b *testing.B) {
			mat := material(b, c.spec)
			for b.Loop() {
				if _, err := keyspec.Sign(c.spec, mat, c.alg, "RAW", benchMsg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, c := range benchSign {
		b.Run(c.name, func(b *testing.B) {
			mat := material(b, c.spec)
			sig, err := keyspec.Sign(c.spec, mat, c.alg, "RAW", benchMsg)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if ok, err := keyspec.Verify(c.spec, mat, c.alg, "RAW", benchMsg, sig); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

func BenchmarkRSADecrypt(b *testing.B) {
	mat := material(b, "RSA_2048")
	ct, err := keyspec.Encrypt("RSA_2048", mat, "RSAES_OAEP_SHA_256", make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := keyspec.Decrypt("RSA_2048", mat, "RSAES_OAEP_SHA_256", ct); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHMAC(b *testing.B) {
	mat := material(b, "HMAC_256")
	b.SetBytes(int64(len(benchMsg)))
	for b.Loop() {
		if _, err := keyspec.GenerateMac("HMAC_256", mat, "HMAC_SHA_256", benchMsg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkECDH(b *testing.B) {
	mat := material(b, "ECC_NIST_P256")
	peer, _ := ecdh.P256().GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(peer.PublicKey())
	for b.Loop() {
		if _, err := keyspec.DeriveSharedSecret("ECC_NIST_P256", mat, der); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMLKEM(b *testing.B) {
	mat := material(b, "ML_KEM_768")
	b.Run("Encapsulate768", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := keyspec.Encapsulate("ML_KEM_768", mat); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decapsulate768", func(b *testing.B) {
		ct, _, _ := keyspec.Encapsulate("ML_KEM_768", mat)
		for b.Loop() {
			if _, err := keyspec.Decapsulate("ML_KEM_768", mat, ct); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkImportMaterial(b *testing.B) {
	for _, spec := range []keyspec.Spec{"SYMMETRIC_DEFAULT", "HMAC_256", "RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1"} {
		b.Run(string(spec), func(b *testing.B) {
			mat := material(b, spec)
			for b.Loop() {
				if _, err := keyspec.ImportMaterial(spec, mat); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
