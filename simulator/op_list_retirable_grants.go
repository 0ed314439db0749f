package simulator

import (
	"context"
	"sort"
	"strings"
)

// ListRetirableGrantsInput is the ListRetirableGrants request.
type ListRetirableGrantsInput struct {
	Limit             *int32 `json:"Limit,omitempty"`
	Marker            string `json:"Marker,omitempty"`
	RetiringPrincipal string `json:"RetiringPrincipal"`
}

// listRetirableGrants lists the grants of the caller's account and region whose retiring principal is the one given.
func (s *Server) listRetirableGrants(ctx context.Context, c *call, in *ListRetirableGrantsInput) (*ListGrantsOutput, error) {
	var v validationErrors
	validatePage(&v, in.Limit, in.Marker)
	v.required("retiringPrincipal", in.RetiringPrincipal != "")
	v.length("retiringPrincipal", in.RetiringPrincipal, 1, 256, false)
	v.pattern("retiringPrincipal", in.RetiringPrincipal, principalPattern)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "kms:ListRetirableGrants", nil, nil); err != nil {
		return nil, err
	}
	s.state.mu.RLock()
	var all []GrantListEntry
	for _, g := range s.state.grants {
		if strings.Contains(g.KeyARN, ":kms:"+c.region+":") && g.RetiringPrincipal == in.RetiringPrincipal && g.ID > after {
			all = append(all, grantEntry(g))
		}
	}
	s.state.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].GrantId < all[j].GrantId })
	page, next := paginate(all, pageSize(in.Limit, 50, 100), func(e GrantListEntry) string { return e.GrantId })
	return &ListGrantsOutput{Grants: page, NextMarker: next, Truncated: next != ""}, nil
}
