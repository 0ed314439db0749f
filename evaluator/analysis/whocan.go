package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/rego"
)

// Analyzer answers who-can questions about one world. It partially evaluates each distinct
// policy once per distinguishable caller and caches the result, so principals that the policies
// cannot tell apart cost one evaluation. An Analyzer is safe for concurrent use.
type Analyzer struct {
	world   *fixtures.World
	eval    *evaluator.Evaluator
	partial *rego.Partial
	// grants are the grants on each key, by key ARN: the world's and those WithGrants adds.
	grants map[string][]evaluator.Grant
	memo   *memo
	// people are the world's users and roles as subjects (built once).
	peopleOnce sync.Once
	people     []Subject
}

// Option configures an Analyzer.
type Option func(*Analyzer)

// WithGrants adds grants to the world's: a grant lets its grantee perform its operations on its
// key, within its encryption-context constraints, unless a policy explicitly denies.
func WithGrants(grants []evaluator.Grant) Option {
	return func(a *Analyzer) {
		for _, g := range grants {
			a.grants[g.KeyARN] = append(a.grants[g.KeyARN], g)
		}
	}
}

// New returns an Analyzer of world w, with the grants on its keys.
func New(w *fixtures.World, opts ...Option) *Analyzer {
	a := &Analyzer{world: w, eval: evaluator.New(), partial: rego.NewPartial(), grants: map[string][]evaluator.Grant{}, memo: newMemo()}
	for i := range w.Keys {
		if gs := worldview.Grants(w, &w.Keys[i]); len(gs) > 0 {
			a.grants[w.KeyARN(&w.Keys[i])] = gs
		}
	}
	for _, o := range opts {
		o(a)
	}
	return a
}

// World returns the analyzer's world.
func (a *Analyzer) World() *fixtures.World { return a.world }

// Subject kinds, as Access.Kind reports them.
const (
	KindUser    = "user"    // an IAM user
	KindRole    = "role"    // an IAM role, as its sessions
	KindAccount = "account" // any principal of an account whose IAM policies allow it
	KindService = "service" // an AWS service principal named in the key policy
	KindAnyone  = "anyone"  // "*": any principal, when the key policy names "*"
)

var kindRank = map[string]int{KindUser: 0, KindRole: 1, KindAccount: 2, KindService: 3, KindAnyone: 4}

// Paths by which access is granted, as Way.Path reports them.
const (
	PathKeyPolicy    = "key policy"          // the key policy names the principal (its ARN, its role, "*")
	PathIAM          = "IAM via account"     // the key policy names the account; an IAM policy allows
	PathCrossAccount = "cross-account"       // another account's principal: key policy + its IAM policy
	PathGrant        = "grant"               // a grant on the key
	statusAlways     = "always"              //
	statusCond       = "conditional"         //
	statusDenied     = "denied"              //
	anyoneARN        = "*"                   //
	noStatement      = "no statement allows" //
	iamAssumed       = "whose IAM policy allows it"
)

// Access is whether one principal can perform one action on one key, and how.
type Access struct {
	Principal string `json:"principal"`
	Kind      string `json:"kind"`
	Action    string `json:"action"`
	Key       string `json:"key"`
	// Status is "always", "conditional" or "denied".
	Status string `json:"status"`
	// Note says what an account or "*" subject stands for.
	Note string `json:"note,omitempty"`
	// Ways lists each way the request is allowed: with --all, empty when denied.
	Ways []Way `json:"ways,omitempty"`
	// Reason says why a denied principal is denied (a request without context).
	Reason string `json:"reason,omitempty"`
}

// Allowed reports whether some request can be allowed; it hides under which conditions.
func (x Access) Allowed() bool { return x.Status != statusDenied }

// Way is one way a request is allowed: the path, the statements that make it up, and the
// conditions on the request's context that must all hold (none: always).
type Way struct {
	Path       string   `json:"path"`
	Conditions []string `json:"conditions"`
	Statements []string `json:"statements"`
}

// ConditionText renders the conditions joined by " and ", "always" when there are none.
func (w Way) ConditionText() string {
	if len(w.Conditions) == 0 {
		return "always"
	}
	return strings.Join(w.Conditions, " and ")
}

// Subject is a principal who-can considers.
type Subject struct {
	Kind string
	// ARN is the principal's ARN (a role's ARN for roles, the account root ARN for accounts, the
	// service name for services, "*" for anyone).
	ARN       string
	Principal evaluator.Principal
	Note      string
	// sig is the subject's part of memo signatures, when computed ahead.
	sig *subjectSig
}

