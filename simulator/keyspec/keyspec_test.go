package keyspec_test

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"hash"
	"math/big"
	"slices"
	"testing"

	"github.com/cloudflare/circl/pki"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

func TestCapabilities(t *testing.T) {
	rsaSign := []string{"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
		"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"}
	rsaEnc := []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
	type caps struct {
		usages, enc, sign, mac, agree, encap []string
	}
	cases := map[keyspec.Spec]caps{
		"SYMMETRIC_DEFAULT":     {usages: []string{"ENCRYPT_DECRYPT"}, enc: []string{"SYMMETRIC_DEFAULT"}},
		"RSA_2048":              {usages: []string{"ENCRYPT_DECRYPT", "SIGN_VERIFY"}, enc: rsaEnc, sign: rsaSign},
		"RSA_3072":              {usages: []string{"ENCRYPT_DECRYPT", "SIGN_VERIFY"}, enc: rsaEnc, sign: rsaSign},
		"RSA_4096":              {usages: []string{"ENCRYPT_DECRYPT", "SIGN_VERIFY"}, enc: rsaEnc, sign: rsaSign},
		"ECC_NIST_P256":         {usages: []string{"SIGN_VERIFY", "KEY_AGREEMENT"}, sign: []string{"ECDSA_SHA_256"}, agree: []string{"ECDH"}},
		"ECC_NIST_P384":         {usages: []string{"SIGN_VERIFY", "KEY_AGREEMENT"}, sign: []string{"ECDSA_SHA_384"}, agree: []string{"ECDH"}},
		"ECC_NIST_P521":         {usages: []string{"SIGN_VERIFY", "KEY_AGREEMENT"}, sign: []string{"ECDSA_SHA_512"}, agree: []string{"ECDH"}},
		"ECC_SECG_P256K1":       {usages: []string{"SIGN_VERIFY"}, sign: []string{"ECDSA_SHA_256"}},
		"ECC_NIST_EDWARDS25519": {usages: []string{"SIGN_VERIFY"}, sign: []string{"ED25519_SHA_512", "ED25519_PH_SHA_512"}},
		"HMAC_224":              {usages: []string{"GENERATE_VERIFY_MAC"}, mac: []string{"HMAC_SHA_224"}},
		"HMAC_256":              {usages: []string{"GENERATE_VERIFY_MAC"}, mac: []string{"HMAC_SHA_256"}},
		"HMAC_384":              {usages: []string{"GENERATE_VERIFY_MAC"}, mac: []string{"HMAC_SHA_384"}},
		"HMAC_512":              {usages: []string{"GENERATE_VERIFY_MAC"}, mac: []string{"HMAC_SHA_512"}},
		"SM2":                   {usages: []string{"ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"}, enc: []string{"SM2PKE"}, sign: []string{"SM2DSA"}, agree: []string{"ECDH"}},
		"ML_DSA_44":             {usages: []string{"SIGN_VERIFY"}, sign: []string{"ML_DSA_SHAKE_256"}},
		"ML_DSA_65":             {usages: []string{"SIGN_VERIFY"}, sign: []string{"ML_DSA_SHAKE_256"}},
		"ML_DSA_87":             {usages: []string{"SIGN_VERIFY"}, sign: []string{"ML_DSA_SHAKE_256"}},
		"ML_KEM_512":            {usages: []string{"ENCAPSULATE_DECAPSULATE"}, encap: []string{"ML_KEM"}},
		"ML_KEM_768":            {usages: []string{"ENCAPSULATE_DECAPSULATE"}, encap: []string{"ML_KEM"}},
		"ML_KEM_1024":           {usages: []string{"ENCAPSULATE_DECAPSULATE"}, encap: []string{"ML_KEM"}},
	}
	if got := keyspec.Specs(); len(got) != len(cases) {
		t.Fatalf("Specs() has %d specs, want %d", len(got), len(cases))
	}
	for spec, want := range cases {
		check := func(name string, got, want []string) {
			if !slices.Equal(got, want) {
				t.Errorf("%s(%s) = %v, want %v", name, spec, got, want)
			}
		}
		check("Usages", keyspec.Usages(spec), want.usages)
		check("EncryptionAlgorithms", keyspec.EncryptionAlgorithms(spec), want.enc)
		check("SigningAlgorithms", keyspec.SigningAlgorithms(spec), want.sign)
		check("MacAlgorithms", keyspec.MacAlgorithms(spec), want.mac)
		check("KeyAgreementAlgorithms", keyspec.KeyAgreementAlgorithms(spec), want.agree)
		check("EncapsulationAlgorithms", keyspec.EncapsulationAlgorithms(spec), want.encap)
	}
	if keyspec.Usages("RSA_1024") != nil {
		t.Error("Usages of an unknown spec should be nil")
	}
}

