package simulator

import (
	"context"
	"fmt"

	"github.com/kmsim/kmsim/trail"
)

// DescribeKeyInput is the DescribeKey request.
type DescribeKeyInput struct {
	KeyId       string   `json:"KeyId"`
	GrantTokens []string `json:"GrantTokens,omitempty"`
}

// DescribeKeyOutput is the DescribeKey response.
type DescribeKeyOutput struct {
	KeyMetadata *KeyMetadata `json:"KeyMetadata"`
}

func (s *Server) describeKey(ctx context.Context, c *call, in *DescribeKeyInput) (*DescribeKeyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	validateGrantTokens(&v, in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	if err := s.authorize(ctx, c, "kms:DescribeKey", ref, nil); err != nil {
		return nil, err
	}
	return &DescribeKeyOutput{KeyMetadata: s.describe(ref.key)}, nil
}

// validateGrantTokens applies the GrantTokens constraints shared by every operation that takes them.
func validateGrantTokens(v *validationErrors, tokens []string) {
	if len(tokens) > 10 {
		v.add("Value '%v' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10", tokens)
	}
	for i, t := range tokens {
		v.length(fmt.Sprintf("grantTokens.%d.member", i+1), t, 1, 8192, false)
	}
}
