package simulator

import (
	"context"
	"sort"
)

// ListAliasesInput is the ListAliases request.
type ListAliasesInput struct {
	KeyId  string `json:"KeyId,omitempty"`
	Limit  *int32 `json:"Limit,omitempty"`
	Marker string `json:"Marker,omitempty"`
}

// AliasListEntry is one alias.
type AliasListEntry struct {
	AliasName       string    `json:"AliasName"`
	AliasArn        string    `json:"AliasArn"`
	TargetKeyId     string    `json:"TargetKeyId,omitempty"`
	CreationDate    epochTime `json:"CreationDate"`
	LastUpdatedDate epochTime `json:"LastUpdatedDate"`
}

// ListAliasesOutput is the ListAliases response.
type ListAliasesOutput struct {
	Aliases    []AliasListEntry `json:"Aliases"`
	NextMarker string           `json:"NextMarker,omitempty"`
	Truncated  bool             `json:"Truncated"`
}

func (s *Server) listAliases(ctx context.Context, c *call, in *ListAliasesInput) (*ListAliasesOutput, error) {
	var v validationErrors
	v.length("keyId", in.KeyId, 0, 2048, false)
	validatePage(&v, in.Limit, in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	targetID := ""
	if in.KeyId != "" {
		ref, err := s.resolveKey(c, in.KeyId)
		if err != nil {
			return nil, err
		}
		targetID = ref.key.ID
	}
	if err := s.authorize(ctx, c, "kms:ListAliases", nil, nil); err != nil {
		return nil, err
	}
	account := c.caller.principal.Account
	s.state.mu.RLock()
	var all []AliasListEntry
	for _, a := range s.state.aliases {
		if a.Account != account || a.Region != c.region || a.Name <= after || (targetID != "" && a.TargetKeyID != targetID) {
			continue
		}
		all = append(all, AliasListEntry{AliasName: a.Name, AliasArn: a.ARN(), TargetKeyId: a.TargetKeyID,
			CreationDate: epochTime(a.CreationDate), LastUpdatedDate: epochTime(a.LastUpdated)})
	}
	s.state.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].AliasName < all[j].AliasName })
	page, next := paginate(all, pageSize(in.Limit, 50, 100), func(e AliasListEntry) string { return e.AliasName })
	return &ListAliasesOutput{Aliases: page, NextMarker: next, Truncated: next != ""}, nil
}
