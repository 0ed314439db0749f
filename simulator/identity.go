package simulator

import (
	"strings"
	"time"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/simulator/sigv4"
	"github.com/kmsim/kmsim/trail"
)

// caller is an authenticated principal: what the evaluator needs and what CloudTrail shows.
type caller struct {
	principal evaluator.Principal
	identity  trail.UserIdentity
}

// credentialOwner is an access key and the principal it belongs to: one of the world's
// credentials, or a role session minted by AssumeRole.
type credentialOwner struct {
	cred          sigv4.Credential
	world         fixtures.Credential
	created       time.Time // when a role session began
	sessionPolicy []byte    // the session policy passed to AssumeRole, if any
}

// directory indexes the world's principals by access key id and role ARN.
type directory struct {
	world  *fixtures.World
	keys   map[string]*credentialOwner
	roles  map[string]*fixtures.Role
	loaded time.Time
}

func newDirectory(w *fixtures.World, loaded time.Time) *directory {
	d := &directory{world: w, keys: map[string]*credentialOwner{}, roles: map[string]*fixtures.Role{}, loaded: loaded}
	for _, c := range w.Credentials() {
		if c.Status == "Inactive" {
			continue
		}
		cred := sigv4.Credential{AccessKeyID: c.AccessKeyID, Secret: c.SecretAccessKey, SessionToken: c.SessionToken}
		if c.Expiration != "" {
			if t, err := time.Parse(time.RFC3339, c.Expiration); err == nil {
				cred.Expiration = t
			}
		}
		d.keys[c.AccessKeyID] = &credentialOwner{cred: cred, world: c, created: loaded}
	}
	for i := range w.Roles {
		d.roles[w.RoleARN(&w.Roles[i])] = &w.Roles[i]
	}
	return d
}

// policies converts the world's attached policies for the evaluator.
func policies(attached []fixtures.AttachedPolicy, kind evaluator.PolicyKind) []evaluator.Policy {
	out := make([]evaluator.Policy, 0, len(attached))
	for _, p := range attached {
		out = append(out, evaluator.Policy{ID: p.ID, Kind: kind, Document: p.Document})
	}
	return out
}

func (d *directory) boundary(ref, account string) *evaluator.Policy {
	p, ok := d.world.Boundary(ref, account)
	if !ok {
		return nil
	}
	return &evaluator.Policy{ID: p.ID, Kind: evaluator.KindBoundary, Document: p.Document}
}

// scps lists the SCPs that bound account, one level each for the organization root, the OU and the account.
func (d *directory) scps(account string) [][]evaluator.Policy {
	var levels [][]evaluator.Policy
	for _, level := range d.world.SCPsFor(account) {
		var ps []evaluator.Policy
		for _, scp := range level {
			ps = append(ps, evaluator.Policy{ID: "scp/" + scp.Name, Kind: evaluator.KindSCP, Document: scp.Document})
		}
		levels = append(levels, ps)
	}
	return levels
}

// callerFor builds the authenticated caller for a credential.
func (d *directory) callerFor(o *credentialOwner) *caller {
	c := o.world
	p := evaluator.Principal{Type: c.Type, ARN: c.ARN, Account: c.Account, UserID: c.PrincipalID, SCPs: d.scps(c.Account)}
	if acct := d.world.Account(c.Account); acct != nil && acct.Organization != "" {
		p.OrgID = acct.Organization
		path := acct.Organization + "/"
		if acct.OU != "" {
			path += acct.OU + "/"
		}
		p.OrgPaths = []string{path}
	}
	id := trail.UserIdentity{Type: c.Type, PrincipalID: c.PrincipalID, ARN: c.ARN, AccountID: c.Account, AccessKeyID: c.AccessKeyID}
	switch {
	case c.User != nil:
		u := c.User
		p.Name, p.Tags = u.Name, u.Tags
		p.IdentityPolicies = policies(d.world.UserPolicies(u), evaluator.KindIdentity)
		p.Boundary = d.boundary(u.PermissionsBoundary, u.Account)
		id.UserName = u.Name
	case c.Role != nil:
		r := c.Role
		roleARN := d.world.RoleARN(r)
		roleID, _, _ := strings.Cut(c.PrincipalID, ":")
		p.RoleARN, p.SessionName, p.Tags = roleARN, c.Session.Name, r.Tags
		p.IdentityPolicies = policies(d.world.RolePolicies(r), evaluator.KindIdentity)
		p.Boundary = d.boundary(r.PermissionsBoundary, r.Account)
		if len(o.sessionPolicy) > 0 {
			p.SessionPolicies = []evaluator.Policy{{ID: "session/" + c.AccessKeyID, Kind: evaluator.KindSession, Document: o.sessionPolicy}}
		}
		id.SessionContext = &trail.SessionContext{
			SessionIssuer: &trail.SessionIssuer{Type: "Role", PrincipalID: roleID, ARN: roleARN, AccountID: r.Account, UserName: r.Name},
			Attributes:    trail.SessionAttribute{CreationDate: o.created.UTC().Format(time.RFC3339), MFAAuthenticated: "false"},
		}
	}
	return &caller{principal: p, identity: id}
}

// mintedOwner describes a role session minted by AssumeRole as the credential it is.
func (d *directory) mintedOwner(sess *sessionRecord, secret string) *credentialOwner {
	role := d.roles[sess.RoleARN]
	if role == nil {
		return nil
	}
	rs := &fixtures.RoleSession{Name: sess.SessionName, AccessKeyID: sess.AccessKeyID, SessionToken: sess.SessionToken}
	roleARN := d.world.RoleARN(role)
	c := fixtures.Credential{
		Type: fixtures.PrincipalAssumedRole, Account: role.Account, AccessKeyID: sess.AccessKeyID,
		SecretAccessKey: secret, SessionToken: sess.SessionToken, Status: "Active",
		ARN:         d.world.SessionARN(role, rs),
		PrincipalID: roleID(role, roleARN) + ":" + sess.SessionName,
		Role:        role, Session: rs,
	}
	owner := &credentialOwner{
		cred:    sigv4.Credential{AccessKeyID: sess.AccessKeyID, Secret: secret, SessionToken: sess.SessionToken, Expiration: sess.Expiration},
		world:   c,
		created: sess.Created,
	}
	if sess.Policy != "" {
		owner.sessionPolicy = []byte(sess.Policy)
	}
	return owner
}

// roleID is the role's unique id (AROA…).
func roleID(r *fixtures.Role, arn string) string {
	if r.RoleID != "" {
		return r.RoleID
	}
	return fixtures.DeriveID(fixtures.RoleIDPrefix, arn)
}
