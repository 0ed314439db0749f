package simulator

import (
	"context"
	"time"
)

// CancelKeyDeletionOutput is the CancelKeyDeletion response.
type CancelKeyDeletionOutput struct {
	KeyId string `json:"KeyId"`
}

func (s *Server) cancelKeyDeletion(ctx context.Context, c *call, in *KeyIdInput) (*CancelKeyDeletionOutput, error) {
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:CancelKeyDeletion")
	if err != nil {
		return nil, err
	}
	k, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		// A key whose deletion is canceled comes back disabled.
		k.State = stateDisabled
		k.DeletionDate = time.Time{}
		k.PendingWindowInDays = 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.response = keyIDResponse(k)
	return &CancelKeyDeletionOutput{KeyId: k.ARN()}, nil
}