// Query is a who-can question.
type Query struct {
	// Action is an IAM action, e.g. "kms:Decrypt" (see NormalizeAction).
	Action string
	Key    *fixtures.Key
	// KeyPolicy replaces the key's policy when set.
	KeyPolicy []byte
	// IdentityPolicies replaces the identity policies of the principals (user or role ARN) it names.
	IdentityPolicies map[string][]evaluator.Policy
	// AddGrants are proposed grants on Key, in addition to its own; RevokeGrants the ids of
	// grants to take away.
	AddGrants    []evaluator.Grant
	RevokeGrants []string
	// All keeps denied principals, with the reason.
	All bool
}

// KeyActions are the IAM actions that apply to a KMS key (the key state table's operations, with
// ReEncrypt as ReEncryptFrom and ReEncryptTo), sorted.
var KeyActions = func() []string {
	ops := []string{"CancelKeyDeletion", "CreateAlias", "CreateGrant", "Decapsulate", "Decrypt", "DeleteAlias",
		"DeleteImportedKeyMaterial", "DeriveSharedSecret", "DescribeKey", "DisableKey", "DisableKeyRotation",
		"EnableKey", "EnableKeyRotation", "Encapsulate", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
		"GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "GetKeyPolicy",
		"GetKeyRotationStatus", "GetParametersForImport", "GetPublicKey", "ImportKeyMaterial", "ListGrants",
		"ListKeyPolicies", "ListKeyRotations", "ListResourceTags", "PutKeyPolicy", "ReEncryptFrom", "ReEncryptTo",
		"ReplicateKey", "RetireGrant", "RevokeGrant", "RotateKeyOnDemand", "ScheduleKeyDeletion", "Sign",
		"TagResource", "UntagResource", "UpdateAlias", "UpdateKeyDescription", "UpdatePrimaryRegion", "Verify", "VerifyMac"}
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = "kms:" + op
	}
	slices.Sort(out)
	return out
}()

// NormalizeAction turns "decrypt", "KMS:DECRYPT" or "kms:Decrypt" into the KeyActions spelling
// ("kms:Decrypt"); an action that is not a key action is returned with a kms: prefix as given.
func NormalizeAction(s string) string {
	name := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if !strings.EqualFold(s[:i], "kms") {
			return s
		}
		name = s[i+1:]
	}
	for _, a := range KeyActions {
		if strings.EqualFold(a[len("kms:"):], name) {
			return a
		}
	}
	return "kms:" + name
}

// Subjects lists the principals who-can considers for a key with policy keyPolicy and grants:
// every user, every role, the account principals of the world's accounts and of the accounts the
// key policy or a grantee names, the service principals the key policy or a grantee names, and
// "*" when the key policy names it; sorted by kind, then ARN.
func (a *Analyzer) Subjects(keyPolicy []byte, grants []evaluator.Grant) []Subject {
	return append(slices.Clone(a.peopleSubjects()), a.otherSubjects(keyPolicy, grants)...)
}

// peopleSubjects are the world's users and roles, sorted, each with its signature part.
func (a *Analyzer) peopleSubjects() []Subject {
	a.peopleOnce.Do(func() {
		w := a.world
		for i := range w.Users {
			a.people = append(a.people, a.userSubject(&w.Users[i]))
		}
		for i := range w.Roles {
			a.people = append(a.people, a.roleSubject(&w.Roles[i]))
		}
		sortSubjects(a.people)
		for i := range a.people {
			a.people[i].sig = a.subjectSig(a.people[i], a.people[i].Principal)
		}
	})
	return a.people
}

func sortSubjects(ss []Subject) {
	slices.SortStableFunc(ss, func(x, y Subject) int {
		if kindRank[x.Kind] != kindRank[y.Kind] {
			return kindRank[x.Kind] - kindRank[y.Kind]
		}
		return strings.Compare(x.ARN, y.ARN)
	})
}

