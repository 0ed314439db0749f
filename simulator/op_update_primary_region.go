package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// UpdatePrimaryRegionInput is the UpdatePrimaryRegion request.
type UpdatePrimaryRegionInput struct {
	KeyId         string `json:"KeyId"`
	PrimaryRegion string `json:"PrimaryRegion"`
}

// updatePrimaryRegion makes the replica in PrimaryRegion the primary of its multi-Region key set.
func (s *Server) updatePrimaryRegion(ctx context.Context, c *call, in *UpdatePrimaryRegionInput) (*EmptyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("primaryRegion", in.PrimaryRegion != "")
	v.length("primaryRegion", in.PrimaryRegion, 1, 32, false)
	if in.PrimaryRegion != "" && !regionPattern.MatchString(in.PrimaryRegion) {
		v.add("Value '%s' at 'primaryRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$", in.PrimaryRegion)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	if err := s.authorize(ctx, c, "kms:UpdatePrimaryRegion", ref, map[string][]string{"kms:PrimaryRegion": {in.PrimaryRegion}}); err != nil {
		return nil, err
	}
	if !k.MultiRegion || k.Region != k.PrimaryRegion {
		return nil, apiError("UnsupportedOperationException", "%s is not a multi-region primary key.", k.ARN())
	}
	if err := checkKeyState(c.op, k); err != nil {
		return nil, err
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	target, ok := s.state.keys[keyIndex(in.PrimaryRegion, k.ID)]
	if !ok {
		return nil, errNotFound("Key '%s' does not exist", (&keyRecord{ID: k.ID, Account: k.Account, Region: in.PrimaryRegion}).ARN())
	}
	if in.PrimaryRegion == k.Region {
		return &EmptyOutput{}, nil
	}
	if err := checkKeyState(c.op, target); err != nil {
		return nil, err
	}
	for _, member := range s.state.relatedKeys(k) {
		updated := *member
		updated.PrimaryRegion = in.PrimaryRegion
		if err := s.state.putKey(&updated); err != nil {
			return nil, err
		}
	}
	c.response = keyIDResponse(k)
	return &EmptyOutput{}, nil
}
