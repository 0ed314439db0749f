package simulator

import (
	"time"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

// reportsMaterialIDs reports whether AWS names k's key material in responses (CurrentKeyMaterialId,
// KeyMaterialId): symmetric encryption keys whose material AWS KMS generates or the user imports.
func reportsMaterialIDs(k *keyRecord) bool {
	return k.Spec == string(keyspec.SymmetricDefault) && (k.Origin == "AWS_KMS" || k.Origin == "EXTERNAL")
}

// materialIDs returns the id of each of k's material versions, deriving those stored without one
// (keys seeded from a world).
func (s *Server) materialIDs(k *keyRecord) ([]string, error) {
	ids := make([]string, len(k.Material))
	for i, sealed := range k.Material {
		if i < len(k.MaterialIDs) && k.MaterialIDs[i] != "" {
			ids[i] = k.MaterialIDs[i]
			continue
		}
		material, err := s.seal.open(sealed)
		if err != nil {
			return nil, err
		}
		ids[i] = materialID(k.ID, material)
	}
	return ids, nil
}

// versionMaterialID is the KeyMaterialId of material version v (1-based) of k for a response, or
// "" where AWS reports none.
func (s *Server) versionMaterialID(k *keyRecord, v int) string {
	if !reportsMaterialIDs(k) || v < 1 || v > len(k.Material) {
		return ""
	}
	if v <= len(k.MaterialIDs) && k.MaterialIDs[v-1] != "" {
		return k.MaterialIDs[v-1]
	}
	ids, err := s.materialIDs(k)
	if err != nil {
		return "" // unreadable material fails the operation that uses it
	}
	return ids[v-1]
}

// currentMaterialID is the KeyMaterialId of k's current material, or "".
func (s *Server) currentMaterialID(k *keyRecord) string {
	return s.versionMaterialID(k, len(k.Material))
}

// addMaterial appends a material version (sealed) with its id to k, copying k's slices so the
// stored record is not changed under its readers; imported material carries its import record.
// Callers hold the state lock and journal k.
func (s *Server) addMaterial(k *keyRecord, sealed []byte, id string, imported *importRecord) error {
	ids, err := s.materialIDs(k)
	if err != nil {
		return err
	}
	k.Material = append(append([][]byte{}, k.Material...), sealed)
	k.MaterialIDs = append(ids, id)
	if imported != nil {
		k.Imports = append(append([]importRecord{}, k.Imports...), *imported)
	}
	return nil
}

// importedExpiration is what DescribeKey reports of a key's imported material: the expiration
// model, and the earliest ValidTo of the material it holds (nil if none expires). ok is false
// when the key holds no imported material.
func importedExpiration(k *keyRecord) (model string, validTo *time.Time, ok bool) {
	if k.Origin != "EXTERNAL" {
		return "", nil, false
	}
	for i, m := range k.Material {
		if m == nil {
			continue
		}
		ok = true
		if i >= len(k.Imports) || k.Imports[i].ExpirationModel != materialExpires {
			continue
		}
		if r := k.Imports[i]; validTo == nil || r.ValidTo.Before(*validTo) {
			vt := r.ValidTo
			validTo = &vt
		}
	}
	switch {
	case !ok:
		return "", nil, false
	case validTo != nil:
		return materialExpires, validTo, true
	}
	return materialDoesNotExpire, nil, true
}

// completeImports gives the versions of an EXTERNAL key that hold material without an import
// record (material imported into a data directory before kmsim recorded one) their ids and a
// record of material that does not expire, so that every version can be deleted and imported
// again by id. Callers hold the state lock and journal k.
func (s *Server) completeImports(k *keyRecord) error {
	ids, err := s.materialIDs(k)
	if err != nil {
		return err
	}
	k.MaterialIDs = ids
	if len(k.Imports) < len(k.Material) {
		recs := make([]importRecord, len(k.Material))
		copy(recs, k.Imports)
		for i := len(k.Imports); i < len(recs); i++ {
			recs[i] = importRecord{ExpirationModel: materialDoesNotExpire}
		}
		k.Imports = recs
	}
	return nil
}
