package simulator

import (
	"strconv"
	"strings"
	"time"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/worldview"
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
	// origin holds the network and service facts of the credential's calls (nil: none).
	origin *fixtures.Origin
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
		d.keys[c.AccessKeyID] = &credentialOwner{cred: cred, world: c, created: loaded, origin: w.Origin(c.AccessKeyID)}
	}
	for i := range w.Roles {
		d.roles[w.RoleARN(&w.Roles[i])] = &w.Roles[i]
	}
	return d
}

// callerFor builds the authenticated caller for a credential.
func (d *directory) callerFor(o *credentialOwner) *caller {
	c := o.world
	p := worldview.Principal(d.world, c, o.sessionPolicy)
	id := trail.UserIdentity{Type: c.Type, PrincipalID: c.PrincipalID, ARN: c.ARN, AccountID: c.Account, AccessKeyID: c.AccessKeyID}
	switch {
	case c.User != nil:
		id.UserName = c.User.Name
	case c.Role != nil:
		r := c.Role
		roleID, _, _ := strings.Cut(c.PrincipalID, ":")
		id.SessionContext = &trail.SessionContext{
			SessionIssuer: &trail.SessionIssuer{Type: "Role", PrincipalID: roleID, ARN: p.RoleARN, AccountID: r.Account, UserName: r.Name},
			Attributes:    trail.SessionAttribute{CreationDate: o.created.UTC().Format(time.RFC3339), MFAAuthenticated: strconv.FormatBool(o.origin != nil && o.origin.MFAAge != nil)},
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

// endpoint returns the world's VPC endpoint a credential's calls to service arrive through: its
// origin's, for AWS KMS calls (the endpoint is an AWS KMS interface endpoint), or nil.
func (d *directory) endpoint(o *credentialOwner, service string) *fixtures.VPCEndpoint {
	if o.origin == nil || o.origin.VPCEndpoint == "" || service != "kms" {
		return nil
	}
	return d.world.VPCEndpoint(o.origin.VPCEndpoint)
}

// roleID is the role's unique id (AROA…).
func roleID(r *fixtures.Role, arn string) string {
	if r.RoleID != "" {
		return r.RoleID
	}
	return fixtures.DeriveID(fixtures.RoleIDPrefix, arn)
}
