package simulator

import "context"

// GetKeyRotationStatusOutput is the GetKeyRotationStatus response.
type GetKeyRotationStatusOutput struct {
	KeyId                     string     `json:"KeyId"`
	KeyRotationEnabled        bool       `json:"KeyRotationEnabled"`
	RotationPeriodInDays      *int32     `json:"RotationPeriodInDays,omitempty"`
	NextRotationDate          *epochTime `json:"NextRotationDate,omitempty"`
	OnDemandRotationStartDate *epochTime `json:"OnDemandRotationStartDate,omitempty"`
}

func (s *Server) getKeyRotationStatus(ctx context.Context, c *call, in *KeyIdInput) (*GetKeyRotationStatusOutput, error) {
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:GetKeyRotationStatus")
	if err != nil {
		return nil, err
	}
	k := ref.key
	if err := checkKeyState(c.op, k); err != nil {
		return nil, err
	}
	if err := rotatable(k); err != nil {
		return nil, err
	}
	out := &GetKeyRotationStatusOutput{KeyId: k.ARN(), KeyRotationEnabled: k.RotationPeriodInDays > 0}
	if k.RotationPeriodInDays > 0 {
		period := k.RotationPeriodInDays
		next := epochTime(k.NextRotationDate)
		out.RotationPeriodInDays, out.NextRotationDate = &period, &next
	}
	return out, nil
}