func TestMaxPlaintextAndDigestLength(t *testing.T) {
	for _, c := range []struct {
		spec keyspec.Spec
		alg  string
		want int
	}{
		{"RSA_2048", "RSAES_OAEP_SHA_1", 214}, {"RSA_2048", "RSAES_OAEP_SHA_256", 190},
		{"RSA_3072", "RSAES_OAEP_SHA_1", 342}, {"RSA_3072", "RSAES_OAEP_SHA_256", 318},
		{"RSA_4096", "RSAES_OAEP_SHA_1", 470}, {"RSA_4096", "RSAES_OAEP_SHA_256", 446},
		{"SM2", "SM2PKE", 1024}, {"SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT", 4096},
		{"RSA_2048", "SM2PKE", 0}, {"ECC_NIST_P256", "RSAES_OAEP_SHA_1", 0},
	} {
		if got := keyspec.MaxPlaintext(c.spec, c.alg); got != c.want {
			t.Errorf("MaxPlaintext(%s, %s) = %d, want %d", c.spec, c.alg, got, c.want)
		}
	}
	for alg, want := range map[string]int{
		"RSASSA_PSS_SHA_256": 32, "RSASSA_PSS_SHA_384": 48, "RSASSA_PSS_SHA_512": 64,
		"RSASSA_PKCS1_V1_5_SHA_256": 32, "RSASSA_PKCS1_V1_5_SHA_384": 48, "RSASSA_PKCS1_V1_5_SHA_512": 64,
		"ECDSA_SHA_256": 32, "ECDSA_SHA_384": 48, "ECDSA_SHA_512": 64,
		"ED25519_SHA_512": 0, "ED25519_PH_SHA_512": 64, "SM2DSA": 32, "ML_DSA_SHAKE_256": 64, "BOGUS": 0,
	} {
		if got := keyspec.DigestLength(alg); got != want {
			t.Errorf("DigestLength(%s) = %d, want %d", alg, got, want)
		}
	}
}

// TestPublicKeyFormats parses every asymmetric spec's public key with a
// library other than this package and checks the material format.
func TestPublicKeyFormats(t *testing.T) {
	for _, spec := range asymmetricSpecs {
		t.Run(string(spec), func(t *testing.T) {
			der := publicKey(t, spec)
			mat := material(t, spec)
			alg, param, raw := parseSPKI(t, der)
			switch spec {
			case "RSA_2048", "RSA_3072", "RSA_4096":
				pub, err := x509.ParsePKIXPublicKey(der)
				if err != nil {
					t.Fatal(err)
				}
				want := map[keyspec.Spec]int{"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}[spec]
				if pub.(*rsa.PublicKey).N.BitLen() != want || pub.(*rsa.PublicKey).E != 65537 {
					t.Fatalf("RSA key size %d", pub.(*rsa.PublicKey).N.BitLen())
				}
				priv, err := x509.ParsePKCS8PrivateKey(mat)
				if err != nil || !priv.(*rsa.PrivateKey).PublicKey.Equal(pub) {
					t.Fatalf("PKCS#8 material: %v", err)
				}
			case "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521":
				pub, err := x509.ParsePKIXPublicKey(der)
				if err != nil {
					t.Fatal(err)
				}
				want := map[keyspec.Spec]elliptic.Curve{"ECC_NIST_P256": elliptic.P256(), "ECC_NIST_P384": elliptic.P384(), "ECC_NIST_P521": elliptic.P521()}[spec]
				if pub.(*ecdsa.PublicKey).Curve != want {
					t.Fatal("wrong curve")
				}
				priv, err := x509.ParsePKCS8PrivateKey(mat)
				if err != nil || !priv.(*ecdsa.PrivateKey).PublicKey.Equal(pub) {
					t.Fatalf("PKCS#8 material: %v", err)
				}
			case "ECC_NIST_EDWARDS25519":
				pub, err := x509.ParsePKIXPublicKey(der)
				if err != nil {
					t.Fatal(err)
				}
				priv, err := x509.ParsePKCS8PrivateKey(mat)
				if err != nil || !priv.(ed25519.PrivateKey).Public().(ed25519.PublicKey).Equal(pub) {
					t.Fatalf("PKCS#8 material: %v", err)
				}
			case "ECC_SECG_P256K1":
				if !alg.Equal(oidECPublicKey) || !param.Equal(oidSecp256k1) {
					t.Fatalf("SPKI algorithm %v %v", alg, param)
				}
				pub, err := secp256k1.ParsePubKey(raw)
				if err != nil || len(raw) != 65 {
					t.Fatalf("secp256k1 point: %v", err)
				}
				var p pkcs8Info
				if _, err := asn1.Unmarshal(mat, &p); err != nil || !p.Algo.Algorithm.Equal(oidECPublicKey) {
					t.Fatalf("PKCS#8 material: %v", err)
				}
				var ec struct {
					Version    int
					PrivateKey []byte
					Public     asn1.BitString `asn1:"optional,explicit,tag:1"`
				}
				if _, err := asn1.Unmarshal(p.PrivateKey, &ec); err != nil || ec.Version != 1 {
					t.Fatalf("ECPrivateKey: %v", err)
				}
				if !secp256k1.PrivKeyFromBytes(ec.PrivateKey).PubKey().IsEqual(pub) || !bytes.Equal(ec.Public.Bytes, raw) {
					t.Fatal("secp256k1 private and public keys do not match")
				}
			case "SM2":
				if !alg.Equal(oidECPublicKey) || !param.Equal(oidSM2) {
					t.Fatalf("SPKI algorithm %v %v", alg, param)
				}
				pub, err := smx509.ParsePKIXPublicKey(der)
				if err != nil || !sm2.IsSM2PublicKey(pub) {
					t.Fatalf("SM2 public key: %v", err)
				}
				priv, err := smx509.ParsePKCS8PrivateKey(mat)
				if err != nil || !priv.(*sm2.PrivateKey).PublicKey.Equal(pub) {
					t.Fatalf("PKCS#8 material: %v", err)
				}
			case "ML_DSA_44", "ML_DSA_65", "ML_DSA_87":
				if !alg.Equal(pqOIDs[spec]) || param != nil {
					t.Fatalf("SPKI algorithm %v %v", alg, param)
				}
				pub, err := pki.UnmarshalPKIXPublicKey(der)
				if err != nil || pub.Scheme().Name() != circlDSA[spec].Name() {
					t.Fatalf("circl PKIX: %v", err)
				}
				priv, err := pki.UnmarshalPKIXPrivateKey(mat)
				if err != nil || !priv.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
					t.Fatalf("circl PKCS#8 material: %v", err)
				}
				if len(pkcs8Seed(t, mat, pqOIDs[spec])) != 32 {
					t.Fatal("seed length")
				}
			case "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024":
				if !alg.Equal(pqOIDs[spec]) || param != nil {
					t.Fatalf("SPKI algorithm %v %v", alg, param)
				}
				seed := pkcs8Seed(t, mat, pqOIDs[spec])
				pk, _ := circlKEM[spec].DeriveKeyPair(seed)
				want, _ := pk.MarshalBinary()
				if !bytes.Equal(raw, want) {
					t.Fatal("public key does not match circl's derivation from the seed")
				}
				switch spec {
				case "ML_KEM_768":
					dk, err := mlkem.NewDecapsulationKey768(seed)
					if err != nil || !bytes.Equal(dk.EncapsulationKey().Bytes(), raw) {
						t.Fatalf("crypto/mlkem disagrees: %v", err)
					}
				case "ML_KEM_1024":
					dk, err := mlkem.NewDecapsulationKey1024(seed)
					if err != nil || !bytes.Equal(dk.EncapsulationKey().Bytes(), raw) {
						t.Fatalf("crypto/mlkem disagrees: %v", err)
					}
				}
			}
		})
	}
}

