package keyspec

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"testing"
)

// TestImportMaterial: generated material of every importable spec is accepted as it is, and
// material that does not fit the spec is an IncorrectKeyMaterialException.
func TestImportMaterial(t *testing.T) {
	for _, spec := range Specs() {
		if !Importable(spec) || spec == RSA4096 && testing.Short() {
			continue
		}
		material, err := Generate(spec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ImportMaterial(spec, material)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if !bytes.Equal(got, material) {
			t.Errorf("%s: imported material is not re-encoded as generated", spec)
		}
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384DER, _ := x509.MarshalPKCS8PrivateKey(p384)
	rsa2048, _ := Generate(RSA2048)
	k1, _ := Generate(ECCSECGP256K1)
	for name, tc := range map[string]struct {
		spec     Spec
		material []byte
	}{
		"short symmetric key":   {SymmetricDefault, make([]byte, 16)},
		"long HMAC key":         {HMAC256, make([]byte, 33)},
		"P-384 key for P-256":   {ECCNISTP256, p384DER},
		"RSA_2048 for RSA_3072": {RSA3072, rsa2048},
		"EC key for RSA":        {RSA2048, p384DER},
		"secp256k1 for SM2":     {SM2, k1},
		"P-384 for secp256k1":   {ECCSECGP256K1, p384DER},
		"garbage":               {ECCNISTP384, []byte("not a key")},
	} {
		_, err := ImportMaterial(tc.spec, tc.material)
		var ke *Error
		if !errors.As(err, &ke) || ke.Code != CodeIncorrectKeyMaterial {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ImportMaterial(ECCNISTEdwards25519, nil); err == nil {
		t.Error("Ed25519 material imported")
	}
}
