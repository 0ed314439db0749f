package simulator

import (
	"context"
	"time"
)

func (s *Server) disableKeyRotation(ctx context.Context, c *call, in *KeyIdInput) (*EmptyOutput, error) {
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:DisableKeyRotation")
	if err != nil {
		return nil, err
	}
	_, err = s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		if err := rotationManageable(k, false); err != nil {
			return err
		}
		k.RotationPeriodInDays = 0
		k.NextRotationDate = time.Time{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}