func TestSymmetricMaterial(t *testing.T) {
	for spec, n := range map[keyspec.Spec]int{"SYMMETRIC_DEFAULT": 32, "HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64} {
		m := material(t, spec)
		if len(m) != n {
			t.Errorf("%s material is %d bytes, want %d", spec, len(m), n)
		}
		_, err := keyspec.PublicKey(spec, m)
		wantError(t, err, "UnsupportedOperationException", "*")
	}
	_, err := keyspec.Generate("HMAC_random")
	wantError(t, err, "ValidationException", "*")
}

type signCase struct {
	spec        keyspec.Spec
	alg         string
	messageType string
}

func signCases() []signCase {
	var cs []signCase
	for _, spec := range asymmetricSpecs {
		for _, alg := range keyspec.SigningAlgorithms(spec) {
			switch alg {
			case "ED25519_SHA_512":
				cs = append(cs, signCase{spec, alg, "RAW"})
			case "ED25519_PH_SHA_512":
				cs = append(cs, signCase{spec, alg, "DIGEST"})
			case "ML_DSA_SHAKE_256":
				cs = append(cs, signCase{spec, alg, "RAW"}, signCase{spec, alg, "EXTERNAL_MU"})
			default:
				cs = append(cs, signCase{spec, alg, "RAW"}, signCase{spec, alg, "DIGEST"})
			}
		}
	}
	return cs
}

func hashFor(alg string) (crypto.Hash, func() hash.Hash) {
	switch alg[len(alg)-3:] {
	case "256":
		return crypto.SHA256, sha256.New
	case "384":
		return crypto.SHA384, sha512.New384
	}
	return crypto.SHA512, sha512.New
}

func sm2Digest(t *testing.T, pub *ecdsa.PublicKey, msg []byte) []byte {
	za, err := sm2.CalculateZA(pub, []byte("1234567812345678"))
	if err != nil {
		t.Fatal(err)
	}
	h := sm3.New()
	h.Write(za)
	h.Write(msg)
	return h.Sum(nil)
}

