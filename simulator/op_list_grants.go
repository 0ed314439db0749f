package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// ListGrantsInput is the ListGrants request.
type ListGrantsInput struct {
	KeyId            string `json:"KeyId"`
	Limit            *int32 `json:"Limit,omitempty"`
	Marker           string `json:"Marker,omitempty"`
	GrantId          string `json:"GrantId,omitempty"`
	GranteePrincipal string `json:"GranteePrincipal,omitempty"`
}

// GrantListEntry describes one grant.
type GrantListEntry struct {
	KeyId             string            `json:"KeyId"`
	GrantId           string            `json:"GrantId"`
	Name              string            `json:"Name,omitempty"`
	CreationDate      epochTime         `json:"CreationDate"`
	GranteePrincipal  string            `json:"GranteePrincipal"`
	RetiringPrincipal string            `json:"RetiringPrincipal,omitempty"`
	IssuingAccount    string            `json:"IssuingAccount"`
	Operations        []string          `json:"Operations"`
	Constraints       *GrantConstraints `json:"Constraints,omitempty"`
}

// ListGrantsOutput is the ListGrants (and ListRetirableGrants) response.
type ListGrantsOutput struct {
	Grants     []GrantListEntry `json:"Grants"`
	NextMarker string           `json:"NextMarker,omitempty"`
	Truncated  bool             `json:"Truncated"`
}

func grantEntry(g *grantRecord) GrantListEntry {
	e := GrantListEntry{KeyId: g.KeyARN, GrantId: g.ID, Name: g.Name, CreationDate: epochTime(g.CreationDate),
		GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal, IssuingAccount: g.IssuingAccount, Operations: g.Operations}
	if g.EncryptionContextEquals != nil || g.EncryptionContextSubset != nil {
		e.Constraints = &GrantConstraints{EncryptionContextEquals: g.EncryptionContextEquals, EncryptionContextSubset: g.EncryptionContextSubset}
	}
	return e
}

func (s *Server) listGrants(ctx context.Context, c *call, in *ListGrantsInput) (*ListGrantsOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	validatePage(&v, in.Limit, in.Marker)
	v.length("grantId", in.GrantId, 0, 128, false)
	v.length("granteePrincipal", in.GranteePrincipal, 0, 256, false)
	v.pattern("granteePrincipal", in.GranteePrincipal, principalPattern)
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
	if err := s.authorize(ctx, c, "kms:ListGrants", ref, nil); err != nil {
		return nil, err
	}
	s.state.mu.RLock()
	var all []GrantListEntry
	past := after == ""
	for _, g := range s.state.grantsOf(ref.key) {
		if !past {
			past = g.ID == after
			continue
		}
		if (in.GrantId == "" || g.ID == in.GrantId) && (in.GranteePrincipal == "" || g.GranteePrincipal == in.GranteePrincipal) {
			all = append(all, grantEntry(g))
		}
	}
	s.state.mu.RUnlock()
	page, next := paginate(all, pageSize(in.Limit, 50, 100), func(e GrantListEntry) string { return e.GrantId })
	return &ListGrantsOutput{Grants: page, NextMarker: next, Truncated: next != ""}, nil
}
