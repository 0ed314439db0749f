package keyspec

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"slices"

	// Register the OAEP hash functions.
	_ "crypto/sha1"
	_ "crypto/sha256"
)

func checkEncryptionAlgorithm(spec Spec, algorithm string) error {
	if !slices.Contains(allEncryptionAlgorithms, algorithm) {
		return errEnum(algorithm, "encryptionAlgorithm", allEncryptionAlgorithms)
	}
	if err := ValidateSpec(spec); err != nil {
		return err
	}
	if !slices.Contains(EncryptionAlgorithms(spec), algorithm) {
		return errIncompatible(algorithm, spec)
	}
	if spec == SymmetricDefault {
		// Symmetric encryption (the ciphertext blob format) belongs to the
		// simulator, not to this package.
		return errUnsupported("Asymmetric encryption", spec)
	}
	return nil
}

func oaepHash(algorithm string) crypto.Hash {
	if algorithm == AlgRSAOAEPSHA1 {
		return crypto.SHA1
	}
	return crypto.SHA256
}

// Encrypt encrypts plaintext with the public half of an RSA (OAEP, empty
// label, MGF1 with the OAEP hash) or SM2 (SM2PKE, ASN.1 C1C3C2) key.
// Plaintext longer than [MaxPlaintext] yields AWS's ValidationException
// "Algorithm X and key spec Y cannot encrypt data larger than N bytes.".
func Encrypt(spec Spec, material []byte, algorithm string, plaintext []byte) ([]byte, error) {
	if err := checkEncryptionAlgorithm(spec, algorithm); err != nil {
		return nil, err
	}
	if max := MaxPlaintext(spec, algorithm); len(plaintext) > max {
		return nil, errTooLarge(algorithm, spec, max)
	}
	if spec == SM2 {
		k, err := sm2Key(material)
		if err != nil {
			return nil, err
		}
		return encryptSM2(k, plaintext)
	}
	k, err := rsaKey(spec, material)
	if err != nil {
		return nil, err
	}
	return rsa.EncryptOAEP(oaepHash(algorithm).New(), rand.Reader, &k.PublicKey, plaintext, nil)
}

// Decrypt reverses [Encrypt]. Any ciphertext that does not decrypt yields an
// InvalidCiphertextException with an empty message, as AWS returns.
func Decrypt(spec Spec, material []byte, algorithm string, ciphertext []byte) ([]byte, error) {
	if err := checkEncryptionAlgorithm(spec, algorithm); err != nil {
		return nil, err
	}
	if spec == SM2 {
		k, err := sm2Key(material)
		if err != nil {
			return nil, err
		}
		return decryptSM2(k, ciphertext)
	}
	k, err := rsaKey(spec, material)
	if err != nil {
		return nil, err
	}
	pt, err := rsa.DecryptOAEP(oaepHash(algorithm).New(), nil, k, ciphertext, nil)
	if err != nil {
		return nil, errInvalidCiphertext
	}
	return pt, nil
}