// TestSignVerifiedExternally signs with the package and verifies with the
// standard library, decred, gmsm or circl on the parsed public key.
func TestSignVerifiedExternally(t *testing.T) {
	msg := []byte("kmsim keyspec signing test message")
	for _, c := range signCases() {
		t.Run(fmt.Sprintf("%s/%s/%s", c.spec, c.alg, c.messageType), func(t *testing.T) {
			mat := material(t, c.spec)
			der := publicKey(t, c.spec)
			input := msg
			var digest []byte // what the external verifier checks against
			switch {
			case c.messageType == "DIGEST" && c.spec == "SM2":
				pub, _ := smx509.ParsePKIXPublicKey(der)
				input = sm2Digest(t, pub.(*ecdsa.PublicKey), msg)
			case c.messageType == "DIGEST":
				_, h := hashFor(c.alg)
				hh := h()
				hh.Write(msg)
				input = hh.Sum(nil)
			case c.messageType == "EXTERNAL_MU":
				_, _, raw := parseSPKI(t, der)
				input = externalMu(raw, msg)
			}
			sig, err := keyspec.Sign(c.spec, mat, c.alg, c.messageType, input)
			if err != nil {
				t.Fatal(err)
			}
			var ok bool
			switch c.spec {
			case "RSA_2048", "RSA_3072", "RSA_4096":
				pub, _ := x509.ParsePKIXPublicKey(der)
				hid, h := hashFor(c.alg)
				hh := h()
				hh.Write(msg)
				digest = hh.Sum(nil)
				if c.alg[:10] == "RSASSA_PSS" {
					ok = rsa.VerifyPSS(pub.(*rsa.PublicKey), hid, digest, sig, &rsa.PSSOptions{SaltLength: hid.Size()}) == nil
				} else {
					ok = rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), hid, digest, sig) == nil
				}
			case "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521":
				pub, _ := x509.ParsePKIXPublicKey(der)
				_, h := hashFor(c.alg)
				hh := h()
				hh.Write(msg)
				ok = ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), hh.Sum(nil), sig)
			case "ECC_SECG_P256K1":
				_, _, raw := parseSPKI(t, der)
				pub, err := secp256k1.ParsePubKey(raw)
				if err != nil {
					t.Fatal(err)
				}
				s, err := secpecdsa.ParseDERSignature(sig)
				if err != nil {
					t.Fatalf("signature is not DER: %v", err)
				}
				d := sha256.Sum256(msg)
				ok = s.Verify(d[:], pub)
				// Cross-check with a from-scratch ECDSA verification over math/big.
				ok = ok && verifySecp256k1BigInt(t, pub, d[:], sig)
			case "ECC_NIST_EDWARDS25519":
				pub, _ := x509.ParsePKIXPublicKey(der)
				if c.alg == "ED25519_SHA_512" {
					ok = ed25519.Verify(pub.(ed25519.PublicKey), msg, sig)
				} else {
					// KMS prehashes the submitted digest again (Ed25519ph).
					ph := sha512.Sum512(input)
					ok = ed25519.VerifyWithOptions(pub.(ed25519.PublicKey), ph[:], sig, &ed25519.Options{Hash: crypto.SHA512}) == nil
				}
			case "SM2":
				pub, _ := smx509.ParsePKIXPublicKey(der)
				ok = sm2.VerifyASN1WithSM2(pub.(*ecdsa.PublicKey), []byte("1234567812345678"), msg, sig)
			case "ML_DSA_44", "ML_DSA_65", "ML_DSA_87":
				pub, err := pki.UnmarshalPKIXPublicKey(der)
				if err != nil {
					t.Fatal(err)
				}
				if len(sig) != circlDSA[c.spec].SignatureSize() {
					t.Fatalf("signature size %d", len(sig))
				}
				ok = circlDSA[c.spec].Verify(pub, msg, sig, nil)
			default:
				t.Fatalf("no external verifier for %s", c.spec)
			}
			if !ok {
				t.Fatal("external verification failed")
			}
			// The package's own Verify agrees, and rejects tampering.
			if ok, err := keyspec.Verify(c.spec, mat, c.alg, c.messageType, input, sig); err != nil || !ok {
				t.Fatalf("Verify = %v, %v", ok, err)
			}
			for _, i := range []int{0, len(sig) / 2, len(sig) - 1} {
				if ok, err := keyspec.Verify(c.spec, mat, c.alg, c.messageType, input, flip(sig, i)); err != nil || ok {
					t.Fatalf("tampered signature byte %d: Verify = %v, %v", i, ok, err)
				}
			}
			if ok, err := keyspec.Verify(c.spec, mat, c.alg, c.messageType, flip(input, 3), sig); err != nil || ok {
				t.Fatalf("tampered message: Verify = %v, %v", ok, err)
			}
		})
	}
}

