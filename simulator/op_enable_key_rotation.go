package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// EnableKeyRotationInput is the EnableKeyRotation request.
type EnableKeyRotationInput struct {
	KeyId                string `json:"KeyId"`
	RotationPeriodInDays *int32 `json:"RotationPeriodInDays,omitempty"`
}

func (s *Server) enableKeyRotation(ctx context.Context, c *call, in *EnableKeyRotationInput) (*EmptyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.intRange("rotationPeriodInDays", in.RotationPeriodInDays, minRotationPeriod, maxRotationPeriod)
	if err := v.err(); err != nil {
		return nil, err
	}
	period := int32(defaultRotationPeriod)
	if in.RotationPeriodInDays != nil {
		period = *in.RotationPeriodInDays
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	extra := map[string][]string{"kms:RotationPeriodInDays": {itoa(int64(period))}}
	if err := s.authorize(ctx, c, "kms:EnableKeyRotation", ref, extra); err != nil {
		return nil, err
	}
	k, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		if err := rotationManageable(k, false); err != nil {
			return err
		}
		k.RotationPeriodInDays = period
		k.NextRotationDate = c.time.AddDate(0, 0, int(period))
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.response = keyIDResponse(k)
	return &EmptyOutput{}, nil
}
