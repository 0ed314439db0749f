package keyspec_test

import (
	"bytes"
	"crypto/sha3"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"sync"
	"testing"

	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/mlkem/mlkem1024"
	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"
	"github.com/cloudflare/circl/sign"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

// Key material is generated once per spec per test binary (RSA_4096 alone
// takes seconds).
var materials struct {
	sync.Mutex
	m map[keyspec.Spec][]byte
}

func material(tb testing.TB, spec keyspec.Spec) []byte {
	tb.Helper()
	materials.Lock()
	defer materials.Unlock()
	if m, ok := materials.m[spec]; ok {
		return m
	}
	m, err := keyspec.Generate(spec)
	if err != nil {
		tb.Fatalf("Generate(%s): %v", spec, err)
	}
	if materials.m == nil {
		materials.m = map[keyspec.Spec][]byte{}
	}
	materials.m[spec] = m
	return m
}

func publicKey(tb testing.TB, spec keyspec.Spec) []byte {
	tb.Helper()
	der, err := keyspec.PublicKey(spec, material(tb, spec))
	if err != nil {
		tb.Fatalf("PublicKey(%s): %v", spec, err)
	}
	return der
}

var asymmetricSpecs = []keyspec.Spec{
	keyspec.RSA2048, keyspec.RSA3072, keyspec.RSA4096,
	keyspec.ECCNISTP256, keyspec.ECCNISTP384, keyspec.ECCNISTP521,
	keyspec.ECCSECGP256K1, keyspec.ECCNISTEdwards25519, keyspec.SM2,
	keyspec.MLDSA44, keyspec.MLDSA65, keyspec.MLDSA87,
	keyspec.MLKEM512, keyspec.MLKEM768, keyspec.MLKEM1024,
}

type spkiInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// parseSPKI decodes a SubjectPublicKeyInfo with encoding/asn1 only.
func parseSPKI(tb testing.TB, der []byte) (alg, param asn1.ObjectIdentifier, raw []byte) {
	tb.Helper()
	var s spkiInfo
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil || len(rest) != 0 {
		tb.Fatalf("SPKI does not parse: %v", err)
	}
	if p := s.Algorithm.Parameters; p.Tag == asn1.TagOID && len(p.FullBytes) > 0 {
		if _, err := asn1.Unmarshal(s.Algorithm.Parameters.FullBytes, &param); err != nil {
			tb.Fatalf("SPKI parameters are not an OID: %v", err)
		}
	}
	return s.Algorithm.Algorithm, param, s.PublicKey.RightAlign()
}

type pkcs8Info struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}

// pkcs8Seed extracts the [0] IMPLICIT seed of a seed-only ML-DSA/ML-KEM
// PKCS#8 key, checking the algorithm OID.
func pkcs8Seed(tb testing.TB, der []byte, oid asn1.ObjectIdentifier) []byte {
	tb.Helper()
	var p pkcs8Info
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 {
		tb.Fatalf("PKCS#8 does not parse: %v", err)
	}
	if !p.Algo.Algorithm.Equal(oid) || len(p.Algo.Parameters.FullBytes) != 0 {
		tb.Fatalf("PKCS#8 algorithm %v, want %v without parameters", p.Algo.Algorithm, oid)
	}
	s := cryptobyte.String(p.PrivateKey)
	var seed cryptobyte.String
	if !s.ReadASN1(&seed, cbasn1.Tag(0).ContextSpecific()) || !s.Empty() {
		tb.Fatalf("PKCS#8 privateKey is not a [0] seed: %x", p.PrivateKey)
	}
	return seed
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
	oidSM2         = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}
	pqOIDs         = map[keyspec.Spec]asn1.ObjectIdentifier{
		keyspec.MLDSA44:   {2, 16, 840, 1, 101, 3, 4, 3, 17},
		keyspec.MLDSA65:   {2, 16, 840, 1, 101, 3, 4, 3, 18},
		keyspec.MLDSA87:   {2, 16, 840, 1, 101, 3, 4, 3, 19},
		keyspec.MLKEM512:  {2, 16, 840, 1, 101, 3, 4, 4, 1},
		keyspec.MLKEM768:  {2, 16, 840, 1, 101, 3, 4, 4, 2},
		keyspec.MLKEM1024: {2, 16, 840, 1, 101, 3, 4, 4, 3},
	}
	circlDSA = map[keyspec.Spec]sign.Scheme{
		keyspec.MLDSA44: mldsa44.Scheme(),
		keyspec.MLDSA65: mldsa65.Scheme(),
		keyspec.MLDSA87: mldsa87.Scheme(),
	}
	circlKEM = map[keyspec.Spec]kem.Scheme{
		keyspec.MLKEM512:  mlkem512.Scheme(),
		keyspec.MLKEM768:  mlkem768.Scheme(),
		keyspec.MLKEM1024: mlkem1024.Scheme(),
	}
)

// externalMu computes FIPS 204 μ = SHAKE256(SHAKE256(pk, 64) ‖ 0 ‖ 0 ‖ M, 64)
// for an empty context.
func externalMu(pk, msg []byte) []byte {
	tr := make([]byte, 64)
	h := sha3.NewSHAKE256()
	h.Write(pk)
	h.Read(tr)
	h = sha3.NewSHAKE256()
	h.Write(tr)
	h.Write([]byte{0, 0})
	h.Write(msg)
	mu := make([]byte, 64)
	h.Read(mu)
	return mu
}

// wantError asserts err is a *keyspec.Error with the given code and, unless
// message is "*", the exact message.
func wantError(tb testing.TB, err error, code, message string) {
	tb.Helper()
	var e *keyspec.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error = %v (%T), want *keyspec.Error %s", err, err, code)
	}
	if e.Code != code || (message != "*" && e.Message != message) {
		tb.Fatalf("error = %s %q, want %s %q", e.Code, e.Message, code, message)
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i%len(c)] ^= 0x01
	return c
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
