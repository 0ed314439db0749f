package keyspec

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/asn1"
	"math/big"

	"github.com/emmansun/gmsm/kdf"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
)

// encryptSM2 encrypts plaintext with SM2PKE, checking each ciphertext against the private key:
// gmsm v0.15.5's encryption overwrites the public key point it multiplies, so when the standard's
// step A5 makes it start over (a key stream t of all zero bits, one 1-byte message in 256) the
// ciphertext it returns cannot be decrypted. A fresh encryption draws a fresh random point.
func encryptSM2(k *sm2.PrivateKey, plaintext []byte) ([]byte, error) {
	for range 8 {
		ct, err := sm2.EncryptASN1(rand.Reader, &k.PublicKey, plaintext)
		if err != nil {
			return nil, err
		}
		if pt, err := decryptSM2(k, ct); err == nil && subtle.ConstantTimeCompare(pt, plaintext) == 1 {
			return ct, nil
		}
	}
	return nil, errInvalidCiphertext
}

// decryptSM2 decrypts an SM2PKE ciphertext (ASN.1 C1C3C2).
func decryptSM2(k *sm2.PrivateKey, ciphertext []byte) ([]byte, error) {
	pt, err := k.Decrypt(nil, ciphertext, sm2.ASN1DecrypterOpts)
	if err != nil {
		if pt, ok := decryptSM2AllZeroC2(k, ciphertext); ok {
			return pt, nil
		}
		return nil, errInvalidCiphertext
	}
	return pt, nil
}

// sm2Ciphertext is SM2PKE's ASN.1 ciphertext, C1C3C2 (GB/T 35276).
type sm2Ciphertext struct {
	X, Y *big.Int
	C3   []byte
	C2   []byte
}

// decryptSM2AllZeroC2 decrypts the ciphertexts gmsm v0.15.5 refuses: its decryption rejects a
// ciphertext whose C2 is all zero bytes (it tests C2 where the standard tests the key stream t),
// which happens whenever the message equals t — one 1-byte message in 256. ok is false when
// ciphertext is not such a ciphertext or does not authenticate.
func decryptSM2AllZeroC2(k *sm2.PrivateKey, ciphertext []byte) (plaintext []byte, ok bool) {
	var ct sm2Ciphertext
	if rest, err := asn1.Unmarshal(ciphertext, &ct); err != nil || len(rest) > 0 || len(ct.C2) == 0 || !allZero(ct.C2) {
		return nil, false
	}
	curve := sm2.P256()
	if !curve.IsOnCurve(ct.X, ct.Y) {
		return nil, false
	}
	x2, y2 := curve.ScalarMult(ct.X, ct.Y, k.D.Bytes())
	xy := append(x2.FillBytes(make([]byte, 32)), y2.FillBytes(make([]byte, 32))...)
	t := kdf.Kdf(sm3.New(), xy, len(ct.C2))
	if allZero(t) {
		return nil, false
	}
	msg := t // C2 is all zero, so M = C2 ⊕ t = t
	h := sm3.New()
	h.Write(xy[:32])
	h.Write(msg)
	h.Write(xy[32:])
	if subtle.ConstantTimeCompare(h.Sum(nil), ct.C3) != 1 {
		return nil, false
	}
	return msg, true
}

// allZero reports whether b holds only zero bytes, in time that depends only on len(b).
func allZero(b []byte) bool {
	var acc byte
	for _, x := range b {
		acc |= x
	}
	return acc == 0
}