// verifySecp256k1BigInt verifies an ECDSA signature with textbook math/big
// arithmetic on secp256k1 (y² = x³ + 7).
func verifySecp256k1BigInt(t *testing.T, pub *secp256k1.PublicKey, digest, der []byte) bool {
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		t.Fatal(err)
	}
	p, _ := new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", 16)
	n, _ := new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)
	gx, _ := new(big.Int).SetString("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798", 16)
	gy, _ := new(big.Int).SetString("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8", 16)
	type pt struct{ x, y *big.Int } // nil x = infinity
	add := func(a, b pt) pt {
		if a.x == nil {
			return b
		}
		if b.x == nil {
			return a
		}
		var l *big.Int
		if a.x.Cmp(b.x) == 0 {
			if new(big.Int).Mod(new(big.Int).Add(a.y, b.y), p).Sign() == 0 {
				return pt{}
			}
			num := new(big.Int).Mul(big.NewInt(3), new(big.Int).Mul(a.x, a.x))
			den := new(big.Int).ModInverse(new(big.Int).Mul(big.NewInt(2), a.y), p)
			l = new(big.Int).Mod(num.Mul(num, den), p)
		} else {
			num := new(big.Int).Sub(b.y, a.y)
			den := new(big.Int).ModInverse(new(big.Int).Mod(new(big.Int).Sub(b.x, a.x), p), p)
			l = new(big.Int).Mod(num.Mul(num, den), p)
		}
		x := new(big.Int).Mod(new(big.Int).Sub(new(big.Int).Sub(new(big.Int).Mul(l, l), a.x), b.x), p)
		y := new(big.Int).Mod(new(big.Int).Sub(new(big.Int).Mul(l, new(big.Int).Sub(a.x, x)), a.y), p)
		return pt{x, y}
	}
	mul := func(k *big.Int, a pt) pt {
		r := pt{}
		for i := k.BitLen() - 1; i >= 0; i-- {
			r = add(r, r)
			if k.Bit(i) == 1 {
				r = add(r, a)
			}
		}
		return r
	}
	if rs.R.Sign() <= 0 || rs.S.Sign() <= 0 || rs.R.Cmp(n) >= 0 || rs.S.Cmp(n) >= 0 {
		return false
	}
	e := new(big.Int).SetBytes(digest)
	w := new(big.Int).ModInverse(rs.S, n)
	u1 := new(big.Int).Mod(new(big.Int).Mul(e, w), n)
	u2 := new(big.Int).Mod(new(big.Int).Mul(rs.R, w), n)
	q := pt{new(big.Int).SetBytes(pub.X().Bytes()), new(big.Int).SetBytes(pub.Y().Bytes())}
	r := add(mul(u1, pt{gx, gy}), mul(u2, q))
	return r.x != nil && new(big.Int).Mod(r.x, n).Cmp(rs.R) == 0
}

// TestVerifyExternalSignatures checks the package's Verify accepts
// signatures produced by other implementations.
func TestVerifyExternalSignatures(t *testing.T) {
	msg := []byte("signed elsewhere")
	for _, spec := range []keyspec.Spec{"RSA_2048", "ECC_NIST_P384", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87"} {
		t.Run(string(spec), func(t *testing.T) {
			mat := material(t, spec)
			alg := keyspec.SigningAlgorithms(spec)[0]
			var sig []byte
			switch spec {
			case "RSA_2048":
				k, _ := x509.ParsePKCS8PrivateKey(mat)
				d := sha256.Sum256(msg)
				sig, _ = rsa.SignPSS(rand.Reader, k.(*rsa.PrivateKey), crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: 32})
			case "ECC_NIST_P384":
				k, _ := x509.ParsePKCS8PrivateKey(mat)
				d := sha512.Sum384(msg)
				sig, _ = ecdsa.SignASN1(rand.Reader, k.(*ecdsa.PrivateKey), d[:])
			case "ECC_SECG_P256K1":
				_, _, raw := parseSPKI(t, publicKey(t, spec))
				_ = raw
				var p pkcs8Info
				asn1.Unmarshal(mat, &p)
				var ec struct {
					Version    int
					PrivateKey []byte
				}
				asn1.Unmarshal(p.PrivateKey, &ec)
				d := sha256.Sum256(msg)
				sig = secpecdsa.Sign(secp256k1.PrivKeyFromBytes(ec.PrivateKey), d[:]).Serialize()
			case "ECC_NIST_EDWARDS25519":
				k, _ := x509.ParsePKCS8PrivateKey(mat)
				sig = ed25519.Sign(k.(ed25519.PrivateKey), msg)
			case "SM2":
				k, _ := smx509.ParsePKCS8PrivateKey(mat)
				sig, _ = k.(*sm2.PrivateKey).SignWithSM2(rand.Reader, nil, msg)
			default:
				k, err := pki.UnmarshalPKIXPrivateKey(mat)
				if err != nil {
					t.Fatal(err)
				}
				sig = circlDSA[spec].Sign(k, msg, nil)
			}
			ok, err := keyspec.Verify(spec, mat, alg, "RAW", msg, sig)
			if err != nil || !ok {
				t.Fatalf("Verify = %v, %v", ok, err)
			}
		})
	}
	// ML-DSA EXTERNAL_MU verification of a pure ML-DSA signature made by circl.
	for spec, signTo := range map[keyspec.Spec]func(sk any, msg []byte) []byte{
		"ML_DSA_44": func(sk any, m []byte) []byte {
			s := make([]byte, mldsa44.SignatureSize)
			mldsa44.SignTo(sk.(*mldsa44.PrivateKey), m, nil, true, s)
			return s
		},
		"ML_DSA_65": func(sk any, m []byte) []byte {
			s := make([]byte, mldsa65.SignatureSize)
			mldsa65.SignTo(sk.(*mldsa65.PrivateKey), m, nil, true, s)
			return s
		},
		"ML_DSA_87": func(sk any, m []byte) []byte {
			s := make([]byte, mldsa87.SignatureSize)
			mldsa87.SignTo(sk.(*mldsa87.PrivateKey), m, nil, true, s)
			return s
		},
	} {
		mat := material(t, spec)
		sk, _ := pki.UnmarshalPKIXPrivateKey(mat)
		sig := signTo(sk, msg)
		_, _, raw := parseSPKI(t, publicKey(t, spec))
		if ok, err := keyspec.Verify(spec, mat, "ML_DSA_SHAKE_256", "EXTERNAL_MU", externalMu(raw, msg), sig); err != nil || !ok {
			t.Fatalf("%s EXTERNAL_MU Verify of circl signature = %v, %v", spec, ok, err)
		}
	}
}

