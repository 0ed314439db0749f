package keyspec

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// Importable reports whether AWS KMS accepts imported key material for spec: symmetric
// encryption, HMAC, RSA, the ECC curves other than Edwards25519, and SM2.
func Importable(spec Spec) bool {
	return spec == SymmetricDefault || spec.isHMAC() || spec.isRSA() || spec.isNIST() || spec == ECCSECGP256K1 || spec == SM2
}

// ImportMaterial checks key material a user imports into a key of spec, as AWS's "requirements for
// imported key material" state them, and returns it in this package's material format (see the
// package documentation): a 256-bit symmetric key, an HMAC key exactly as long as the spec names,
// or an asymmetric private key in PKCS#8 (RSA with two primes and the spec's modulus; ECC and SM2
// on the spec's named curve), re-encoded as [Generate] encodes it so that equal keys compare
// equal. Material that does not fit is an IncorrectKeyMaterialException.
func ImportMaterial(spec Spec, material []byte) ([]byte, error) {
	incorrect := newError(CodeIncorrectKeyMaterial, "The key material is not valid for a %s KMS key.", spec)
	switch {
	case spec == SymmetricDefault:
		if len(material) != 32 {
			return nil, newError(CodeIncorrectKeyMaterial, "The key material is not valid for a SYMMETRIC_DEFAULT KMS key: it must be 256 bits.")
		}
		return material, nil
	case spec.isHMAC():
		if len(material) != hmacKeySize(spec) {
			return nil, newError(CodeIncorrectKeyMaterial, "The key material is not valid for a %s KMS key: it must be %d bits.", spec, 8*hmacKeySize(spec))
		}
		return material, nil
	case spec.isRSA():
		k, err := x509.ParsePKCS8PrivateKey(material)
		r, ok := k.(*rsa.PrivateKey)
		if err != nil || !ok || r.N.BitLen() != rsaBits(spec) || len(r.Primes) != 2 || r.Validate() != nil {
			return nil, incorrect
		}
		return x509.MarshalPKCS8PrivateKey(r)
	case spec.isNIST():
		k, err := x509.ParsePKCS8PrivateKey(material)
		e, ok := k.(*ecdsa.PrivateKey)
		if err != nil || !ok || e.Curve != nistCurve(spec) {
			return nil, incorrect
		}
		return x509.MarshalPKCS8PrivateKey(e)
	case spec == ECCSECGP256K1:
		k, err := parseSecp256k1(material)
		if err != nil {
			return nil, incorrect
		}
		return marshalSecp256k1(k)
	case spec == SM2:
		k, err := smx509.ParsePKCS8PrivateKey(material)
		s, ok := k.(*sm2.PrivateKey)
		if err != nil || !ok {
			return nil, incorrect
		}
		return smx509.MarshalPKCS8PrivateKey(s)
	}
	return nil, newError(CodeUnsupportedOperation, "Key material cannot be imported into a %s KMS key.", spec)
}