// otherSubjects are the subjects beside the world's users and roles, sorted: account
// principals, service principals and "*".
func (a *Analyzer) otherSubjects(keyPolicy []byte, grants []evaluator.Grant) []Subject {
	w := a.world
	var out []Subject
	accounts := map[string]bool{}
	for _, acct := range w.Accounts {
		accounts[acct.ID] = true
	}
	services := map[string]bool{}
	anyone := false
	if d, err := rego.Parse(keyPolicy, rego.KindKey); err == nil {
		for _, st := range d.Statements {
			if st.Principal == nil || st.NotPrincipal {
				if st.NotPrincipal && st.Effect == "Allow" {
					anyone = true
				}
				continue
			}
			anyone = anyone || (st.Principal.Any && st.Effect == "Allow")
			for _, arn := range st.Principal.AWS {
				if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 && parts[4] != "" {
					accounts[parts[4]] = true
				}
			}
			for _, s := range st.Principal.Service {
				services[s] = true
			}
		}
	}
	for _, g := range grants {
		if strings.HasSuffix(g.GranteePrincipal, ".amazonaws.com") {
			services[g.GranteePrincipal] = true
		} else if parts := strings.SplitN(g.GranteePrincipal, ":", 6); len(parts) == 6 && parts[4] != "" {
			accounts[parts[4]] = true
		}
	}
	for _, id := range slices.Sorted(mapKeys(accounts)) {
		p := worldview.Principal(w, fixtures.Credential{Account: id}, nil)
		out = append(out, Subject{Kind: KindAccount, ARN: fixtures.RootARN(id), Principal: p,
			Note: "any principal in account " + id + " " + iamAssumed})
	}
	for _, s := range slices.Sorted(mapKeys(services)) {
		out = append(out, Subject{Kind: KindService, ARN: s, Principal: evaluator.Principal{Type: "AWSService", ARN: s}})
	}
	if anyone {
		out = append(out, Subject{Kind: KindAnyone, ARN: anyoneARN, Note: "any principal of any account (cross-account callers also need their IAM policy to allow it)"})
	}
	sortSubjects(out)
	return out
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (a *Analyzer) userSubject(u *fixtures.User) Subject {
	w := a.world
	arn := w.UserARN(u)
	id := u.UserID
	if id == "" {
		id = fixtures.DeriveID(fixtures.UserIDPrefix, arn)
	}
	p := worldview.Principal(w, fixtures.Credential{Type: fixtures.PrincipalIAMUser, Account: u.Account, ARN: arn, PrincipalID: id, User: u}, nil)
	return Subject{Kind: KindUser, ARN: arn, Principal: p}
}

// sessionName names the role session who-can evaluates a role as.
const sessionName = "kmsim-simulate"

func (a *Analyzer) roleSubject(r *fixtures.Role) Subject {
	w := a.world
	arn := w.RoleARN(r)
	id := r.RoleID
	if id == "" {
		id = fixtures.DeriveID(fixtures.RoleIDPrefix, arn)
	}
	s := &fixtures.RoleSession{Name: sessionName}
	p := worldview.Principal(w, fixtures.Credential{Type: fixtures.PrincipalAssumedRole, Account: r.Account,
		ARN: w.SessionARN(r, s), PrincipalID: id + ":" + sessionName, Role: r, Session: s}, nil)
	return Subject{Kind: KindRole, ARN: arn, Principal: p}
}

// SubjectByARN finds the subject a principal ARN names: a user, a role or a role session (as its
// role), an account root (as the account principal) or a service principal.
func (a *Analyzer) SubjectByARN(arn string) (Subject, error) {
	w := a.world
	for i := range w.Users {
		if w.UserARN(&w.Users[i]) == arn {
			return a.userSubject(&w.Users[i]), nil
		}
	}
	p, err := worldview.PrincipalByARN(w, arn)
	if err == nil && p.RoleARN != "" {
		for i := range w.Roles {
			if w.RoleARN(&w.Roles[i]) == p.RoleARN {
				return a.roleSubject(&w.Roles[i]), nil
			}
		}
	}
	if err == nil && p.Type == fixtures.PrincipalRoot {
		return Subject{Kind: KindAccount, ARN: arn, Principal: worldview.Principal(w, fixtures.Credential{Account: p.Account}, nil),
			Note: "any principal in account " + p.Account + " " + iamAssumed}, nil
	}
	if strings.HasSuffix(arn, ".amazonaws.com") {
		return Subject{Kind: KindService, ARN: arn, Principal: evaluator.Principal{Type: "AWSService", ARN: arn}}, nil
	}
	if err == nil {
		err = fmt.Errorf("no principal %s in the world", arn)
	}
	return Subject{}, err
}

// WhoCan lists every subject able to perform q.Action on q.Key, with the ways it can (sorted by
// kind, then ARN); with q.All, denied subjects too.
func (a *Analyzer) WhoCan(ctx context.Context, q Query) ([]Access, error) {
	kq := a.keyQuery(q)
	groups := [][]Subject{a.peopleSubjects(), a.otherSubjects(kq.policy.Document, kq.grants)}
	out := make([]Access, 0, len(groups[0])+len(groups[1]))
	for _, group := range groups {
		for i := range group {
			acc, err := a.evaluate(ctx, &group[i], q, kq)
			if err != nil {
				return nil, err
			}
			if acc.Allowed() || q.All {
				out = append(out, acc)
			}
		}
	}
	return out, nil
}

// keyQuery is what a query's answers share: the key's ARN, policy (and its document's
// signature part) and grants.
type keyQuery struct {
	arn, action string
	policy      *evaluator.Policy
	doc         *docInfo
	grants      []evaluator.Grant
	id          int // the key part of signatures
}

func (a *Analyzer) keyQuery(q Query) *keyQuery {
	kq := &keyQuery{arn: a.world.KeyARN(q.Key), action: NormalizeAction(q.Action), policy: a.keyPolicy(q), grants: a.keyGrants(q)}
	kq.doc = a.memo.doc(kq.policy.Document, kq.policy.Kind)
	kq.id = a.memo.keyID(kq.arn, kq.action, kq.doc, kq.grants)
	return kq
}

// keyGrants are the grants on q.Key with q's proposed grants added and revoked ones taken away.
func (a *Analyzer) keyGrants(q Query) []evaluator.Grant {
	arn := a.world.KeyARN(q.Key)
	gs := a.grants[arn]
	if len(q.AddGrants) == 0 && len(q.RevokeGrants) == 0 {
		return gs
	}
	var out []evaluator.Grant
	for _, g := range append(slices.Clip(gs), q.AddGrants...) {
		if g.KeyARN == arn && !slices.Contains(q.RevokeGrants, g.ID) {
			out = append(out, g)
		}
	}
	return out
}

func (a *Analyzer) keyPolicy(q Query) *evaluator.Policy {
	pol := worldview.KeyPolicy(a.world, q.Key)
	if q.KeyPolicy != nil {
		pol = &evaluator.Policy{ID: pol.ID, Kind: evaluator.KindKey, Document: q.KeyPolicy}
	}
	return pol
}

// principalKeys are the global condition keys AWS derives from the principal: known for a
// principal of the world (absent when it has none), unknown for account and "*" subjects.
var principalKeys = map[string]bool{
	"aws:principalarn": true, "aws:principalaccount": true, "kms:calleraccount": true, "aws:principalisawsservice": true,
	"aws:principalservicename": true, "aws:principaltype": true, "aws:userid": true, "aws:username": true,
	"aws:principalorgid": true, "aws:principalorgpaths": true, "aws:resourceaccount": true,
}

// accountKeys are those known of any principal of a given account.
var accountKeys = map[string]bool{
	"aws:principalaccount": true, "kms:calleraccount": true, "aws:resourceaccount": true,
	"aws:principalorgid": true, "aws:principalorgpaths": true,
}

func knownFor(kind string) func(string) bool {
	switch kind {
	case KindAccount:
		return func(k string) bool { return accountKeys[k] }
	case KindAnyone:
		return func(k string) bool { return k == "aws:resourceaccount" }
	}
	return func(k string) bool { return principalKeys[k] || strings.HasPrefix(k, "aws:principaltag/") }
}

// Evaluate answers q for one subject.
func (a *Analyzer) Evaluate(ctx context.Context, s Subject, q Query) (Access, error) {
	return a.evaluate(ctx, &s, q, a.keyQuery(q))
}

func (a *Analyzer) evaluate(ctx context.Context, s *Subject, q Query, kq *keyQuery) (Access, error) {
	key := q.Key
	acc := Access{Principal: s.ARN, Kind: s.Kind, Action: kq.action, Key: kq.arn, Note: s.Note}
	p := s.Principal
	ids, replaced := q.IdentityPolicies[s.ARN]
	replaced = replaced && (s.Kind == KindUser || s.Kind == KindRole)
	if replaced {
		p.IdentityPolicies = ids
	}
	req := evaluator.Request{Principal: p, Action: kq.action, Resource: kq.arn, ResourceAccount: key.Account,
		ResourcePolicy: kq.policy, Grants: kq.grants}
	sig := a.signature(s, &p, replaced, kq)
	e, ok := a.memo.get(sig)
	if !ok {
		req.Context = map[string][]string{}
		rr := a.eval.RegoRequest(req)
		delete(rr.Context, "aws:currenttime")
		delete(rr.Context, "aws:epochtime")
		if s.Kind == KindAnyone {
			rr.Caller = rego.Caller{}
			rr.Context = map[string][]string{"aws:resourceaccount": {key.Account}}
		}
		ms, err := a.partial.Matches(ctx, rr, knownFor(s.Kind))
		if err != nil {
			return acc, err
		}
		e = &memoEntry{ways: ways(a.combine(*s, rr, ms, kq.grants))}
		e.shared = resolveResource(e.ways, kq.policy.ID)
		a.memo.put(sig, e)
	}
	ws := e.shared
	if ws == nil {
		ws = named(e.ways, &req)
	}
	switch {
	case len(ws) == 0:
		acc.Status = statusDenied
		if q.All {
			if !e.reasoned {
				e = &memoEntry{ways: e.ways, reason: a.reason(ctx, *s, req), reasoned: true}
				a.memo.put(sig, e)
			}
			acc.Reason = e.reason
		}
	case len(ws[0].Conditions) == 0:
		acc.Status, acc.Ways = statusAlways, ws
	default:
		acc.Status, acc.Ways = statusCond, ws
	}
	return acc, nil
}

// reason explains a denial with a decision on a request without context.
func (a *Analyzer) reason(ctx context.Context, s Subject, req evaluator.Request) string {
	if s.Kind != KindUser && s.Kind != KindRole {
		return noStatement
	}
	d, err := a.eval.Decide(ctx, req)
	if err != nil {
		return err.Error()
	}
	if d.Effect == evaluator.Allowed {
		return "denied under every request context"
	}
	return string(d.Reason)
}

// combine restates kmsim.authz (rego/authz.rego) over statement conditions: the ways the
// request is allowed. Account and "*" subjects are assumed to have an identity policy that
// allows (their Note says so).
func (a *Analyzer) combine(s Subject, rr rego.Request, ms []rego.PartialMatch, grants []evaluator.Grant) dnf {
	c := rr.Caller
	service := c.Service != ""
	exempt := c.Root || service
	pseudo := s.Kind == KindAccount || s.Kind == KindAnyone
	type roleKey struct{ role, effect string }
	sets := map[roleKey]dnf{}
	resVia := map[string]dnf{}
	scpLevels := map[int]dnf{}
	for _, m := range ms {
		d := make(dnf, 0, len(m.Alternatives))
		ph := placeholderOf(m)
		for _, alt := range m.Alternatives {
			d = append(d, conj{conds: alt, stmts: []stmtRef{{ph: &ph}}})
		}
		if m.Effect == "Allow" {
			if m.Role == rego.RoleResource {
				resVia[m.Via] = or(resVia[m.Via], d)
			}
			if m.Role == rego.RoleSCP {
				scpLevels[m.Level] = or(scpLevels[m.Level], d)
			}
		}
		sets[roleKey{m.Role, m.Effect}] = or(sets[roleKey{m.Role, m.Effect}], d)
	}
	// 1. explicit denies.
	denies := sets[roleKey{rego.RoleResource, "Deny"}]
	if !service {
		denies = or(denies, sets[roleKey{rego.RoleSCP, "Deny"}])
	}
	if !exempt {
		denies = or(denies, sets[roleKey{rego.RoleIdentity, "Deny"}], sets[roleKey{rego.RoleBoundary, "Deny"}], sets[roleKey{rego.RoleSession, "Deny"}])
	}
	notDenied := not(denies)
	// 2. every SCP level must allow.
	scpOK := always
	if !service {
		for l := range rr.SCPs {
			scpOK = and(scpOK, scpLevels[l])
		}
	}
	// Boundary and session policies bound what identity policies and role allows give.
	bounded := always
	if !exempt && !pseudo {
		if rr.Boundary != nil {
			bounded = and(bounded, sets[roleKey{rego.RoleBoundary, "Allow"}])
		}
		if len(rr.Session) > 0 {
			bounded = and(bounded, sets[roleKey{rego.RoleSession, "Allow"}])
		}
	}
	identity := always
	if !c.Root && !pseudo {
		identity = and(sets[roleKey{rego.RoleIdentity, "Allow"}], bounded)
	}
	var path dnf
	cross := !service && s.Kind != KindAnyone && rr.ResourceAccount != "" && c.Account != rr.ResourceAccount
	switch {
	case cross && !rego.CrossAccountUsable(rr.Action):
		// A permission that cannot be used cross-account is not effective (kmsim.authz).
	case rr.ResourcePolicy == nil:
		path = label(identity, PathIAM)
	case cross:
		path = label(and(sets[roleKey{rego.RoleResource, "Allow"}], identity), PathCrossAccount)
	default:
		path = label(or(resVia[rego.ViaPrincipal], resVia["anyone"]), PathKeyPolicy)
		if c.Root {
			path = or(path, label(resVia[rego.ViaAccount], PathKeyPolicy))
		}
		path = or(path, label(and(resVia[rego.ViaRole], bounded), PathKeyPolicy))
		if !service {
			path = or(path, label(and(resVia[rego.ViaAccount], identity), PathIAM))
		}
	}
	allowed := and(and(path, scpOK), notDenied)
	if g := grantWays(s, rr, grants, identity); len(g) > 0 {
		allowed = or(allowed, and(and(g, scpOK), notDenied))
	}
	return allowed
}

// encryptionContextOperations are the operations whose grants' constraints apply.
var encryptionContextOperations = map[string]bool{
	"Decrypt": true, "Encrypt": true, "GenerateDataKey": true, "GenerateDataKeyWithoutPlaintext": true,
	"GenerateDataKeyPair": true, "GenerateDataKeyPairWithoutPlaintext": true, "ReEncryptFrom": true, "ReEncryptTo": true,
	"CreateGrant": true,
}

// grantWays lists the grants that let s perform req's action, with their constraints as
// conditions. A grant to the subject's ARN or its role applies as is; one to its account
// delegates to its identity policies (identity), as a key policy naming the account does.
func grantWays(s Subject, rr rego.Request, grants []evaluator.Grant, identity dnf) dnf {
	op := strings.TrimPrefix(rr.Action, "kms:")
	p := s.Principal
	var out dnf
	for _, g := range grants {
		if g.KeyARN != rr.Resource || !slices.Contains(g.Operations, op) {
			continue
		}
		direct := s.Kind != KindAccount && s.Kind != KindAnyone && (g.GranteePrincipal == s.ARN || g.GranteePrincipal == p.ARN ||
			(p.RoleARN != "" && g.GranteePrincipal == p.RoleARN))
		viaAccount := s.Kind != KindAnyone && p.Account != "" && g.GranteePrincipal == fixtures.RootARN(p.Account)
		if !direct && !viaAccount {
			continue
		}
		c := conj{path: PathGrant, stmts: []stmtRef{{name: "grant " + g.ID}}}
		if encryptionContextOperations[op] {
			for _, k := range slices.Sorted(mapKeysS(g.EncryptionContextSubset)) {
				c.conds = append(c.conds, rego.Residual{Key: "kms:EncryptionContext:" + k, Op: rego.OpEquals, Values: []string{g.EncryptionContextSubset[k]}})
			}
			if g.EncryptionContextEquals != nil {
				var kv []string
				for _, k := range slices.Sorted(mapKeysS(g.EncryptionContextEquals)) {
					kv = append(kv, k+"="+g.EncryptionContextEquals[k])
				}
				c.conds = append(c.conds, rego.Residual{Op: rego.OpExpression, Rego: "encryption context is exactly {" + strings.Join(kv, ", ") + "}"})
			}
		}
		if direct {
			out = append(out, c)
		} else {
			out = or(out, label(and(dnf{c}, identity), PathGrant))
		}
	}
	return out
}

func mapKeysS(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Capability is one key and action a principal can use.
type Capability struct {
	Aliases []string `json:"aliases,omitempty"`
	Access
}

// Can lists the keys (only key when set) and key actions the subject arn names can use, with the
// ways it can, sorted by key ARN and action.
func (a *Analyzer) Can(ctx context.Context, arn string, key *fixtures.Key) ([]Capability, error) {
	s, err := a.SubjectByARN(arn)
	if err != nil {
		return nil, err
	}
	var keys []*fixtures.Key
	if key != nil {
		keys = append(keys, key)
	} else {
		for i := range a.world.Keys {
			keys = append(keys, &a.world.Keys[i])
		}
	}
	slices.SortFunc(keys, func(x, y *fixtures.Key) int { return strings.Compare(a.world.KeyARN(x), a.world.KeyARN(y)) })
	var out []Capability
	for _, k := range keys {
		for _, action := range KeyActions {
			acc, err := a.Evaluate(ctx, s, Query{Action: action, Key: k})
			if err != nil {
				return nil, err
			}
			if acc.Allowed() {
				out = append(out, Capability{Aliases: k.Aliases, Access: acc})
			}
		}
	}
	return out, nil
}
