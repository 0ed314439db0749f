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
	validatePolicy(&v, in.Policy)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkPolicySize(in.Policy); err != nil {
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

// maxPolicySize is the key policy document size quota (32 KB); the model allows longer values.
const maxPolicySize = 32768

// validatePolicy applies the model's constraints to a key policy member.
func validatePolicy(v *validationErrors, policy string) {
	v.length("policy", policy, 1, 131072, false)
	v.pattern("policy", policy, `[\u0009\u000A\u000D\u0020-\u00FF]+`)
}

// checkPolicySize refuses a key policy larger than the quota.
func checkPolicySize(policy string) error {
	if len(policy) > maxPolicySize {
		return errQuotaExceeded()
	}
	return nil
}
