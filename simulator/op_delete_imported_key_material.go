package simulator

import (
	"context"
	"time"
)

// DeleteImportedKeyMaterialInput is the DeleteImportedKeyMaterial request.
type DeleteImportedKeyMaterialInput struct {
	KeyId         string `json:"KeyId"`
	KeyMaterialId string `json:"KeyMaterialId,omitempty"`
}

// deleteImportedKeyMaterial removes a key's imported material: the key waits for it again
// (PendingImport); only the same material can be imported back.
func (s *Server) deleteImportedKeyMaterial(ctx context.Context, c *call, in *DeleteImportedKeyMaterialInput) (*EmptyOutput, error) {
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:DeleteImportedKeyMaterial")
	if err != nil {
		return nil, err
	}
	k, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		if k.Origin != "EXTERNAL" {
			return apiError("UnsupportedOperationException", "%s origin is %s which is not valid for this operation.", k.ARN(), k.Origin)
		}
		removeImportedMaterial(k)
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.response = keyIDResponse(k)
	return &EmptyOutput{}, nil
}

// removeImportedMaterial forgets a key's imported material; a key pending deletion stays so.
func removeImportedMaterial(k *keyRecord) {
	k.Material = nil
	k.ExpirationModel, k.ValidTo = "", time.Time{}
	if k.State != statePendingDeletion {
		k.State = statePendingImport
	}
}
