package keyspec

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"slices"
	"strings"

	_ "crypto/sha256" // register SHA-256 for crypto.Hash.New

	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/sm2"

	"github.com/kmsim/kmsim/simulator/keyspec/internal/mldsa"
)

// SM2DefaultUID is the SM2 distinguishing identifier AWS KMS uses for SM2DSA
// (GB/T 32918 default), from which Z_A is computed.
var SM2DefaultUID = []byte("1234567812345678")

// signHash returns the hash an RSA/ECDSA signing algorithm applies to a RAW
// message.
func signHash(algorithm string) crypto.Hash {
	switch {
	case strings.HasSuffix(algorithm, "_SHA_256"):
		return crypto.SHA256
	case strings.HasSuffix(algorithm, "_SHA_384"):
		return crypto.SHA384
	case strings.HasSuffix(algorithm, "_SHA_512"):
		return crypto.SHA512
	}
	return 0
}

// checkSign validates a Sign/Verify request and returns the normalized
// message type ("" means RAW, the AWS default).
func checkSign(spec Spec, algorithm, messageType string, message []byte) (string, error) {
	if !slices.Contains(allSigningAlgorithms, algorithm) {
		return "", errEnum(algorithm, "signingAlgorithm", allSigningAlgorithms)
	}
	if messageType == "" {
		messageType = MessageRaw
	}
	if !slices.Contains(allMessageTypes, messageType) {
		return "", errEnum(messageType, "messageType", allMessageTypes)
	}
	if err := ValidateSpec(spec); err != nil {
		return "", err
	}
	if !slices.Contains(SigningAlgorithms(spec), algorithm) {
		return "", errIncompatible(algorithm, spec)
	}
	switch messageType {
	case MessageRaw:
		if algorithm == AlgEd25519PHSHA512 {
			// "ED25519_PH_SHA_512 signing algorithm requires KMS MessageType:DIGEST"
			return "", errMessageType(algorithm, messageType)
		}
	case MessageDigest:
		if algorithm == AlgEd25519SHA512 || algorithm == AlgMLDSASHAKE256 {
			return "", errMessageType(algorithm, messageType)
		}
		if len(message) != DigestLength(algorithm) {
			return "", errDigestLength(algorithm)
		}
	case MessageExternalMu:
		if algorithm != AlgMLDSASHAKE256 {
			return "", errMessageType(algorithm, messageType)
		}
		if len(message) != 64 {
			return "", errDigestLength(algorithm)
		}
	}
	return messageType, nil
}

func errMessageType(algorithm, messageType string) *Error {
	return newError(CodeValidation, "MessageType %s is not supported for signing algorithm %s.", messageType, algorithm)
}

// digestFor returns the hash input for RSA/ECDSA/secp256k1 signing.
func digestFor(algorithm, messageType string, message []byte) []byte {
	if messageType == MessageDigest {
		return message
	}
	h := signHash(algorithm).New()
	h.Write(message)
	return h.Sum(nil)
}

func pssOptions(algorithm string) *rsa.PSSOptions {
	return &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: signHash(algorithm)}
}

