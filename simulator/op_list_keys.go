package simulator

import (
	"context"
	"encoding/base64"
	"sort"
)

// ListKeysInput is the ListKeys request.
type ListKeysInput struct {
	Limit  *int32 `json:"Limit,omitempty"`
	Marker string `json:"Marker,omitempty"`
}

// KeyListEntry names one key.
type KeyListEntry struct {
	KeyId  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

// ListKeysOutput is the ListKeys response.
type ListKeysOutput struct {
	Keys       []KeyListEntry `json:"Keys"`
	NextMarker string         `json:"NextMarker,omitempty"`
	Truncated  bool           `json:"Truncated"`
}

func (s *Server) listKeys(ctx context.Context, c *call, in *ListKeysInput) (*ListKeysOutput, error) {
	var v validationErrors
	validatePage(&v, in.Limit, in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "kms:ListKeys", nil, nil); err != nil {
		return nil, err
	}
	account := c.caller.principal.Account
	s.state.mu.RLock()
	var all []KeyListEntry
	for _, k := range s.state.keys {
		if k.Account == account && k.Region == c.region && k.ID > after {
			all = append(all, KeyListEntry{KeyId: k.ID, KeyArn: k.ARN()})
		}
	}
	s.state.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].KeyId < all[j].KeyId })
	page, next := paginate(all, limitOr(in.Limit, 100), func(e KeyListEntry) string { return e.KeyId })
	return &ListKeysOutput{Keys: page, NextMarker: next, Truncated: next != ""}, nil
}

func limitOr(limit *int32, def int) int {
	if limit == nil {
		return def
	}
	return int(*limit)
}

// pageSize is the number of entries a page holds: Limit (default def), at most max, as the
// operations that document a smaller range than the model's 1–1000 return.
func pageSize(limit *int32, def, max int) int {
	return min(limitOr(limit, def), max)
}

// paginate cuts a sorted list to limit entries and returns the marker for the rest.
func paginate[T any](all []T, limit int, name func(T) string) ([]T, string) {
	if all == nil {
		all = []T{}
	}
	if len(all) <= limit {
		return all, ""
	}
	page := all[:limit]
	return page, base64.RawURLEncoding.EncodeToString([]byte(name(page[limit-1])))
}

// validatePage checks the Limit and Marker members every List operation takes.
func validatePage(v *validationErrors, limit *int32, marker string) {
	v.intRange("limit", limit, 1, 1000)
	if marker != "" {
		v.length("marker", marker, 1, 1024, false)
		v.pattern("marker", marker, `[\u0020-\u00FF]*`)
	}
}

// decodeMarker reads a marker made by paginate.
func decodeMarker(m string) (string, error) {
	if m == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return "", apiError("InvalidMarkerException", "Invalid marker.")
	}
	return string(b), nil
}
