package keyspec

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"sync"

	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/mlkem/mlkem1024"
	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/kmsim/kmsim/simulator/keyspec/internal/mldsa"
)

// Object identifiers used in PKCS#8 and SubjectPublicKeyInfo encodings.
var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
	oidSM2         = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}
	oidMLDSA44     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 17}
	oidMLDSA65     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 18}
	oidMLDSA87     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 19}
	oidMLKEM512    = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 1}
	oidMLKEM768    = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 2}
	oidMLKEM1024   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 3}
)

type pkcs8 struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}

type ecPrivateKey struct {
	Version       int
	PrivateKey    []byte
	NamedCurveOID asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey     asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

type spki struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

func errMaterial(spec Spec, err error) error {
	return fmt.Errorf("keyspec: invalid %s key material: %w", spec, err)
}

func errUnknownSpec(spec Spec) error { return ValidateSpec(spec) }

// Generate creates new private key material for spec, serialized as
// described in the package documentation.
func Generate(spec Spec) ([]byte, error) {
	switch {
	case spec == SymmetricDefault:
		return randomBytes(32), nil
	case spec.isHMAC():
		return randomBytes(hmacKeySize(spec)), nil
	case spec.isRSA():
		k, err := rsa.GenerateKey(rand.Reader, rsaBits(spec))
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	case spec.isNIST():
		k, err := ecdsa.GenerateKey(nistCurve(spec), rand.Reader)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	case spec == ECCSECGP256K1:
		k, err := secp256k1.GeneratePrivateKey()
		if err != nil {
			return nil, err
		}
		return marshalSecp256k1(k)
	case spec == ECCNISTEdwards25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	case spec == SM2:
		k, err := sm2.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return smx509.MarshalPKCS8PrivateKey(k)
	case spec.isMLDSA():
		return marshalSeed(mldsaOID(spec), randomBytes(32))
	case spec.isMLKEM():
		return marshalSeed(mlkemOID(spec), randomBytes(64))
	}
	return nil, errUnknownSpec(spec)
}

// PublicKey returns the DER SubjectPublicKeyInfo of an asymmetric key, as
// AWS GetPublicKey returns it. Symmetric and HMAC specs yield an
// UnsupportedOperationException.
func PublicKey(spec Spec, material []byte) ([]byte, error) {
	switch {
	case spec == SymmetricDefault, spec.isHMAC():
		return nil, errUnsupported("GetPublicKey", spec)
	case spec.isRSA():
		k, err := rsaKey(spec, material)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKIXPublicKey(&k.PublicKey)
	case spec.isNIST():
		k, err := ecdsaKey(spec, material)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKIXPublicKey(&k.PublicKey)
	case spec == ECCSECGP256K1:
		k, err := secp256k1Key(material)
		if err != nil {
			return nil, err
		}
		return marshalSecp256k1Public(k.PubKey())
	case spec == ECCNISTEdwards25519:
		k, err := ed25519Key(material)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKIXPublicKey(k.Public())
	case spec == SM2:
		k, err := sm2Key(material)
		if err != nil {
			return nil, err
		}
		return smx509.MarshalPKIXPublicKey(&k.PublicKey)
	case spec.isMLDSA():
		k, err := mldsaKey(spec, material)
		if err != nil {
			return nil, err
		}
		return marshalSPKI(mldsaOID(spec), k.PublicKey().Bytes())
	case spec.isMLKEM():
		pk, _, err := mlkemKey(spec, material)
		if err != nil {
			return nil, err
		}
		raw, err := pk.MarshalBinary()
		if err != nil {
			return nil, err
		}
		return marshalSPKI(mlkemOID(spec), raw)
	}
	return nil, errUnknownSpec(spec)
}

// GenerateDataKeyPair creates a key pair for GenerateDataKeyPair: the private
// key as PKCS#8 DER and the public key as DER SubjectPublicKeyInfo. pairSpec
// is one of [DataKeyPairSpecs].
func GenerateDataKeyPair(pairSpec string) (privatePKCS8, publicSPKI []byte, err error) {
	spec := Spec(pairSpec)
	switch {
	case spec.isRSA(), spec.isNIST(), spec == ECCSECGP256K1, spec == SM2, spec == ECCNISTEdwards25519, spec.isMLKEM():
	default:
		return nil, nil, errEnum(pairSpec, "keyPairSpec", DataKeyPairSpecs)
	}
	priv, err := Generate(spec)
	if err != nil {
		return nil, nil, err
	}
	pub, err := PublicKey(spec, priv)
	if err != nil {
		return nil, nil, err
	}
	return priv, pub, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand.Read never fails on supported platforms
	}
	return b
}

