package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// UntagResourceInput is the UntagResource request.
type UntagResourceInput struct {
	KeyId   string   `json:"KeyId"`
	TagKeys []string `json:"TagKeys"`
}

func (s *Server) untagResource(ctx context.Context, c *call, in *UntagResourceInput) (*EmptyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("tagKeys", in.TagKeys != nil)
	for i, k := range in.TagKeys {
		v.length("tagKeys."+itoa(int64(i+1))+".member", k, 1, 128, false)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	if err := s.authorize(ctx, c, "kms:UntagResource", ref, map[string][]string{"aws:TagKeys": in.TagKeys}); err != nil {
		return nil, err
	}
	k, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		tags := map[string]string{}
		for key, val := range k.Tags {
			tags[key] = val
		}
		for _, key := range in.TagKeys {
			delete(tags, key)
		}
		k.Tags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.response = keyIDResponse(k)
	return &EmptyOutput{}, nil
}
