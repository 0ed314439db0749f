package simulator

import (
	"context"
	"strconv"
)

// ListKeyRotationsInput is the ListKeyRotations request.
type ListKeyRotationsInput struct {
	KeyId  string `json:"KeyId"`
	Limit  *int32 `json:"Limit,omitempty"`
	Marker string `json:"Marker,omitempty"`
}

// RotationsListEntry is one completed rotation.
type RotationsListEntry struct {
	KeyId        string    `json:"KeyId"`
	RotationDate epochTime `json:"RotationDate"`
	RotationType string    `json:"RotationType"`
}

// ListKeyRotationsOutput is the ListKeyRotations response.
type ListKeyRotationsOutput struct {
	Rotations  []RotationsListEntry `json:"Rotations"`
	NextMarker string               `json:"NextMarker,omitempty"`
	Truncated  bool                 `json:"Truncated"`
}

func (s *Server) listKeyRotations(ctx context.Context, c *call, in *ListKeyRotationsInput) (*ListKeyRotationsOutput, error) {
	var v validationErrors
	validatePage(&v, in.Limit, 1000, in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:ListKeyRotations")
	if err != nil {
		return nil, err
	}
	k := ref.key
	if err := checkKeyState(c.op, k); err != nil {
		return nil, err
	}
	if err := rotatable(k); err != nil {
		return nil, err
	}
	// Entries are numbered so a marker names a position that stays valid as rotations are added.
	type numbered struct {
		n int
		e RotationsListEntry
	}
	var all []numbered
	for i, r := range k.Rotations {
		if after == "" || i > atoi(after) {
			all = append(all, numbered{i, RotationsListEntry{KeyId: k.ID, RotationDate: epochTime(r.RotationDate), RotationType: r.RotationType}})
		}
	}
	page, next := paginate(all, limitOr(in.Limit, 100), func(x numbered) string { return strconv.Itoa(x.n) })
	out := &ListKeyRotationsOutput{Rotations: []RotationsListEntry{}, NextMarker: next, Truncated: next != ""}
	for _, x := range page {
		out.Rotations = append(out.Rotations, x.e)
	}
	return out, nil
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
