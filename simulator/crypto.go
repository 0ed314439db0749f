package simulator

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// sealer encrypts key material at rest under the data directory's master key.
type sealer struct{ aead cipher.AEAD }

// loadSealer reads DIR/master.key, creating it (mode 0600) on first use; an empty dir
// gives an in-memory master key.
func loadSealer(dir string) (*sealer, error) {
	key := make([]byte, 32)
	if dir == "" {
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		return newSealer(key)
	}
	path := filepath.Join(dir, "master.key")
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(data) != 32 {
			return nil, fmt.Errorf("%s: want 32 bytes, found %d", path, len(data))
		}
		key = data
	case os.IsNotExist(err):
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, key, 0o600); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	return newSealer(key)
}

func newSealer(key []byte) (*sealer, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (s *sealer) seal(plain []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return s.aead.Seal(nonce, nonce, plain, nil)
}

func (s *sealer) open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed material too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], nil)
}

// Symmetric ciphertext blob, version 1:
//
//	0x01 | len(keyID) (1 byte) | keyID | material version (4 bytes, big endian) | nonce (12) | AES-256-GCM ciphertext+tag
//
// The header (everything before the nonce) and the canonical encryption context are the GCM
// additional data, so a changed key id, version or context fails authentication.
const blobVersion = 1

// ciphertextHeader is the decoded front of a ciphertext blob.
type ciphertextHeader struct {
	KeyID   string
	Version uint32
}

func encodeHeader(h ciphertextHeader) []byte {
	b := []byte{blobVersion, byte(len(h.KeyID))}
	b = append(b, h.KeyID...)
	return binary.BigEndian.AppendUint32(b, h.Version)
}

// parseCiphertext splits a blob into its header, header bytes and the sealed rest.
func parseCiphertext(blob []byte) (ciphertextHeader, []byte, []byte, bool) {
	if len(blob) < 2 || blob[0] != blobVersion {
		return ciphertextHeader{}, nil, nil, false
	}
	n := int(blob[1])
	if len(blob) < 2+n+4+12+16 {
		return ciphertextHeader{}, nil, nil, false
	}
	h := ciphertextHeader{KeyID: string(blob[2 : 2+n]), Version: binary.BigEndian.Uint32(blob[2+n:])}
	return h, blob[:2+n+4], blob[2+n+4:], true
}

// canonicalContext serializes an encryption context deterministically: sorted keys, each
// key and value length-prefixed.
func canonicalContext(ctx map[string]string) []byte {
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b []byte
	for _, k := range keys {
		b = binary.BigEndian.AppendUint32(b, uint32(len(k)))
		b = append(b, k...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(ctx[k])))
		b = append(b, ctx[k]...)
	}
	return b
}

// encryptSymmetric seals plaintext under material version (1-based) of key id.
func encryptSymmetric(material []byte, keyID string, version uint32, plaintext []byte, ec map[string]string) ([]byte, error) {
	aead, err := newGCM(material)
	if err != nil {
		return nil, err
	}
	header := encodeHeader(ciphertextHeader{KeyID: keyID, Version: version})
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, err
	}
	aad := append(append([]byte{}, header...), canonicalContext(ec)...)
	out := append(header, nonce...)
	return aead.Seal(out, nonce, plaintext, aad), nil
}

// decryptSymmetric opens the sealed part of a blob; any mismatch is an authentication failure.
func decryptSymmetric(material, header, sealed []byte, ec map[string]string) ([]byte, error) {
	aead, err := newGCM(material)
	if err != nil {
		return nil, err
	}
	aad := append(append([]byte{}, header...), canonicalContext(ec)...)
	n := aead.NonceSize()
	return aead.Open(nil, sealed[:n], sealed[n:], aad)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}