// Sign signs message with the key's private half.
//
// messageType is RAW (or empty), DIGEST or EXTERNAL_MU:
//   - RSASSA_PSS_*: PSS with MGF1 and salt length equal to the hash length.
//   - RSASSA_PKCS1_V1_5_*: PKCS #1 v1.5 with the hash's DigestInfo.
//   - ECDSA_* (NIST curves and secp256k1): DER-encoded ECDSA-Sig-Value.
//   - ED25519_SHA_512: RAW only, pure Ed25519 (64-byte signature).
//   - ED25519_PH_SHA_512: DIGEST only (64 bytes); KMS still applies the
//     Ed25519ph SHA-512 prehash, i.e. the signature is Ed25519ph over the
//     digest treated as the message (the input is hashed twice).
//   - SM2DSA: RAW signs SM3(Z_A ‖ M) with Z_A from [SM2DefaultUID]; DIGEST
//     takes e = SM3(Z_A ‖ M) (32 bytes). DER-encoded (r, s).
//   - ML_DSA_SHAKE_256: RAW is pure hedged ML-DSA with an empty context;
//     EXTERNAL_MU takes the 64-byte μ of FIPS 204 §6.2.
//
// A DIGEST (or EXTERNAL_MU) of the wrong length yields ValidationException
// "Digest is invalid length for algorithm X.".
func Sign(spec Spec, material []byte, algorithm, messageType string, message []byte) ([]byte, error) {
	messageType, err := checkSign(spec, algorithm, messageType, message)
	if err != nil {
		return nil, err
	}
	switch {
	case spec.isRSA():
		k, err := rsaKey(spec, material)
		if err != nil {
			return nil, err
		}
		d := digestFor(algorithm, messageType, message)
		if strings.HasPrefix(algorithm, "RSASSA_PSS_") {
			return rsa.SignPSS(rand.Reader, k, signHash(algorithm), d, pssOptions(algorithm))
		}
		return rsa.SignPKCS1v15(nil, k, signHash(algorithm), d)
	case spec.isNIST():
		k, err := ecdsaKey(spec, material)
		if err != nil {
			return nil, err
		}
		return ecdsa.SignASN1(rand.Reader, k, digestFor(algorithm, messageType, message))
	case spec == ECCSECGP256K1:
		k, err := secp256k1Key(material)
		if err != nil {
			return nil, err
		}
		return secpecdsa.Sign(k, digestFor(algorithm, messageType, message)).Serialize(), nil
	case spec == ECCNISTEdwards25519:
		k, err := ed25519Key(material)
		if err != nil {
			return nil, err
		}
		if algorithm == AlgEd25519SHA512 {
			return ed25519.Sign(k, message), nil
		}
		ph := sha512.Sum512(message)
		return k.Sign(nil, ph[:], &ed25519.Options{Hash: crypto.SHA512})
	case spec == SM2:
		k, err := sm2Key(material)
		if err != nil {
			return nil, err
		}
		if messageType == MessageDigest {
			return sm2.SignASN1(rand.Reader, k, message, nil)
		}
		return k.SignWithSM2(rand.Reader, SM2DefaultUID, message)
	case spec.isMLDSA():
		k, err := mldsaKey(spec, material)
		if err != nil {
			return nil, err
		}
		if messageType == MessageExternalMu {
			return mldsa.SignExternalMu(k, message)
		}
		return mldsa.Sign(k, message, "")
	}
	return nil, errIncompatible(algorithm, spec)
}

// Verify checks signature over message with the key's public half. An
// invalid signature returns (false, nil): the simulator raises
// KMSInvalidSignatureException with an empty message. Request errors are
// the same as for [Sign].
func Verify(spec Spec, material []byte, algorithm, messageType string, message, signature []byte) (bool, error) {
	messageType, err := checkSign(spec, algorithm, messageType, message)
	if err != nil {
		return false, err
	}
	switch {
	case spec.isRSA():
		k, err := rsaKey(spec, material)
		if err != nil {
			return false, err
		}
		d := digestFor(algorithm, messageType, message)
		if strings.HasPrefix(algorithm, "RSASSA_PSS_") {
			return rsa.VerifyPSS(&k.PublicKey, signHash(algorithm), d, signature, pssOptions(algorithm)) == nil, nil
		}
		return rsa.VerifyPKCS1v15(&k.PublicKey, signHash(algorithm), d, signature) == nil, nil
	case spec.isNIST():
		k, err := ecdsaKey(spec, material)
		if err != nil {
			return false, err
		}
		return ecdsa.VerifyASN1(&k.PublicKey, digestFor(algorithm, messageType, message), signature), nil
	case spec == ECCSECGP256K1:
		k, err := secp256k1Key(material)
		if err != nil {
			return false, err
		}
		sig, err := secpecdsa.ParseDERSignature(signature)
		if err != nil {
			return false, nil
		}
		return sig.Verify(digestFor(algorithm, messageType, message), k.PubKey()), nil
	case spec == ECCNISTEdwards25519:
		k, err := ed25519Key(material)
		if err != nil {
			return false, err
		}
		pub := k.Public().(ed25519.PublicKey)
		if algorithm == AlgEd25519SHA512 {
			return ed25519.Verify(pub, message, signature), nil
		}
		ph := sha512.Sum512(message)
		return ed25519.VerifyWithOptions(pub, ph[:], signature, &ed25519.Options{Hash: crypto.SHA512}) == nil, nil
	case spec == SM2:
		k, err := sm2Key(material)
		if err != nil {
			return false, err
		}
		if messageType == MessageDigest {
			return sm2.VerifyASN1(&k.PublicKey, message, signature), nil
		}
		return sm2.VerifyASN1WithSM2(&k.PublicKey, SM2DefaultUID, message, signature), nil
	case spec.isMLDSA():
		k, err := mldsaKey(spec, material)
		if err != nil {
			return false, err
		}
		if messageType == MessageExternalMu {
			return mldsa.VerifyExternalMu(k.PublicKey(), message, signature) == nil, nil
		}
		return mldsa.Verify(k.PublicKey(), message, signature, "") == nil, nil
	}
	return false, errIncompatible(algorithm, spec)
}
