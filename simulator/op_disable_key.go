package simulator

import "context"

func (s *Server) disableKey(ctx context.Context, c *call, in *KeyIdInput) (*EmptyOutput, error) {
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:DisableKey")
	if err != nil {
		return nil, err
	}
	k, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		if k.State == stateEnabled {
			k.State = stateDisabled
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.response = keyIDResponse(k)
	return &EmptyOutput{}, nil
}