func TestEncryptDecrypt(t *testing.T) {
	for _, spec := range []keyspec.Spec{"RSA_2048", "RSA_3072", "RSA_4096", "SM2"} {
		for _, alg := range keyspec.EncryptionAlgorithms(spec) {
			t.Run(string(spec)+"/"+alg, func(t *testing.T) {
				mat := material(t, spec)
				der := publicKey(t, spec)
				max := keyspec.MaxPlaintext(spec, alg)
				for _, n := range []int{1, 32, max} {
					pt := make([]byte, n)
					rand.Read(pt)
					// External encryption, package decryption.
					var ct []byte
					var err error
					if spec == "SM2" {
						ct, err = externalSM2Encrypt(t, der, mat, pt)
					} else {
						pub, _ := x509.ParsePKIXPublicKey(der)
						h := sha256.New()
						if alg == "RSAES_OAEP_SHA_1" {
							h = sha1.New()
						}
						ct, err = rsa.EncryptOAEP(h, rand.Reader, pub.(*rsa.PublicKey), pt, nil)
					}
					if err != nil {
						t.Fatal(err)
					}
					got, err := keyspec.Decrypt(spec, mat, alg, ct)
					if err != nil || !bytes.Equal(got, pt) {
						t.Fatalf("Decrypt of external ciphertext (%d bytes): %v", n, err)
					}
					// Package encryption, external decryption.
					ct, err = keyspec.Encrypt(spec, mat, alg, pt)
					if err != nil {
						t.Fatal(err)
					}
					if spec == "SM2" {
						var c1c3c2 struct {
							X, Y *big.Int
							Hash []byte
							C    []byte
						}
						if rest, err := asn1.Unmarshal(ct, &c1c3c2); err != nil || len(rest) != 0 || len(c1c3c2.Hash) != 32 || len(c1c3c2.C) != n {
							t.Fatalf("SM2 ciphertext is not ASN.1 C1C3C2: %v", err)
						}
						if bytes.Count(c1c3c2.C, []byte{0}) == n {
							// gmsm refuses ciphertexts whose C2 is all zero (1 in 256 one-byte
							// messages); sm2pke.go decrypts them, the external side cannot.
							continue
						}
						k, _ := smx509.ParsePKCS8PrivateKey(mat)
						got, err = sm2.Decrypt(k.(*sm2.PrivateKey), ct)
					} else {
						k, _ := x509.ParsePKCS8PrivateKey(mat)
						h := sha256.New()
						if alg == "RSAES_OAEP_SHA_1" {
							h = sha1.New()
						}
						got, err = rsa.DecryptOAEP(h, nil, k.(*rsa.PrivateKey), ct, nil)
					}
					if err != nil || !bytes.Equal(got, pt) {
						t.Fatalf("external decryption of package ciphertext: %v", err)
					}
					// Tampered ciphertext.
					for _, i := range []int{0, len(ct) / 2, len(ct) - 1} {
						_, err = keyspec.Decrypt(spec, mat, alg, flip(ct, i))
						wantError(t, err, "InvalidCiphertextException", "")
					}
				}
				_, err := keyspec.Decrypt(spec, mat, alg, []byte("garbage"))
				wantError(t, err, "InvalidCiphertextException", "")
			})
		}
	}
}

