package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// DeleteAliasInput is the DeleteAlias request.
type DeleteAliasInput struct {
	AliasName string `json:"AliasName"`
}

// DeleteAliasOutput is the (empty) DeleteAlias response.
type DeleteAliasOutput struct{}

func (s *Server) deleteAlias(ctx context.Context, c *call, in *DeleteAliasInput) (*DeleteAliasOutput, error) {
	if err := validateAliasName(in.AliasName, false); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.AliasName)
	if err != nil {
		return nil, err
	}
	k := ref.key
	id := aliasKey(c.caller.principal.Account, c.region, in.AliasName)
	aliasARN := (&aliasRecord{Name: in.AliasName, Account: c.caller.principal.Account, Region: c.region}).ARN()
	c.resources = []trail.Resource{{AccountID: c.caller.principal.Account, Type: "AWS::KMS::Key", ARN: aliasARN}, keyResource(k)}
	if err := s.authorize(ctx, c, "kms:DeleteAlias", ref, nil); err != nil {
		return nil, err
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if err := s.state.commit(journalEntry{DeleteAlias: id}); err != nil {
		return nil, err
	}
	c.response = keyIDResponse(k)
	return &DeleteAliasOutput{}, nil
}
