package simulator

import (
	"context"
	"sort"
)

// ListResourceTagsInput is the ListResourceTags request.
type ListResourceTagsInput struct {
	KeyId  string `json:"KeyId"`
	Limit  *int32 `json:"Limit,omitempty"`
	Marker string `json:"Marker,omitempty"`
}

// ListResourceTagsOutput is the ListResourceTags response.
type ListResourceTagsOutput struct {
	Tags       []Tag  `json:"Tags"`
	NextMarker string `json:"NextMarker,omitempty"`
	Truncated  bool   `json:"Truncated"`
}

func (s *Server) listResourceTags(ctx context.Context, c *call, in *ListResourceTagsInput) (*ListResourceTagsOutput, error) {
	var v validationErrors
	validatePage(&v, in.Limit, in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:ListResourceTags")
	if err != nil {
		return nil, err
	}
	var all []Tag
	for key, val := range ref.key.Tags {
		if key > after {
			all = append(all, Tag{TagKey: key, TagValue: val})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].TagKey < all[j].TagKey })
	page, next := paginate(all, pageSize(in.Limit, 50, 50), func(t Tag) string { return t.TagKey })
	return &ListResourceTagsOutput{Tags: page, NextMarker: next, Truncated: next != ""}, nil
}