func TestMac(t *testing.T) {
	msg := []byte("mac me")
	for spec, h := range map[keyspec.Spec]func() hash.Hash{
		"HMAC_224": sha256.New224, "HMAC_256": sha256.New, "HMAC_384": sha512.New384, "HMAC_512": sha512.New,
	} {
		mat := material(t, spec)
		alg := keyspec.MacAlgorithms(spec)[0]
		tag, err := keyspec.GenerateMac(spec, mat, alg, msg)
		if err != nil {
			t.Fatal(err)
		}
		m := hmac.New(h, mat)
		m.Write(msg)
		if want := m.Sum(nil); !hmac.Equal(tag, want) {
			t.Errorf("%s: tag %x, want %x", spec, tag, want)
		}
		if ok, err := keyspec.VerifyMac(spec, mat, alg, msg, tag); !ok || err != nil {
			t.Errorf("%s: VerifyMac = %v, %v", spec, ok, err)
		}
		if ok, err := keyspec.VerifyMac(spec, mat, alg, msg, flip(tag, 5)); ok || err != nil {
			t.Errorf("%s: VerifyMac(tampered) = %v, %v", spec, ok, err)
		}
	}
}

func TestDeriveSharedSecret(t *testing.T) {
	for spec, curve := range map[keyspec.Spec]ecdh.Curve{"ECC_NIST_P256": ecdh.P256(), "ECC_NIST_P384": ecdh.P384(), "ECC_NIST_P521": ecdh.P521()} {
		t.Run(string(spec), func(t *testing.T) {
			mat := material(t, spec)
			peer, _ := curve.GenerateKey(rand.Reader)
			peerDER, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			got, err := keyspec.DeriveSharedSecret(spec, mat, peerDER)
			if err != nil {
				t.Fatal(err)
			}
			ours, _ := x509.ParsePKIXPublicKey(publicKey(t, spec))
			oursECDH, _ := ours.(*ecdsa.PublicKey).ECDH()
			want, err := peer.ECDH(oursECDH)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("shared secret mismatch: %x vs %x (%v)", got, want, err)
			}
		})
	}
	t.Run("SM2", func(t *testing.T) {
		mat := material(t, "SM2")
		peer, _ := sm2.GenerateKey(rand.Reader)
		peerDER, _ := smx509.MarshalPKIXPublicKey(&peer.PublicKey)
		got, err := keyspec.DeriveSharedSecret("SM2", mat, peerDER)
		if err != nil {
			t.Fatal(err)
		}
		ours, _ := smx509.ParsePKIXPublicKey(publicKey(t, "SM2"))
		o := ours.(*ecdsa.PublicKey)
		x, _ := sm2.P256().ScalarMult(o.X, o.Y, peer.D.Bytes())
		if want := x.FillBytes(make([]byte, 32)); !bytes.Equal(got, want) {
			t.Fatalf("SM2 shared secret %x, want %x", got, want)
		}
	})
	t.Run("invalid peer keys", func(t *testing.T) {
		p384, _ := ecdh.P384().GenerateKey(rand.Reader)
		p384DER, _ := x509.MarshalPKIXPublicKey(p384.PublicKey())
		sm2Key, _ := sm2.GenerateKey(rand.Reader)
		sm2DER, _ := smx509.MarshalPKIXPublicKey(&sm2Key.PublicKey)
		for name, c := range map[string]struct {
			spec keyspec.Spec
			der  []byte
		}{
			"P256 with P384 peer": {"ECC_NIST_P256", p384DER},
			"P256 with SM2 peer":  {"ECC_NIST_P256", sm2DER},
			"SM2 with P384 peer":  {"SM2", p384DER},
			"garbage":             {"ECC_NIST_P256", []byte{0x30, 0x03, 0x02, 0x01, 0x00}},
			"RSA peer":            {"ECC_NIST_P256", publicKey(t, "RSA_2048")},
		} {
			_, err := keyspec.DeriveSharedSecret(c.spec, material(t, c.spec), c.der)
			var e *keyspec.Error
			if !errorsAs(err, &e) || e.Code != "ValidationException" || e.Message != "" {
				t.Errorf("%s: err = %v, want ValidationException with empty message", name, err)
			}
		}
		_, err := keyspec.DeriveSharedSecret("ECC_SECG_P256K1", material(t, "ECC_SECG_P256K1"), p384DER)
		wantError(t, err, "InvalidKeyUsageException", "Algorithm ECDH is incompatible with key spec ECC_SECG_P256K1.")
		wantError(t, keyspec.CheckKeyAgreementAlgorithm("INVALID"), "ValidationException",
			"1 validation error detected: Value 'INVALID' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]")
	})
}

