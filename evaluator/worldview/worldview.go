// Package worldview turns a world's principals, policies and keys into the evaluator's types.
package worldview

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/fixtures"
)

// DefaultKeyPolicy is the policy a key gets when it is created without one: the key's account may
// use IAM policies to allow every KMS action (the guide's "key-default-1").
func DefaultKeyPolicy(account string) string {
	return fmt.Sprintf(`{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::%s:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`, account)
}

// KeyPolicy is the key policy of a world key, the programmatic default when the world gives none.
func KeyPolicy(w *fixtures.World, k *fixtures.Key) *evaluator.Policy {
	doc := []byte(k.Policy)
	if len(doc) == 0 {
		doc = []byte(DefaultKeyPolicy(k.Account))
	}
	return &evaluator.Policy{ID: "key/" + k.ID, Kind: evaluator.KindKey, Document: doc}
}

// Grants are the grants on a world key, as the evaluator takes them.
func Grants(w *fixtures.World, k *fixtures.Key) []evaluator.Grant {
	out := make([]evaluator.Grant, 0, len(k.Grants))
	arn := w.KeyARN(k)
	for i, g := range k.Grants {
		eg := evaluator.Grant{ID: g.ID, Name: g.Name, KeyARN: arn, GranteePrincipal: g.GranteePrincipal,
			RetiringPrincipal: g.RetiringPrincipal, Operations: g.Operations}
		if eg.ID == "" {
			eg.ID = fixtures.DeriveGrantID(arn, i)
		}
		if c := g.Constraints; c != nil {
			eg.EncryptionContextEquals, eg.EncryptionContextSubset = c.EncryptionContextEquals, c.EncryptionContextSubset
		}
		out = append(out, eg)
	}
	return out
}

// FindKey finds a world key by key id, key ARN, alias name or alias ARN. An ARN names its own
// account and Region; otherwise account and region, when not empty, narrow the search (as a
// key id or alias name refers to the caller's account and Region in AWS). An ambiguous reference
// is an error.
func FindKey(w *fixtures.World, ref, account, region string) (*fixtures.Key, error) {
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 6)
		if len(parts) == 6 {
			region, account, ref = parts[3], parts[4], parts[5]
		}
	}
	var found []*fixtures.Key
	for i := range w.Keys {
		k := &w.Keys[i]
		if (account != "" && k.Account != account) || (region != "" && k.Region != region) {
			continue
		}
		if k.ID == strings.TrimPrefix(ref, "key/") || slices.Contains(k.Aliases, ref) {
			found = append(found, k)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no key %s in the world", ref)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("key %s is ambiguous: give its ARN", ref)
}

// Principal is the evaluator's view of the owner of credential c: its identity, its identity
// policies (with its groups'), boundary, SCPs and organization. sessionPolicy is a role
// session's session policy, if any.
func Principal(w *fixtures.World, c fixtures.Credential, sessionPolicy []byte) evaluator.Principal {
	p := evaluator.Principal{Type: c.Type, ARN: c.ARN, Account: c.Account, UserID: c.PrincipalID, SCPs: scps(w, c.Account)}
	if acct := w.Account(c.Account); acct != nil && acct.Organization != "" {
		p.OrgID = acct.Organization
		path := acct.Organization + "/"
		if acct.OU != "" {
			path += acct.OU + "/"
		}
		p.OrgPaths = []string{path}
	}
	switch {
	case c.User != nil:
		u := c.User
		p.Name, p.Tags = u.Name, u.Tags
		p.IdentityPolicies = policies(w.UserPolicies(u), evaluator.KindIdentity)
		p.Boundary = boundary(w, u.PermissionsBoundary, u.Account)
	case c.Role != nil:
		r := c.Role
		p.RoleARN, p.Tags = w.RoleARN(r), r.Tags
		if c.Session != nil {
			p.SessionName = c.Session.Name
		}
		p.IdentityPolicies = policies(w.RolePolicies(r), evaluator.KindIdentity)
		p.Boundary = boundary(w, r.PermissionsBoundary, r.Account)
		if len(sessionPolicy) > 0 {
			p.SessionPolicies = []evaluator.Policy{{ID: "session/" + c.AccessKeyID, Kind: evaluator.KindSession, Document: sessionPolicy}}
		}
	}
	return p
}

// PrincipalByARN finds a world principal by ARN: a user, a role (as a session named
// "kmsim-simulate"), a role session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) or an
// account root (arn:aws:iam::ACCOUNT:root).
func PrincipalByARN(w *fixtures.World, arn string) (evaluator.Principal, error) {
	for _, c := range w.Credentials() {
		if c.ARN == arn {
			return Principal(w, c, nil), nil
		}
	}
	for i := range w.Users {
		if u := &w.Users[i]; w.UserARN(u) == arn {
			return Principal(w, fixtures.Credential{Type: fixtures.PrincipalIAMUser, Account: u.Account, ARN: arn,
				PrincipalID: orDerived(u.UserID, fixtures.UserIDPrefix, arn), User: u}, nil), nil
		}
	}
	roleARN, session := arn, "kmsim-simulate"
	if rest, ok := strings.CutPrefix(arn, "arn:aws:sts::"); ok {
		if account, path, ok := strings.Cut(rest, ":assumed-role/"); ok {
			if role, name, ok := strings.Cut(path, "/"); ok {
				roleARN, session = "", name
				if r := w.Role(account, role); r != nil {
					roleARN = w.RoleARN(r)
				}
			}
		}
	}
	for i := range w.Roles {
		if r := &w.Roles[i]; roleARN != "" && w.RoleARN(r) == roleARN {
			s := &fixtures.RoleSession{Name: session}
			roleID := orDerived(r.RoleID, fixtures.RoleIDPrefix, roleARN)
			return Principal(w, fixtures.Credential{Type: fixtures.PrincipalAssumedRole, Account: r.Account,
				ARN: w.SessionARN(r, s), PrincipalID: roleID + ":" + session, Role: r, Session: s}, nil), nil
		}
	}
	for _, a := range w.Accounts {
		if fixtures.RootARN(a.ID) == arn {
			return Principal(w, fixtures.Credential{Type: fixtures.PrincipalRoot, Account: a.ID, ARN: arn, PrincipalID: a.ID}, nil), nil
		}
	}
	return evaluator.Principal{}, fmt.Errorf("no principal %s in the world", arn)
}

func orDerived(id, prefix, arn string) string {
	if id != "" {
		return id
	}
	return fixtures.DeriveID(prefix, arn)
}

func policies(attached []fixtures.AttachedPolicy, kind evaluator.PolicyKind) []evaluator.Policy {
	out := make([]evaluator.Policy, 0, len(attached))
	for _, p := range attached {
		out = append(out, evaluator.Policy{ID: p.ID, Kind: kind, Document: p.Document})
	}
	return out
}

func boundary(w *fixtures.World, ref, account string) *evaluator.Policy {
	p, ok := w.Boundary(ref, account)
	if !ok {
		return nil
	}
	return &evaluator.Policy{ID: p.ID, Kind: evaluator.KindBoundary, Document: p.Document}
}

// scps lists the SCPs that bound account, one level each for the organization root, the OU and the account.
func scps(w *fixtures.World, account string) [][]evaluator.Policy {
	var levels [][]evaluator.Policy
	for _, level := range w.SCPsFor(account) {
		var ps []evaluator.Policy
		for _, scp := range level {
			ps = append(ps, evaluator.Policy{ID: "scp/" + scp.Name, Kind: evaluator.KindSCP, Document: scp.Document})
		}
		levels = append(levels, ps)
	}
	return levels
}
