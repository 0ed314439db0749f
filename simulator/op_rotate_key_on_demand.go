package simulator

import "context"

// RotateKeyOnDemandOutput is the RotateKeyOnDemand response.
type RotateKeyOnDemandOutput struct {
	KeyId string `json:"KeyId"`
}

func (s *Server) rotateKeyOnDemand(ctx context.Context, c *call, in *KeyIdInput) (*RotateKeyOnDemandOutput, error) {
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:RotateKeyOnDemand")
	if err != nil {
		return nil, err
	}
	k, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		if err := rotationManageable(k); err != nil {
			return err
		}
		if k.onDemandRotations() >= maxOnDemandRotations {
			return apiError("LimitExceededException", "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s", k.ARN())
		}
		s.rotate(k, c.time, rotationOnDemand)
		return s.syncReplicas(k, c.time)
	})
	if err != nil {
		return nil, err
	}
	c.response = map[string]any{"keyId": k.ID}
	s.recordServiceEvent("RotateKey", k, c.time, map[string]any{"rotationType": rotationOnDemand, "keyId": k.ID})
	return &RotateKeyOnDemandOutput{KeyId: k.ID}, nil
}
