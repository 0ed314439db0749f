package simulator

import (
	"context"
	"slices"
	"strings"

	"github.com/kmsim/kmsim/trail"
)

// RetireGrantInput is the RetireGrant request: a grant token, or a key and grant id. CloudTrail
// records no request parameters for it (the token is a secret) and the grant id in additionalEventData.
type RetireGrantInput struct {
	GrantToken string `json:"GrantToken,omitempty" trail:"-"`
	KeyId      string `json:"KeyId,omitempty" trail:"-"`
	GrantId    string `json:"GrantId,omitempty" trail:"-"`
	DryRun     *bool  `json:"DryRun,omitempty" trail:"-"`
}

// retireGrant deletes a grant on behalf of its retiring principal, or of its grantee when the grant
// allows RetireGrant.
func (s *Server) retireGrant(ctx context.Context, c *call, in *RetireGrantInput) (*EmptyOutput, error) {
	var v validationErrors
	v.length("grantToken", in.GrantToken, 0, 8192, true)
	v.length("keyId", in.KeyId, 0, 2048, false)
	v.length("grantId", in.GrantId, 0, 128, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	var g *grantRecord
	switch {
	case in.GrantToken != "":
		s.state.mu.RLock()
		g = s.state.grantByToken(in.GrantToken)
		s.state.mu.RUnlock()
		if g == nil {
			return nil, apiError("InvalidGrantTokenException", "Invalid grant token.")
		}
	case in.KeyId != "" && in.GrantId != "":
		ref, err := s.resolveKey(c, in.KeyId)
		if err != nil {
			return nil, err
		}
		s.state.mu.RLock()
		found, ok := s.state.grants[in.GrantId]
		s.state.mu.RUnlock()
		if !ok || found.KeyARN != ref.key.ARN() {
			return nil, errNotFound("Grant ID %s not found", in.GrantId)
		}
		g = found
	default:
		return nil, errValidation("Either GrantToken, or both KeyId and GrantId must be specified.")
	}
	c.resources = []trail.Resource{{AccountID: accountOfARN(g.KeyARN), Type: "AWS::KMS::Key", ARN: g.KeyARN}}
	c.additional = map[string]any{"grantId": g.ID}
	p := c.caller.principal
	isRetiring := g.RetiringPrincipal != "" && (g.RetiringPrincipal == p.ARN || g.RetiringPrincipal == p.RoleARN)
	isGrantee := (g.GranteePrincipal == p.ARN || g.GranteePrincipal == p.RoleARN) && slices.Contains(g.Operations, "RetireGrant")
	if !isRetiring && !isGrantee {
		return nil, apiError("AccessDeniedException", "User: %s is not authorized to perform: kms:RetireGrant on resource: %s because no resource-based policy allows the kms:RetireGrant action", p.ARN, g.KeyARN)
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if err := s.state.commit(journalEntry{DeleteGrant: g.ID}); err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}

// accountOfARN is the account field of an ARN.
func accountOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}
