package simulator

import (
	"crypto/aes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"time"
)

// Imported key material (Origin EXTERNAL): GetParametersForImport hands out a wrapping public
// key and an import token valid for 24 hours; ImportKeyMaterial unwraps the material with the
// matching private key. Only the material first imported into a key may ever be imported again.

// Expiration models of imported key material.
const (
	materialExpires       = "KEY_MATERIAL_EXPIRES"
	materialDoesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE"
	importTokenLifetime   = 24 * time.Hour
)

// importParams is one GetParametersForImport answer, kept until its token is used or expires.
type importParams struct {
	Token             string    `json:"token"` // base64 of the token bytes handed out
	KeyID             string    `json:"keyId"`
	Region            string    `json:"region"`
	WrappingAlgorithm string    `json:"wrappingAlgorithm"`
	WrappingKeySpec   string    `json:"wrappingKeySpec"`
	WrappingKey       []byte    `json:"wrappingKey"` // sealed PKCS#8 private key
	ValidTo           time.Time `json:"validTo"`
}

// materialFingerprint identifies imported material without keeping a second copy of it.
func materialFingerprint(material []byte) []byte {
	sum := sha256.Sum256(append([]byte("kmsim imported key material\x00"), material...))
	return sum[:]
}

// sameMaterial reports whether material is what was imported first.
func sameMaterial(fingerprint, material []byte) bool {
	return subtle.ConstantTimeCompare(fingerprint, materialFingerprint(material)) == 1
}

// aesKeyUnwrapWithPadding is AES Key Wrap with Padding (RFC 5649), the second half of the
// RSA_AES_KEY_WRAP_SHA_* wrapping algorithms.
func aesKeyUnwrapWithPadding(kek, wrapped []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	if len(wrapped) < 16 || len(wrapped)%8 != 0 {
		return nil, errors.New("wrapped key has an invalid length")
	}
	n := len(wrapped)/8 - 1
	a := make([]byte, 8)
	r := make([]byte, len(wrapped)-8)
	buf := make([]byte, 16)
	if n == 1 {
		block.Decrypt(buf, wrapped)
		copy(a, buf[:8])
		copy(r, buf[8:])
	} else {
		copy(a, wrapped[:8])
		copy(r, wrapped[8:])
		for j := 5; j >= 0; j-- {
			for i := n; i >= 1; i-- {
				t := uint64(n*j + i)
				binary.BigEndian.PutUint64(buf[:8], binary.BigEndian.Uint64(a)^t)
				copy(buf[8:], r[(i-1)*8:i*8])
				block.Decrypt(buf, buf)
				copy(a, buf[:8])
				copy(r[(i-1)*8:i*8], buf[8:])
			}
		}
	}
	// Alternative initial value: 0xA65959A6 followed by the 32-bit message length.
	if binary.BigEndian.Uint32(a[:4]) != 0xA65959A6 {
		return nil, errors.New("integrity check failed")
	}
	mli := int(binary.BigEndian.Uint32(a[4:]))
	if mli > len(r) || mli <= len(r)-8 {
		return nil, errors.New("invalid message length")
	}
	for _, b := range r[mli:] {
		if b != 0 {
			return nil, errors.New("invalid padding")
		}
	}
	return r[:mli], nil
}