func nistCurve(spec Spec) elliptic.Curve {
	switch spec {
	case ECCNISTP256:
		return elliptic.P256()
	case ECCNISTP384:
		return elliptic.P384()
	case ECCNISTP521:
		return elliptic.P521()
	}
	return nil
}

func mldsaOID(spec Spec) asn1.ObjectIdentifier {
	switch spec {
	case MLDSA44:
		return oidMLDSA44
	case MLDSA65:
		return oidMLDSA65
	}
	return oidMLDSA87
}

func mlkemOID(spec Spec) asn1.ObjectIdentifier {
	switch spec {
	case MLKEM512:
		return oidMLKEM512
	case MLKEM768:
		return oidMLKEM768
	}
	return oidMLKEM1024
}

func mlkemScheme(spec Spec) kem.Scheme {
	switch spec {
	case MLKEM512:
		return mlkem512.Scheme()
	case MLKEM768:
		return mlkem768.Scheme()
	}
	return mlkem1024.Scheme()
}

func marshalSPKI(oid asn1.ObjectIdentifier, raw []byte) ([]byte, error) {
	return asn1.Marshal(spki{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oid},
		PublicKey: asn1.BitString{Bytes: raw, BitLength: 8 * len(raw)},
	})
}

// marshalSeed encodes a seed-only ML-DSA / ML-KEM private key:
// OneAsymmetricKey{0, {oid}, OCTET STRING{[0] IMPLICIT OCTET STRING seed}}.
func marshalSeed(oid asn1.ObjectIdentifier, seed []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(seed) })
	inner, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pkcs8{Algo: pkix.AlgorithmIdentifier{Algorithm: oid}, PrivateKey: inner})
}

func parseSeed(oid asn1.ObjectIdentifier, material []byte, size int) ([]byte, error) {
	var p pkcs8
	rest, err := asn1.Unmarshal(material, &p)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 || !p.Algo.Algorithm.Equal(oid) {
		return nil, errors.New("unexpected PKCS#8 algorithm or trailing data")
	}
	s := cryptobyte.String(p.PrivateKey)
	var seed cryptobyte.String
	if !s.ReadASN1(&seed, cbasn1.Tag(0).ContextSpecific()) || !s.Empty() || len(seed) != size {
		return nil, errors.New("private key is not a seed of the expected size")
	}
	return seed, nil
}

func marshalSecp256k1Public(pub *secp256k1.PublicKey) ([]byte, error) {
	params, err := asn1.Marshal(oidSecp256k1)
	if err != nil {
		return nil, err
	}
	raw := pub.SerializeUncompressed()
	return asn1.Marshal(spki{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: params}},
		PublicKey: asn1.BitString{Bytes: raw, BitLength: 8 * len(raw)},
	})
}

func marshalSecp256k1(k *secp256k1.PrivateKey) ([]byte, error) {
	params, err := asn1.Marshal(oidSecp256k1)
	if err != nil {
		return nil, err
	}
	pub := k.PubKey().SerializeUncompressed()
	scalar := k.Key.Bytes()
	inner, err := asn1.Marshal(ecPrivateKey{
		Version:    1,
		PrivateKey: scalar[:],
		PublicKey:  asn1.BitString{Bytes: pub, BitLength: 8 * len(pub)},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pkcs8{
		Algo:       pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: params}},
		PrivateKey: inner,
	})
}

// Parsed private keys are cached by material digest: parsing and validating
// an RSA key or expanding an ML-DSA seed costs far more than most operations.
var parsed struct {
	sync.Mutex
	m map[[32]byte]any
}

const parsedCacheMax = 4096

func cached[T any](spec Spec, material []byte, parse func() (T, error)) (T, error) {
	h := sha256.New()
	h.Write([]byte(spec))
	h.Write([]byte{0})
	h.Write(material)
	var id [32]byte
	h.Sum(id[:0])
	parsed.Lock()
	v, ok := parsed.m[id]
	parsed.Unlock()
	if ok {
		if t, ok := v.(T); ok {
			return t, nil
		}
	}
	t, err := parse()
	if err != nil {
		var zero T
		return zero, errMaterial(spec, err)
	}
	parsed.Lock()
	if parsed.m == nil || len(parsed.m) >= parsedCacheMax {
		parsed.m = make(map[[32]byte]any)
	}
	parsed.m[id] = t
	parsed.Unlock()
	return t, nil
}

