package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// PutKeyPolicyInput is the PutKeyPolicy request.
type PutKeyPolicyInput struct {
	KeyId                          string `json:"KeyId"`
	PolicyName                     string `json:"PolicyName,omitempty"`
	Policy                         string `json:"Policy"`
	BypassPolicyLockoutSafetyCheck bool   `json:"BypassPolicyLockoutSafetyCheck" trail:"always"`
}

// PutKeyPolicyOutput is the (empty) PutKeyPolicy response.
type PutKeyPolicyOutput struct{}

func (s *Server) putKeyPolicy(ctx context.Context, c *call, in *PutKeyPolicyInput) (*PutKeyPolicyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	in.PolicyName = orDefault(in.PolicyName, "default")
	validatePolicyName(&v, in.PolicyName)
	v.required("policy", in.Policy != "")
	v.length("policy", in.Policy, 1, 32768, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	extra := map[string][]string{"kms:BypassPolicyLockoutSafetyCheck": {boolString(in.BypassPolicyLockoutSafetyCheck)}}
	if err := s.authorize(ctx, c, "kms:PutKeyPolicy", ref, extra); err != nil {
		return nil, err
	}
	if in.PolicyName != "default" {
		return nil, errNotFound("No such policy exists")
	}
	if err := s.checkNewPolicy(ctx, c, ref.key, in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
		return nil, err
	}
	if _, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		k.Policy = in.Policy
		return nil
	}); err != nil {
		return nil, err
	}
	return &PutKeyPolicyOutput{}, nil
}
