package keyspec

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"slices"
)

func macHash(algorithm string) func() hash.Hash {
	switch algorithm {
	case AlgHMACSHA224:
		return sha256.New224
	case AlgHMACSHA256:
		return sha256.New
	case AlgHMACSHA384:
		return sha512.New384
	}
	return sha512.New
}

func checkMac(spec Spec, algorithm string) error {
	if !slices.Contains(allMacAlgorithms, algorithm) {
		return errEnum(algorithm, "macAlgorithm", allMacAlgorithms)
	}
	if err := ValidateSpec(spec); err != nil {
		return err
	}
	if !slices.Contains(MacAlgorithms(spec), algorithm) {
		return errIncompatible(algorithm, spec)
	}
	return nil
}

// GenerateMac computes the HMAC tag of message with an HMAC key. An
// algorithm that does not match the spec yields InvalidKeyUsageException
// "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.".
func GenerateMac(spec Spec, material []byte, algorithm string, message []byte) ([]byte, error) {
	if err := checkMac(spec, algorithm); err != nil {
		return nil, err
	}
	if len(material) != hmacKeySize(spec) {
		return nil, errMaterial(spec, errBadLength)
	}
	m := hmac.New(macHash(algorithm), material)
	m.Write(message)
	return m.Sum(nil), nil
}

// VerifyMac reports whether mac is the HMAC tag of message (constant-time
// comparison). A mismatch returns (false, nil); the simulator raises
// KMSInvalidMacException with an empty message.
func VerifyMac(spec Spec, material []byte, algorithm string, message, mac []byte) (bool, error) {
	want, err := GenerateMac(spec, material, algorithm, message)
	if err != nil {
		return false, err
	}
	return hmac.Equal(want, mac), nil
}