func rsaKey(spec Spec, material []byte) (*rsa.PrivateKey, error) {
	return cached(spec, material, func() (*rsa.PrivateKey, error) {
		k, err := x509.ParsePKCS8PrivateKey(material)
		if err != nil {
			return nil, err
		}
		r, ok := k.(*rsa.PrivateKey)
		if !ok || r.N.BitLen() != rsaBits(spec) {
			return nil, errors.New("not an RSA key of the spec's size")
		}
		return r, nil
	})
}

func ecdsaKey(spec Spec, material []byte) (*ecdsa.PrivateKey, error) {
	return cached(spec, material, func() (*ecdsa.PrivateKey, error) {
		k, err := x509.ParsePKCS8PrivateKey(material)
		if err != nil {
			return nil, err
		}
		e, ok := k.(*ecdsa.PrivateKey)
		if !ok || e.Curve != nistCurve(spec) {
			return nil, errors.New("not an EC key on the spec's curve")
		}
		return e, nil
	})
}

func ed25519Key(material []byte) (ed25519.PrivateKey, error) {
	return cached(ECCNISTEdwards25519, material, func() (ed25519.PrivateKey, error) {
		k, err := x509.ParsePKCS8PrivateKey(material)
		if err != nil {
			return nil, err
		}
		e, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, errors.New("not an Ed25519 key")
		}
		return e, nil
	})
}

func secp256k1Key(material []byte) (*secp256k1.PrivateKey, error) {
	return cached(ECCSECGP256K1, material, func() (*secp256k1.PrivateKey, error) { return parseSecp256k1(material) })
}

// parseSecp256k1 reads a PKCS#8 secp256k1 private key (id-ecPublicKey, named curve secp256k1).
func parseSecp256k1(material []byte) (*secp256k1.PrivateKey, error) {
	var p pkcs8
	if rest, err := asn1.Unmarshal(material, &p); err != nil {
		return nil, err
	} else if len(rest) != 0 {
		return nil, errors.New("trailing data")
	}
	var curve asn1.ObjectIdentifier
	if !p.Algo.Algorithm.Equal(oidECPublicKey) {
		return nil, errors.New("not an EC key")
	}
	if _, err := asn1.Unmarshal(p.Algo.Parameters.FullBytes, &curve); err != nil || !curve.Equal(oidSecp256k1) {
		return nil, errors.New("not a secp256k1 key")
	}
	var ec ecPrivateKey
	if _, err := asn1.Unmarshal(p.PrivateKey, &ec); err != nil {
		return nil, err
	}
	if len(ec.PrivateKey) != 32 {
		return nil, errors.New("invalid secp256k1 scalar length")
	}
	var s secp256k1.ModNScalar
	if overflow := s.SetByteSlice(ec.PrivateKey); overflow || s.IsZero() {
		return nil, errors.New("invalid secp256k1 scalar")
	}
	return secp256k1.NewPrivateKey(&s), nil
}

func sm2Key(material []byte) (*sm2.PrivateKey, error) {
	return cached(SM2, material, func() (*sm2.PrivateKey, error) {
		k, err := smx509.ParsePKCS8PrivateKey(material)
		if err != nil {
			return nil, err
		}
		s, ok := k.(*sm2.PrivateKey)
		if !ok {
			return nil, errors.New("not an SM2 key")
		}
		return s, nil
	})
}

func mldsaKey(spec Spec, material []byte) (*mldsa.PrivateKey, error) {
	return cached(spec, material, func() (*mldsa.PrivateKey, error) {
		seed, err := parseSeed(mldsaOID(spec), material, 32)
		if err != nil {
			return nil, err
		}
		switch spec {
		case MLDSA44:
			return mldsa.NewPrivateKey44(seed)
		case MLDSA65:
			return mldsa.NewPrivateKey65(seed)
		}
		return mldsa.NewPrivateKey87(seed)
	})
}

type mlkemPair struct {
	pk kem.PublicKey
	sk kem.PrivateKey
}

func mlkemKey(spec Spec, material []byte) (kem.PublicKey, kem.PrivateKey, error) {
	p, err := cached(spec, material, func() (mlkemPair, error) {
		seed, err := parseSeed(mlkemOID(spec), material, 64)
		if err != nil {
			return mlkemPair{}, err
		}
		pk, sk := mlkemScheme(spec).DeriveKeyPair(seed)
		return mlkemPair{pk, sk}, nil
	})
	return p.pk, p.sk, err
}
