package simulator

import (
	"context"
	"strings"

	"github.com/kmsim/kmsim/trail"
)

// UpdateAliasInput is the UpdateAlias request.
type UpdateAliasInput struct {
	AliasName   string `json:"AliasName"`
	TargetKeyId string `json:"TargetKeyId"`
}

// updateAlias points an existing alias at another key of the same type and usage.
func (s *Server) updateAlias(ctx context.Context, c *call, in *UpdateAliasInput) (*EmptyOutput, error) {
	if err := validateAliasName(in.AliasName, false); err != nil {
		return nil, err
	}
	var v validationErrors
	v.required("targetKeyId", in.TargetKeyId != "")
	v.length("targetKeyId", in.TargetKeyId, 1, 2048, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.AliasName, "alias/aws/") {
		return nil, apiError("NotAuthorizedException", "Cannot update alias with prefix 'alias/aws/'")
	}
	if strings.HasPrefix(in.TargetKeyId, "alias/") || strings.Contains(in.TargetKeyId, ":alias/") {
		return nil, errValidation("Aliases must refer to keys. Not aliases")
	}
	current, err := s.resolveKey(c, in.AliasName)
	if err != nil {
		return nil, err
	}
	target, err := s.resolveKey(c, in.TargetKeyId)
	if err != nil {
		return nil, err
	}
	account := c.caller.principal.Account
	alias := aliasRecord{Name: in.AliasName, Account: account, Region: c.region}
	c.resources = []trail.Resource{{AccountID: account, Type: "AWS::KMS::Key", ARN: alias.ARN()}, keyResource(target.key)}
	if err := s.authorize(ctx, c, "kms:UpdateAlias", current, nil); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "kms:UpdateAlias", &keyRef{key: target.key}, nil); err != nil {
		return nil, err
	}
	if target.key.Account != account {
		return nil, errNotFound("Key '%s' does not exist", target.key.ARN())
	}
	if err := checkKeyState(c.op, target.key); err != nil {
		return nil, err
	}
	if target.key.State == statePendingDeletion {
		// Footnote 10: an alias may move off a key pending deletion, not onto one.
		return nil, errInvalidState("%s is pending deletion.", target.key.ARN())
	}
	if current.key.Spec != target.key.Spec && (isSymmetric(current.key) || isSymmetric(target.key)) || current.key.Usage != target.key.Usage {
		return nil, errValidation("Alias %s cannot be changed from a key with key spec %s and key usage %s to a key with key spec %s and key usage %s. The current and new KMS key must be the same type and have the same key usage.",
			alias.ARN(), current.key.Spec, current.key.Usage, target.key.Spec, target.key.Usage)
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	stored, ok := s.state.aliases[aliasKey(account, c.region, in.AliasName)]
	if !ok {
		return nil, errNotFound("Alias %s is not found.", alias.ARN())
	}
	updated := *stored
	updated.TargetKeyID, updated.LastUpdated = target.key.ID, c.time
	if err := s.state.commit(journalEntry{Alias: &updated}); err != nil {
		return nil, err
	}
	c.response = keyIDResponse(target.key)
	return &EmptyOutput{}, nil
}

func isSymmetric(k *keyRecord) bool { return k.Spec == "SYMMETRIC_DEFAULT" }
