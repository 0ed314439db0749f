package keyspec

import (
	"crypto/ecdsa"
	"crypto/x509"
	"slices"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// CheckKeyAgreementAlgorithm validates the KeyAgreementAlgorithm request
// field (only ECDH exists), with AWS's enum ValidationException otherwise.
func CheckKeyAgreementAlgorithm(algorithm string) error {
	if !slices.Contains(allKeyAgreementAlgorithms, algorithm) {
		return errEnum(algorithm, "keyAgreementAlgorithm", allKeyAgreementAlgorithms)
	}
	return nil
}

// DeriveSharedSecret performs ECDH between the key's private half and the
// peer's public key, given as a DER SubjectPublicKeyInfo on the same curve
// (NIST P-256/384/521 or SM2). It returns the raw shared secret, the
// x-coordinate of the shared point, as AWS does. A peer key that does not
// parse, is on another curve or is not a valid point yields
// ValidationException with an empty message (as recorded from AWS).
func DeriveSharedSecret(spec Spec, material []byte, publicKeyDER []byte) ([]byte, error) {
	if err := ValidateSpec(spec); err != nil {
		return nil, err
	}
	switch {
	case spec.isNIST():
		k, err := ecdsaKey(spec, material)
		if err != nil {
			return nil, err
		}
		parsed, err := x509.ParsePKIXPublicKey(publicKeyDER)
		if err != nil {
			return nil, errInvalidPublicKey
		}
		peer, ok := parsed.(*ecdsa.PublicKey)
		if !ok || peer.Curve != k.Curve {
			return nil, errInvalidPublicKey
		}
		peerECDH, err := peer.ECDH()
		if err != nil {
			return nil, errInvalidPublicKey
		}
		priv, err := k.ECDH()
		if err != nil {
			return nil, err
		}
		secret, err := priv.ECDH(peerECDH)
		if err != nil {
			return nil, errInvalidPublicKey
		}
		return secret, nil
	case spec == SM2:
		k, err := sm2Key(material)
		if err != nil {
			return nil, err
		}
		parsed, err := smx509.ParsePKIXPublicKey(publicKeyDER)
		if err != nil {
			return nil, errInvalidPublicKey
		}
		peer, ok := parsed.(*ecdsa.PublicKey)
		if !ok || !sm2.IsSM2PublicKey(peer) {
			return nil, errInvalidPublicKey
		}
		peerECDH, err := sm2.PublicKeyToECDH(peer)
		if err != nil {
			return nil, errInvalidPublicKey
		}
		priv, err := k.ECDH()
		if err != nil {
			return nil, err
		}
		secret, err := priv.ECDH(peerECDH)
		if err != nil {
			return nil, errInvalidPublicKey
		}
		return secret, nil
	}
	return nil, errIncompatible(AlgECDH, spec)
}
