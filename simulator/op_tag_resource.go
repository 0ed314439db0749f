package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// TagResourceInput is the TagResource request.
type TagResourceInput struct {
	KeyId string `json:"KeyId"`
	Tags  []Tag  `json:"Tags"`
}

// maxTagsPerKey is the tags-per-key quota.
const maxTagsPerKey = 50

func (s *Server) tagResource(ctx context.Context, c *call, in *TagResourceInput) (*EmptyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("tags", in.Tags != nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(ref.key)}
	extra := map[string][]string{}
	for _, t := range in.Tags {
		extra["aws:RequestTag/"+t.TagKey] = []string{t.TagValue}
		extra["aws:TagKeys"] = append(extra["aws:TagKeys"], t.TagKey)
	}
	if err := s.authorize(ctx, c, "kms:TagResource", ref, extra); err != nil {
		return nil, err
	}
	_, err = s.mutateKey(ref.key, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		tags := make(map[string]string, len(k.Tags)+len(in.Tags))
		for key, val := range k.Tags {
			tags[key] = val
		}
		for _, t := range in.Tags {
			tags[t.TagKey] = t.TagValue
		}
		if len(tags) > maxTagsPerKey {
			return apiError("TagException", "Too many tags")
		}
		k.Tags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}
