package simulator

import (
	"context"
	"slices"
)

// DeleteImportedKeyMaterialInput is the DeleteImportedKeyMaterial request.
type DeleteImportedKeyMaterialInput struct {
	KeyId         string `json:"KeyId"`
	KeyMaterialId string `json:"KeyMaterialId,omitempty"`
}

// DeleteImportedKeyMaterialOutput is the DeleteImportedKeyMaterial response.
type DeleteImportedKeyMaterialOutput struct {
	KeyId         string `json:"KeyId"`
	KeyMaterialId string `json:"KeyMaterialId,omitempty"`
}

// deleteImportedKeyMaterial removes imported material, the current material unless KeyMaterialId
// names another: the key waits for it again (PendingImport) and only the same material can be
// imported back. Deleting pending material leaves the key usable.
func (s *Server) deleteImportedKeyMaterial(ctx context.Context, c *call, in *DeleteImportedKeyMaterialInput) (*DeleteImportedKeyMaterialOutput, error) {
	if in.KeyMaterialId != "" {
		var v validationErrors
		v.length("keyMaterialId", in.KeyMaterialId, 64, 64, false)
		v.pattern("keyMaterialId", in.KeyMaterialId, materialIDPattern)
		if err := v.err(); err != nil {
			return nil, err
		}
	}
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:DeleteImportedKeyMaterial")
	if err != nil {
		return nil, err
	}
	deleted := ""
	k, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		if k.Origin != "EXTERNAL" {
			return apiError("UnsupportedOperationException", "%s origin is %s which is not valid for this operation.", k.ARN(), k.Origin)
		}
		if err := s.completeImports(k); err != nil {
			return err
		}
		const none, pending = -2, -1
		i := len(k.MaterialIDs) - 1 // the current material
		switch {
		case in.KeyMaterialId == "" && i < 0:
			i = none
		case in.KeyMaterialId == "":
		case k.Pending != nil && k.Pending.ID == in.KeyMaterialId:
			i = pending
		default:
			if i = slices.Index(k.MaterialIDs, in.KeyMaterialId); i < 0 {
				return errNotFound("Key material %s is not associated with %s.", in.KeyMaterialId, k.ARN())
			}
		}
		switch i {
		case none:
			if k.State != statePendingDeletion && k.State != statePendingReplicaDeletion {
				k.State = statePendingImport
			}
		case pending:
			deleted = k.Pending.ID
			if err := s.deletePendingOfReplicas(k); err != nil {
				return err
			}
			deleteMaterial(k, i)
		default:
			deleted = k.MaterialIDs[i]
			deleteMaterial(k, i)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.response = keyIDResponse(k)
	out := &DeleteImportedKeyMaterialOutput{KeyId: k.ARN()}
	if reportsMaterialIDs(k) && deleted != "" {
		out.KeyMaterialId = deleted
	}
	return out, nil
}

// deletePendingOfReplicas deletes the pending material of a multi-Region primary key's replicas
// along with the primary's, as AWS does. Callers hold the state lock.
func (s *Server) deletePendingOfReplicas(primary *keyRecord) error {
	if !primary.MultiRegion || primary.Region != primary.PrimaryRegion {
		return nil
	}
	for _, r := range s.state.replicasOf(primary) {
		if r.Pending == nil || r.Pending.ID != primary.Pending.ID {
			continue
		}
		updated := *r
		updated.Pending = nil
		if err := s.state.putKey(&updated); err != nil {
			return err
		}
	}
	return nil
}
