package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// RevokeGrantInput is the RevokeGrant request.
type RevokeGrantInput struct {
	KeyId   string `json:"KeyId"`
	GrantId string `json:"GrantId"`
	DryRun  *bool  `json:"DryRun,omitempty"`
}

func (s *Server) revokeGrant(ctx context.Context, c *call, in *RevokeGrantInput) (*EmptyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("grantId", in.GrantId != "")
	v.length("grantId", in.GrantId, 1, 128, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	if err := s.authorize(ctx, c, "kms:RevokeGrant", ref, nil); err != nil {
		return nil, err
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	g, ok := s.state.grants[in.GrantId]
	if !ok || g.KeyARN != ref.key.ARN() {
		return nil, errNotFound("Grant ID %s not found", in.GrantId)
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	if err := s.state.commit(journalEntry{DeleteGrant: g.ID}); err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}
