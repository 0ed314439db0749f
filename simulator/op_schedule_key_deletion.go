package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// ScheduleKeyDeletionInput is the ScheduleKeyDeletion request.
type ScheduleKeyDeletionInput struct {
	KeyId               string `json:"KeyId"`
	PendingWindowInDays *int32 `json:"PendingWindowInDays,omitempty"`
}

// ScheduleKeyDeletionOutput is the ScheduleKeyDeletion response.
type ScheduleKeyDeletionOutput struct {
	KeyId               string     `json:"KeyId"`
	DeletionDate        *epochTime `json:"DeletionDate,omitempty"`
	KeyState            string     `json:"KeyState"`
	PendingWindowInDays int32      `json:"PendingWindowInDays"`
}

func (s *Server) scheduleKeyDeletion(ctx context.Context, c *call, in *ScheduleKeyDeletionInput) (*ScheduleKeyDeletionOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.intRange("pendingWindowInDays", in.PendingWindowInDays, 1, 365)
	if err := v.err(); err != nil {
		return nil, err
	}
	window := int32(30)
	if in.PendingWindowInDays != nil {
		window = *in.PendingWindowInDays
	}
	in.PendingWindowInDays = &window
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	extra := map[string][]string{"kms:ScheduleKeyDeletionPendingWindowInDays": {itoa(int64(window))}}
	if err := s.authorize(ctx, c, "kms:ScheduleKeyDeletion", ref, extra); err != nil {
		return nil, err
	}
	if window < 7 || window > 30 {
		return nil, errValidation("PendingWindowInDays value must be between 7 and 30.")
	}
	k, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		k.PendingWindowInDays = window
		if k.MultiRegion && k.Region == k.PrimaryRegion && len(s.state.replicasOf(k)) > 0 {
			// The waiting period starts when the last replica is deleted.
			k.State = statePendingReplicaDeletion
			return nil
		}
		k.State = statePendingDeletion
		k.DeletionDate = c.time.AddDate(0, 0, int(window))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if k.State == statePendingReplicaDeletion {
		c.response = map[string]any{"keyId": k.ARN(), "keyState": k.State, "pendingWindowInDays": window}
		return &ScheduleKeyDeletionOutput{KeyId: k.ARN(), KeyState: k.State, PendingWindowInDays: window}, nil
	}
	c.response = map[string]any{"keyId": k.ARN(), "keyState": k.State, "deletionDate": trailDate(k.DeletionDate)}
	d := epochTime(k.DeletionDate)
	return &ScheduleKeyDeletionOutput{KeyId: k.ARN(), DeletionDate: &d, KeyState: k.State, PendingWindowInDays: window}, nil
}
