package keyspec

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/emmansun/gmsm/kdf"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
)

// TestSM2DecryptsAllZeroC2 builds, outside gmsm's encryption, an SM2PKE ciphertext whose message
// equals the key stream (so C2 is all zero bytes) and checks that it decrypts.
func TestSM2DecryptsAllZeroC2(t *testing.T) {
	material, err := Generate(SM2)
	if err != nil {
		t.Fatal(err)
	}
	k, err := sm2Key(material)
	if err != nil {
		t.Fatal(err)
	}
	curve := sm2.P256()
	for _, n := range []int{1, 2, 32} {
		kk, err := rand.Int(rand.Reader, curve.Params().N)
		if err != nil {
			t.Fatal(err)
		}
		x1, y1 := curve.ScalarBaseMult(kk.Bytes())
		x2, y2 := curve.ScalarMult(k.PublicKey.X, k.PublicKey.Y, kk.Bytes())
		xy := append(x2.FillBytes(make([]byte, 32)), y2.FillBytes(make([]byte, 32))...)
		msg := kdf.Kdf(sm3.New(), xy, n)
		h := sm3.New()
		h.Write(xy[:32])
		h.Write(msg)
		h.Write(xy[32:])
		ct, err := asn1.Marshal(sm2Ciphertext{X: new(big.Int).Set(x1), Y: new(big.Int).Set(y1), C3: h.Sum(nil), C2: make([]byte, n)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decrypt(SM2, material, AlgSM2PKE, ct)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("%d-byte message equal to its key stream: %x, %v", n, got, err)
		}
		ct[len(ct)-n-1] ^= 1 // the last byte of C3
		if _, err := Decrypt(SM2, material, AlgSM2PKE, ct); err == nil {
			t.Fatal("a tampered all-zero-C2 ciphertext decrypted")
		}
	}
}
