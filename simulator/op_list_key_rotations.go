package simulator

import (
	"context"
	"strconv"
)

// ListKeyRotationsInput is the ListKeyRotations request.
type ListKeyRotationsInput struct {
	KeyId              string `json:"KeyId"`
	IncludeKeyMaterial string `json:"IncludeKeyMaterial,omitempty"`
	Limit              *int32 `json:"Limit,omitempty"`
	Marker             string `json:"Marker,omitempty"`
}

// RotationsListEntry is one key material of a key: the first, one from a completed rotation, or
// imported material pending rotation.
type RotationsListEntry struct {
	KeyId                  string     `json:"KeyId"`
	KeyMaterialId          string     `json:"KeyMaterialId,omitempty"`
	KeyMaterialDescription string     `json:"KeyMaterialDescription,omitempty"`
	ImportState            string     `json:"ImportState,omitempty"`
	KeyMaterialState       string     `json:"KeyMaterialState,omitempty"`
	ExpirationModel        string     `json:"ExpirationModel,omitempty"`
	ValidTo                *epochTime `json:"ValidTo,omitempty"`
	RotationDate           *epochTime `json:"RotationDate,omitempty"`
	RotationType           string     `json:"RotationType,omitempty"`
}

// ListKeyRotationsOutput is the ListKeyRotations response.
type ListKeyRotationsOutput struct {
	Rotations  []RotationsListEntry `json:"Rotations"`
	NextMarker string               `json:"NextMarker,omitempty"`
	Truncated  bool                 `json:"Truncated"`
}

// Values of IncludeKeyMaterial, and of the entries' KeyMaterialState and ImportState.
const (
	allKeyMaterial   = "ALL_KEY_MATERIAL"
	rotationsOnly    = "ROTATIONS_ONLY"
	materialCurrent  = "CURRENT"
	materialOld      = "NON_CURRENT"
	materialPending  = "PENDING_ROTATION"
	materialPendingM = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
	importImported   = "IMPORTED"
	importPending    = "PENDING_IMPORT"
)

func (s *Server) listKeyRotations(ctx context.Context, c *call, in *ListKeyRotationsInput) (*ListKeyRotationsOutput, error) {
	var v validationErrors
	v.enum("includeKeyMaterial", in.IncludeKeyMaterial, []string{allKeyMaterial, rotationsOnly})
	validatePage(&v, in.Limit, in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:ListKeyRotations")
	if err != nil {
		return nil, err
	}
	k := ref.key
	// A key with imported material lists its materials while it waits for one of them.
	if k.Origin != "EXTERNAL" || k.State != statePendingImport {
		if err := checkKeyState(c.op, k); err != nil {
			return nil, err
		}
	}
	if err := hasMaterialVersions(k); err != nil {
		return nil, err
	}
	// Entries are numbered by material version (the first is 0, pending material last) so a marker
	// names a position that stays valid as rotations are added.
	type numbered struct {
		n int
		e RotationsListEntry
	}
	all := in.IncludeKeyMaterial == allKeyMaterial
	var entries []numbered
	for n, e := range s.materialEntries(k) {
		rotation := n >= 1 && n < len(k.Material) // neither the first material nor pending material
		if (all || rotation) && (after == "" || n > atoi(after)) {
			entries = append(entries, numbered{n, e})
		}
	}
	page, next := paginate(entries, limitOr(in.Limit, 100), func(x numbered) string { return strconv.Itoa(x.n) })
	out := &ListKeyRotationsOutput{Rotations: []RotationsListEntry{}, NextMarker: next, Truncated: next != ""}
	for _, x := range page {
		out.Rotations = append(out.Rotations, x.e)
	}
	return out, nil
}

// materialEntries describes every material of k, oldest first, then its pending material.
func (s *Server) materialEntries(k *keyRecord) []RotationsListEntry {
	imported := k.Origin == "EXTERNAL"
	var out []RotationsListEntry
	for i := range k.Material {
		e := RotationsListEntry{KeyId: k.ID, KeyMaterialId: s.versionMaterialID(k, i+1), KeyMaterialState: materialOld}
		if i == len(k.Material)-1 {
			e.KeyMaterialState = materialCurrent
		}
		if i > 0 && i-1 < len(k.Rotations) {
			r := k.Rotations[i-1]
			d := epochTime(r.RotationDate)
			e.RotationDate, e.RotationType = &d, r.RotationType
		}
		if imported && i < len(k.Imports) {
			e.ImportState = importImported
			if k.Material[i] == nil {
				e.ImportState = importPending
			}
			describeImport(&e, k.Imports[i])
		}
		out = append(out, e)
	}
	if p := k.Pending; p != nil {
		e := RotationsListEntry{KeyId: k.ID, KeyMaterialId: p.ID, KeyMaterialState: materialPending, ImportState: importImported}
		if k.MultiRegion && k.Region == k.PrimaryRegion && !s.replicasHold(k, p.ID) {
			e.KeyMaterialState = materialPendingM
		}
		describeImport(&e, p.importRecord)
		out = append(out, e)
	}
	return out
}

func describeImport(e *RotationsListEntry, r importRecord) {
	e.KeyMaterialDescription, e.ExpirationModel = r.Description, r.ExpirationModel
	if r.ExpirationModel == materialExpires {
		vt := epochTime(r.ValidTo)
		e.ValidTo = &vt
	}
}

// replicasHold reports whether every replica of a primary key holds pending material id.
func (s *Server) replicasHold(primary *keyRecord, id string) bool {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	for _, r := range s.state.replicasOf(primary) {
		if r.Pending == nil || r.Pending.ID != id {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
