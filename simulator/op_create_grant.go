package simulator

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/kmsim/kmsim/trail"
)

// GrantConstraints are a grant's encryption context constraints on the wire.
type GrantConstraints struct {
	EncryptionContextSubset map[string]string `json:"EncryptionContextSubset,omitempty"`
	EncryptionContextEquals map[string]string `json:"EncryptionContextEquals,omitempty"`
}

// CreateGrantInput is the CreateGrant request.
type CreateGrantInput struct {
	KeyId             string            `json:"KeyId"`
	GranteePrincipal  string            `json:"GranteePrincipal"`
	RetiringPrincipal string            `json:"RetiringPrincipal,omitempty"`
	Operations        []string          `json:"Operations"`
	Constraints       *GrantConstraints `json:"Constraints,omitempty"`
	GrantTokens       []string          `json:"GrantTokens,omitempty"`
	Name              string            `json:"Name,omitempty"`
	DryRun            *bool             `json:"DryRun,omitempty"`
}

// CreateGrantOutput is the CreateGrant response.
type CreateGrantOutput struct {
	GrantToken string `json:"GrantToken"`
	GrantId    string `json:"GrantId"`
}

// Patterns of the model's principal and grant name members.
const (
	principalPattern = `^[\w+=,.@:/-]+$`
	grantNamePattern = `^[a-zA-Z0-9:/_-]+$`
)

func (s *Server) createGrant(ctx context.Context, c *call, in *CreateGrantInput) (*CreateGrantOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("granteePrincipal", in.GranteePrincipal != "")
	v.length("granteePrincipal", in.GranteePrincipal, 1, 256, false)
	v.pattern("granteePrincipal", in.GranteePrincipal, principalPattern)
	v.length("retiringPrincipal", in.RetiringPrincipal, 0, 256, false)
	v.pattern("retiringPrincipal", in.RetiringPrincipal, principalPattern)
	v.required("operations", in.Operations != nil)
	for i, op := range in.Operations {
		v.enum("operations."+itoa(int64(i+1))+".member", op, allGrantOperations)
	}
	v.length("name", in.Name, 0, 256, false)
	v.pattern("name", in.Name, grantNamePattern)
	validateGrantTokens(&v, in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	if len(in.Operations) == 0 {
		return nil, errValidation("1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	extra := map[string][]string{
		"kms:GrantOperations":       in.Operations,
		"kms:GranteePrincipal":      {in.GranteePrincipal},
		"kms:GrantIsForAWSResource": {"false"},
	}
	if in.RetiringPrincipal != "" {
		extra["kms:RetiringPrincipal"] = []string{in.RetiringPrincipal}
	}
	if cons := in.Constraints; cons != nil {
		ec := cons.EncryptionContextSubset
		if cons.EncryptionContextEquals != nil {
			extra["kms:GrantConstraintType"] = []string{"EncryptionContextEquals"}
			ec = cons.EncryptionContextEquals
		} else {
			extra["kms:GrantConstraintType"] = []string{"EncryptionContextSubset"}
		}
		maps.Copy(extra, encryptionContextKeys(ec))
	}
	if err := s.authorize(ctx, c, "kms:CreateGrant", ref, extra); err != nil {
		return nil, err
	}
	if err := checkKeyState(c.op, k); err != nil {
		return nil, err
	}
	var invalid []string
	for _, op := range in.Operations {
		if !slices.Contains(grantOperations[k.Usage], op) {
			invalid = append(invalid, op)
		}
	}
	if len(invalid) > 0 {
		return nil, errValidation("Grant operations [%s] are not valid for a KMS key with KeySpec %s and KeyUsage %s.", strings.Join(invalid, ", "), k.Spec, k.Usage)
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	g := &grantRecord{
		ID: newGrantID(), Name: in.Name, KeyID: k.ID, KeyARN: k.ARN(), IssuingAccount: "arn:aws:iam::" + k.Account + ":root",
		GranteePrincipal: in.GranteePrincipal, RetiringPrincipal: in.RetiringPrincipal,
		Operations: slices.Clone(in.Operations), CreationDate: c.time,
	}
	if in.Constraints != nil {
		g.EncryptionContextEquals, g.EncryptionContextSubset = in.Constraints.EncryptionContextEquals, in.Constraints.EncryptionContextSubset
	}
	token := newGrantToken()
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	existing := s.state.grantsOf(k)
	if in.Name != "" {
		// A retried CreateGrant with the same name and parameters returns the same grant.
		for _, old := range existing {
			if old.Name == in.Name && sameGrant(old, g) {
				updated := *old
				updated.Tokens = append(slices.Clone(old.Tokens), token)
				if err := s.state.commit(journalEntry{Grant: &updated}); err != nil {
					return nil, err
				}
				c.response = map[string]any{"grantId": old.ID, "keyId": k.ARN()}
				return &CreateGrantOutput{GrantToken: token, GrantId: old.ID}, nil
			}
		}
	}
	perGrantee := 0
	for _, old := range existing {
		if old.GranteePrincipal == g.GranteePrincipal {
			perGrantee++
		}
	}
	if len(existing) >= maxGrantsPerKey || perGrantee >= maxGrantsPerGranteePerKey {
		return nil, errQuotaExceeded()
	}
	g.Tokens = []string{token}
	if err := s.state.commit(journalEntry{Grant: g}); err != nil {
		return nil, err
	}
	c.response = map[string]any{"grantId": g.ID, "keyId": k.ARN()}
	return &CreateGrantOutput{GrantToken: token, GrantId: g.ID}, nil
}

// sameGrant reports whether two grants have the same grantee, retiring principal, operations and constraints.
func sameGrant(a, b *grantRecord) bool {
	return a.GranteePrincipal == b.GranteePrincipal && a.RetiringPrincipal == b.RetiringPrincipal &&
		slices.Equal(sorted(a.Operations), sorted(b.Operations)) &&
		maps.Equal(a.EncryptionContextEquals, b.EncryptionContextEquals) && maps.Equal(a.EncryptionContextSubset, b.EncryptionContextSubset)
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}
