package simulator

import (
	"crypto/aes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"time"
)

// Imported key material (Origin EXTERNAL): GetParametersForImport hands out a wrapping public
// key and an import token valid for 24 hours; ImportKeyMaterial unwraps the material with the
// matching private key. An asymmetric or HMAC key takes one material for life; a symmetric key
// may take new material, which RotateKeyOnDemand makes current.

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

// importRecord is how one version of imported material was imported: its expiration and the
// user's description of it.
type importRecord struct {
	ExpirationModel string    `json:"expirationModel"`
	ValidTo         time.Time `json:"validTo,omitzero"`
	Description     string    `json:"description,omitempty"`
}

// expires reports whether the material expires at or before now.
func (r importRecord) expires(now time.Time) bool {
	return r.ExpirationModel == materialExpires && !r.ValidTo.IsZero() && !r.ValidTo.After(now)
}

// pendingMaterial is new imported material of a symmetric key, waiting for RotateKeyOnDemand.
type pendingMaterial struct {
	ID       string `json:"id"`
	Material []byte `json:"material"` // sealed
	importRecord
}

// materialID is the KeyMaterialId of material in a key: derived from the key id and the material,
// as AWS derives the ids of imported material, so importing the same material gives the same id
// (and multi-Region replicas, which share the key id and material, share their ids).
func materialID(keyID string, material []byte) string {
	h := sha256.New()
	h.Write([]byte("kmsim key material\x00" + keyID + "\x00"))
	h.Write(material)
	return hex.EncodeToString(h.Sum(nil))
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

// materialImport is the material of one ImportKeyMaterial request, unwrapped and checked.
type materialImport struct {
	id         string
	sealed     []byte
	rec        importRecord
	importType string // as requested; "" for the default
	wantID     string // the KeyMaterialId the request names, if any
}

func errDifferentMaterial() *APIError {
	return apiError("IncorrectKeyMaterialException", "The key material in the request is different from the key material that was previously imported into this KMS key.")
}

// importMaterial puts imported material into k, a copy the caller journals. The first material
// becomes current; a symmetric key takes new material (NEW_KEY_MATERIAL) as pending rotation, and
// any key takes back material it had (EXISTING_KEY_MATERIAL, the default once material was
// imported). A multi-Region replica takes only its primary key's material, version for version.
// The key is Enabled again once it holds every material associated with it. Callers hold the
// state lock.
func (st *state) importMaterial(k *keyRecord, imp *materialImport) error {
	known, pendingID := k.MaterialIDs, ""
	if k.Pending != nil {
		pendingID = k.Pending.ID
	}
	replica := k.MultiRegion && k.Region != k.PrimaryRegion
	if replica {
		if primary, ok := st.keys[keyIndex(k.PrimaryRegion, k.ID)]; ok {
			known, pendingID = primary.MaterialIDs, ""
			if primary.Pending != nil {
				pendingID = primary.Pending.ID
			}
		}
		if imp.importType == importNew {
			return apiError("UnsupportedOperationException", "%s is a multi-Region replica key: import new key material into its primary key in %s, then the same key material into this key.", k.ARN(), k.PrimaryRegion)
		}
	}
	importType := imp.importType
	if importType == "" {
		importType = importExisting
		if len(known) == 0 && pendingID == "" && !replica {
			importType = importNew
		}
	}
	if imp.wantID != "" && imp.wantID != imp.id {
		return apiError("IncorrectKeyMaterialException", "The key material in the request does not match the key material ID %s.", imp.wantID)
	}
	switch i := slices.Index(known, imp.id); {
	case importType == importNew && (i >= 0 || imp.id == pendingID):
		return apiError("IncorrectKeyMaterialException", "The key material (id: %s) is already associated with KMS key %s. Use the EXISTING_KEY_MATERIAL import type to import it again.", imp.id, k.ID)
	case importType == importNew && len(known) == 0:
		k.Material, k.MaterialIDs, k.Imports = [][]byte{imp.sealed}, []string{imp.id}, []importRecord{imp.rec}
	case importType == importNew && k.Spec != "SYMMETRIC_DEFAULT":
		return errDifferentMaterial()
	case importType == importNew && k.Pending != nil:
		return errInvalidState("New key material (id: %s) cannot be imported into KMS key %s, because another key material (id: %s) is pending rotation.", imp.id, k.ID, k.Pending.ID)
	case importType == importNew:
		k.Pending = &pendingMaterial{ID: imp.id, Material: imp.sealed, importRecord: imp.rec}
	case i >= 0:
		material := make([][]byte, len(known))
		copy(material, k.Material)
		recs := make([]importRecord, len(known))
		copy(recs, k.Imports)
		material[i] = imp.sealed
		if imp.rec.Description == "" {
			imp.rec.Description = recs[i].Description
		}
		recs[i] = imp.rec
		k.Material, k.MaterialIDs, k.Imports = material, slices.Clone(known), recs
	case imp.id == pendingID:
		if imp.rec.Description == "" && k.Pending != nil {
			imp.rec.Description = k.Pending.Description
		}
		k.Pending = &pendingMaterial{ID: imp.id, Material: imp.sealed, importRecord: imp.rec}
	default:
		return errDifferentMaterial()
	}
	if k.State == statePendingImport && holdsAllMaterial(k) {
		k.State = stateEnabled
	}
	return nil
}

// holdsAllMaterial reports whether k holds every version of its material.
func holdsAllMaterial(k *keyRecord) bool {
	if len(k.Material) == 0 {
		return false
	}
	for _, m := range k.Material {
		if m == nil {
			return false
		}
	}
	return true
}

// deleteMaterial deletes imported material version i of k (a copy the caller journals), or its
// pending material (i < 0). Without the material the key waits for it (PendingImport), unless it
// is pending deletion; deleting pending material leaves the key as it is.
func deleteMaterial(k *keyRecord, i int) {
	if i < 0 {
		k.Pending = nil
		return
	}
	k.Material = slices.Clone(k.Material)
	k.Material[i] = nil
	if k.State != statePendingDeletion && k.State != statePendingReplicaDeletion {
		k.State = statePendingImport
	}
}

// expireMaterial deletes the imported material of k whose ValidTo has passed by now, pending
// material included, recording a DeleteExpiredKeyMaterial event for each at its ValidTo. It
// returns the changed copy of k to journal, or false when nothing expired.
func expireMaterial(k *keyRecord, now time.Time, record func(name string, k *keyRecord, at time.Time, details map[string]any)) (*keyRecord, bool) {
	expired := *k
	changed := false
	for i, r := range k.Imports {
		if i < len(k.Material) && k.Material[i] != nil && r.expires(now) {
			deleteMaterial(&expired, i)
			record("DeleteExpiredKeyMaterial", k, r.ValidTo, map[string]any{"keyId": k.ID})
			changed = true
		}
	}
	if k.Pending != nil && k.Pending.expires(now) {
		deleteMaterial(&expired, -1)
		record("DeleteExpiredKeyMaterial", k, k.Pending.ValidTo, map[string]any{"keyId": k.ID})
		changed = true
	}
	return &expired, changed
}
