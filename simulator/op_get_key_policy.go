package simulator

import (
	"context"
	"regexp"

	"github.com/kmsim/kmsim/trail"
)

// GetKeyPolicyInput is the GetKeyPolicy request.
type GetKeyPolicyInput struct {
	KeyId      string `json:"KeyId"`
	PolicyName string `json:"PolicyName,omitempty"`
}

// GetKeyPolicyOutput is the GetKeyPolicy response.
type GetKeyPolicyOutput struct {
	Policy     string `json:"Policy"`
	PolicyName string `json:"PolicyName"`
}

var policyNamePattern = regexp.MustCompile(`^[\w]+$`)

// validatePolicyName checks PolicyName; "default" is the only key policy a key has.
func validatePolicyName(v *validationErrors, name string) {
	v.length("policyName", name, 1, 128, false)
	if name != "" && !policyNamePattern.MatchString(name) {
		v.add("Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+", name)
	}
}

func (s *Server) getKeyPolicy(ctx context.Context, c *call, in *GetKeyPolicyInput) (*GetKeyPolicyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	in.PolicyName = orDefault(in.PolicyName, "default")
	validatePolicyName(&v, in.PolicyName)
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	if err := s.authorize(ctx, c, "kms:GetKeyPolicy", ref, nil); err != nil {
		return nil, err
	}
	if in.PolicyName != "default" {
		return nil, errNotFound("No such policy exists")
	}
	return &GetKeyPolicyOutput{Policy: ref.key.Policy, PolicyName: "default"}, nil
}
