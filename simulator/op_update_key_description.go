package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// UpdateKeyDescriptionInput is the UpdateKeyDescription request.
type UpdateKeyDescriptionInput struct {
	KeyId       string `json:"KeyId"`
	Description string `json:"Description" trail:"always"`
}

func (s *Server) updateKeyDescription(ctx context.Context, c *call, in *UpdateKeyDescriptionInput) (*EmptyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.length("description", in.Description, 0, 8192, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	if err := s.authorize(ctx, c, "kms:UpdateKeyDescription", ref, nil); err != nil {
		return nil, err
	}
	if err := checkKeyState(c.op, ref.key); err != nil {
		return nil, err
	}
	_, err = s.mutateKey(ref.key, func(k *keyRecord) error {
		k.Description = in.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}
