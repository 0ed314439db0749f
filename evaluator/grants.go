package evaluator

import (
	"sort"
	"strings"
)

// Grant is a KMS grant: GranteePrincipal may perform Operations on the key, when the request's
// encryption context satisfies the constraints.
type Grant struct {
	ID                string
	Name              string
	KeyARN            string
	GranteePrincipal  string
	RetiringPrincipal string
	// Operations are KMS operation names: "Decrypt", "ReEncryptFrom", "CreateGrant", ...
	Operations []string
	// EncryptionContextEquals, if set, must equal the request's encryption context exactly.
	EncryptionContextEquals map[string]string
	// EncryptionContextSubset, if set, must be contained in the request's encryption context.
	EncryptionContextSubset map[string]string
}

// encryptionContextOperations take an encryption context, so grant constraints apply to them.
var encryptionContextOperations = map[string]bool{
	"Decrypt": true, "Encrypt": true, "GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true, "ReEncryptFrom": true, "ReEncryptTo": true,
	"CreateGrant": true,
}

// GrantAllowing returns the grant (lowest ID first) that lets the request's principal perform
// its action on its resource, given the request's encryption context, or nil.
// Grants only allow: callers apply them after checking that no policy explicitly denies.
func GrantAllowing(grants []Grant, req Request, encryptionContext map[string]string) *Grant {
	op, ok := strings.CutPrefix(req.Action, "kms:")
	if !ok {
		return nil
	}
	sorted := append([]Grant(nil), grants...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for i := range sorted {
		g := &sorted[i]
		if g.KeyARN != req.Resource || !granteeMatches(g.GranteePrincipal, req.Principal) || !contains(g.Operations, op) {
			continue
		}
		if encryptionContextOperations[op] && !constraintsHold(g, encryptionContext) {
			continue
		}
		return g
	}
	return nil
}

// granteeMatches reports whether a grantee principal names the caller: its own ARN, or for a
// role session the role.
func granteeMatches(grantee string, p Principal) bool {
	return grantee == p.ARN || (p.RoleARN != "" && grantee == p.RoleARN)
}

func constraintsHold(g *Grant, ec map[string]string) bool {
	if g.EncryptionContextEquals != nil {
		if len(ec) != len(g.EncryptionContextEquals) {
			return false
		}
		for k, v := range g.EncryptionContextEquals {
			if got, ok := ec[k]; !ok || got != v {
				return false
			}
		}
	}
	for k, v := range g.EncryptionContextSubset {
		if got, ok := ec[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
