package simulator

import (
	"context"
	"regexp"
	"strings"

	"github.com/kmsim/kmsim/trail"
)

// CreateAliasInput is the CreateAlias request.
type CreateAliasInput struct {
	AliasName   string `json:"AliasName"`
	TargetKeyId string `json:"TargetKeyId"`
}

// CreateAliasOutput is the (empty) CreateAlias response.
type CreateAliasOutput struct{}

// maxAliasesPerKey is the "Aliases per KMS key" resource quota.
const maxAliasesPerKey = 50

var aliasNamePattern = regexp.MustCompile(`^[a-zA-Z0-9:/_-]+$`)

// validateAliasName applies the AliasName constraints and AWS's naming rules.
func validateAliasName(name string, creating bool) error {
	var v validationErrors
	v.required("aliasName", name != "")
	v.length("aliasName", name, 1, 256, false)
	if name != "" && !aliasNamePattern.MatchString(name) {
		v.add("Value '%s' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", name)
	}
	if err := v.err(); err != nil {
		return err
	}
	if !strings.HasPrefix(name, "alias/") {
		return errValidation(`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	}
	if creating && strings.HasPrefix(name, "alias/aws/") {
		return apiError("NotAuthorizedException", "Cannot create alias with prefix 'alias/aws/'")
	}
	return nil
}

func (s *Server) createAlias(ctx context.Context, c *call, in *CreateAliasInput) (*CreateAliasOutput, error) {
	if err := validateAliasName(in.AliasName, true); err != nil {
		return nil, err
	}
	var v validationErrors
	v.required("targetKeyId", in.TargetKeyId != "")
	v.length("targetKeyId", in.TargetKeyId, 1, 2048, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.TargetKeyId, "alias/") || strings.Contains(in.TargetKeyId, ":alias/") {
		return nil, errValidation("Aliases must refer to keys. Not aliases")
	}
	ref, err := s.resolveKey(c, in.TargetKeyId)
	if err != nil {
		return nil, err
	}
	k := ref.key
	alias := &aliasRecord{Name: in.AliasName, Account: c.caller.principal.Account, Region: c.region, TargetKeyID: k.ID, CreationDate: c.time, LastUpdated: c.time}
	c.resources = []trail.Resource{keyResource(k), {AccountID: alias.Account, Type: "AWS::KMS::Key", ARN: alias.ARN()}}
	if err := s.authorize(ctx, c, "kms:CreateAlias", ref, nil); err != nil {
		return nil, err
	}
	if err := checkKeyState(c.op, k); err != nil {
		return nil, err
	}
	if k.Account != alias.Account {
		return nil, apiError("AccessDeniedException", "%s is not authorized to create an alias for a key in account %s", c.caller.principal.ARN, k.Account)
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if _, exists := s.state.aliases[aliasKey(alias.Account, alias.Region, alias.Name)]; exists {
		return nil, apiError("AlreadyExistsException", "An alias with the name %s already exists", alias.ARN())
	}
	if len(s.state.aliasesOf(k)) >= maxAliasesPerKey {
		return nil, apiError("LimitExceededException", "The number of aliases for key %s exceeds the limit of %d.", k.ARN(), maxAliasesPerKey)
	}
	if err := s.state.commit(journalEntry{Alias: alias}); err != nil {
		return nil, err
	}
	c.response = keyIDResponse(k)
	return &CreateAliasOutput{}, nil
}
