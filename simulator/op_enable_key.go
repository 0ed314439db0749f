package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// KeyIdInput is the request of operations that take only a key: EnableKey, DisableKey, CancelKeyDeletion.
type KeyIdInput struct {
	KeyId string `json:"KeyId"`
}

// EmptyOutput is the response of operations that return nothing.
type EmptyOutput struct{}

// keyOnly validates a KeyId-only request, resolves the key and authorizes action on it.
func (s *Server) keyOnly(ctx context.Context, c *call, keyID, action string) (*keyRef, error) {
	var v validationErrors
	v.required("keyId", keyID != "")
	v.length("keyId", keyID, 1, 2048, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, keyID)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	if err := s.authorize(ctx, c, action, ref, nil); err != nil {
		return nil, err
	}
	return ref, nil
}

func (s *Server) enableKey(ctx context.Context, c *call, in *KeyIdInput) (*EmptyOutput, error) {
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:EnableKey")
	if err != nil {
		return nil, err
	}
	k, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		if k.State == stateDisabled {
			k.State = stateEnabled
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.response = keyIDResponse(k)
	return &EmptyOutput{}, nil
}
