package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// ListKeyPoliciesInput is the ListKeyPolicies request.
type ListKeyPoliciesInput struct {
	KeyId  string `json:"KeyId"`
	Limit  *int32 `json:"Limit,omitempty"`
	Marker string `json:"Marker,omitempty"`
}

// ListKeyPoliciesOutput is the ListKeyPolicies response: every key has one policy, "default".
type ListKeyPoliciesOutput struct {
	PolicyNames []string `json:"PolicyNames"`
	NextMarker  string   `json:"NextMarker,omitempty"`
	Truncated   bool     `json:"Truncated"`
}

func (s *Server) listKeyPolicies(ctx context.Context, c *call, in *ListKeyPoliciesInput) (*ListKeyPoliciesOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	validatePage(&v, in.Limit, in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	if err := s.authorize(ctx, c, "kms:ListKeyPolicies", ref, nil); err != nil {
		return nil, err
	}
	names := []string{}
	if after < "default" {
		names = append(names, "default")
	}
	return &ListKeyPoliciesOutput{PolicyNames: names}, nil
}