func TestMLKEM(t *testing.T) {
	for _, spec := range []keyspec.Spec{"ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"} {
		t.Run(string(spec), func(t *testing.T) {
			mat := material(t, spec)
			scheme := circlKEM[spec]
			_, _, raw := parseSPKI(t, publicKey(t, spec))
			pk, err := scheme.UnmarshalBinaryPublicKey(raw)
			if err != nil {
				t.Fatal(err)
			}
			// circl encapsulates to the published key; the package decapsulates.
			ct, ss, err := scheme.Encapsulate(pk)
			if err != nil {
				t.Fatal(err)
			}
			got, err := keyspec.Decapsulate(spec, mat, ct)
			if err != nil || !bytes.Equal(got, ss) {
				t.Fatalf("Decapsulate: %v", err)
			}
			// The package encapsulates; circl (and crypto/mlkem) decapsulate
			// with the private key derived from the material's seed.
			ct, ss, err = keyspec.Encapsulate(spec, mat)
			if err != nil || len(ss) != 32 || len(ct) != scheme.CiphertextSize() {
				t.Fatalf("Encapsulate: %v", err)
			}
			seed := pkcs8Seed(t, mat, pqOIDs[spec])
			_, sk := scheme.DeriveKeyPair(seed)
			if want, err := scheme.Decapsulate(sk, ct); err != nil || !bytes.Equal(want, ss) {
				t.Fatalf("circl Decapsulate disagrees: %v", err)
			}
			var std []byte
			switch spec {
			case "ML_KEM_768":
				dk, _ := mlkem.NewDecapsulationKey768(seed)
				std, err = dk.Decapsulate(ct)
			case "ML_KEM_1024":
				dk, _ := mlkem.NewDecapsulationKey1024(seed)
				std, err = dk.Decapsulate(ct)
			default:
				std = ss
			}
			if err != nil || !bytes.Equal(std, ss) {
				t.Fatalf("crypto/mlkem Decapsulate disagrees: %v", err)
			}
			// Altered ciphertext: implicit rejection, a different secret.
			alt, err := keyspec.Decapsulate(spec, mat, flip(ct, 7))
			if err != nil || len(alt) != 32 || bytes.Equal(alt, ss) {
				t.Fatalf("tampered ciphertext: %x, %v", alt, err)
			}
			// Wrong length: InvalidCiphertextException.
			_, err = keyspec.Decapsulate(spec, mat, ct[:len(ct)-1])
			wantError(t, err, "InvalidCiphertextException", "")
		})
	}
}

func TestGenerateDataKeyPair(t *testing.T) {
	for _, ps := range keyspec.DataKeyPairSpecs {
		t.Run(ps, func(t *testing.T) {
			if ps == "RSA_4096" && testing.Short() {
				t.Skip("RSA_4096 key generation is slow")
			}
			priv, pub, err := keyspec.GenerateDataKeyPair(ps)
			if err != nil {
				t.Fatal(err)
			}
			derived, err := keyspec.PublicKey(keyspec.Spec(ps), priv)
			if err != nil || !bytes.Equal(derived, pub) {
				t.Fatalf("public key does not belong to the private key: %v", err)
			}
			switch ps {
			case "SM2":
				k, err := smx509.ParsePKCS8PrivateKey(priv)
				p, _ := smx509.ParsePKIXPublicKey(pub)
				if err != nil || !k.(*sm2.PrivateKey).PublicKey.Equal(p) {
					t.Fatalf("SM2 pair: %v", err)
				}
			case "ECC_SECG_P256K1", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024":
				// Formats checked in TestPublicKeyFormats.
			default:
				k, err := x509.ParsePKCS8PrivateKey(priv)
				if err != nil {
					t.Fatal(err)
				}
				p, err := x509.ParsePKIXPublicKey(pub)
				if err != nil || !k.(crypto.Signer).Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(p) {
					t.Fatalf("pair mismatch: %v", err)
				}
			}
		})
	}
	_, _, err := keyspec.GenerateDataKeyPair("HMAC_256")
	wantError(t, err, "ValidationException", "*")
}

// externalSM2Encrypt encrypts pt with gmsm and the public key alone, as a client would. gmsm's
// encryption returns an undecryptable ciphertext when the standard's step A5 makes it start over
// (one 1-byte message in 256; see keyspec's encryptSM2), so such ciphertexts are drawn again,
// recognised with the private key by gmsm itself or, for an all-zero C2 gmsm refuses, by length.
func externalSM2Encrypt(t *testing.T, der, mat, pt []byte) ([]byte, error) {
	t.Helper()
	pub, _ := smx509.ParsePKIXPublicKey(der)
	k, _ := smx509.ParsePKCS8PrivateKey(mat)
	for {
		ct, err := sm2.EncryptASN1(rand.Reader, pub.(*ecdsa.PublicKey), pt)
		if err != nil {
			return nil, err
		}
		var c struct {
			X, Y   *big.Int
			C3, C2 []byte
		}
		if _, err := asn1.Unmarshal(ct, &c); err != nil {
			return nil, err
		}
		if got, err := sm2.Decrypt(k.(*sm2.PrivateKey), ct); (err == nil && bytes.Equal(got, pt)) || bytes.Count(c.C2, []byte{0}) == len(pt) {
			return ct, nil
		}
	}
}
