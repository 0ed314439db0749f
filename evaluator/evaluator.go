package evaluator

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kmsim/kmsim/rego"
)

// Evaluator decides Requests. It compiles each distinct set of policy documents once and is safe
// for concurrent use.
type Evaluator struct {
	engine     *rego.Engine
	cacheSize  int
	memoSize   int
	memoPicked bool
	// specialiseAfter: see rego.WithPartialEvaluation.
	specialiseAfter int
	now             func() time.Time
	lastClock       atomic.Pointer[clockValues]
}

// Option configures an Evaluator.
type Option func(*Evaluator)

// WithCacheSize bounds how many translated policies, and how many compiled policy sets, the
// Evaluator keeps (default rego.DefaultCacheSize).
func WithCacheSize(n int) Option { return func(e *Evaluator) { e.cacheSize = n } }

// WithDecisionMemo sets how many recent decisions the Evaluator remembers (default
// rego.DefaultMemoSize; 0 turns remembering off): a request equal in every fact the decision
// reads — caller, action, resource, context (the clock included), policies, grants — is answered
// from memory.
func WithDecisionMemo(n int) Option {
	return func(e *Evaluator) { e.memoSize, e.memoPicked = n, true }
}

// WithPartialEvaluation sets after how many decisions of one caller, action, resource and set
// of grants the engine specialises them by OPA partial evaluation (default
// rego.DefaultSpecialiseAfter; 0 at once; negative never, when every decision not remembered is
// evaluated in full).
func WithPartialEvaluation(after int) Option {
	return func(e *Evaluator) { e.specialiseAfter = after }
}

// WithNow sets the clock used for aws:CurrentTime and aws:EpochTime when a request does not carry them.
func WithNow(now func() time.Time) Option { return func(e *Evaluator) { e.now = now } }

// New returns an Evaluator.
func New(opts ...Option) *Evaluator {
	e := &Evaluator{now: time.Now, specialiseAfter: rego.DefaultSpecialiseAfter}
	for _, o := range opts {
		o(e)
	}
	engineOpts := []rego.EngineOption{rego.WithCacheSize(e.cacheSize), rego.WithPartialEvaluation(e.specialiseAfter)}
	if e.memoPicked {
		engineOpts = append(engineOpts, rego.WithDecisionMemo(e.memoSize))
	}
	e.engine = rego.NewEngine(engineOpts...)
	return e
}

// Allowed reports whether the decision allows the request. It hides why: a denial may be
// explicit or implicit, and Matched may list allow statements even for a denial.
func (d Decision) Allowed() bool { return d.Effect == Allowed }

// kindRank orders policy kinds in explanations.
var kindRank = map[PolicyKind]int{KindKey: 0, KindTrust: 0, KindSCP: 1, KindIdentity: 2, KindBoundary: 3, KindSession: 4, KindVPCE: 5}

// Decide evaluates req with one evaluation of data.kmsim.authz.decision (see rego/authz.rego),
// which combines the policies as AWS KMS does:
//
//  1. An explicit Deny in any applicable policy wins (reported in the order resource policy,
//     SCP, VPC endpoint policy, identity, boundary, session).
//  2. Every SCP level must allow (root is bound by SCPs too), and so must the VPC endpoint
//     policy of a request that came through an endpoint (Request.VPCEPolicy). Cross-account, a
//     KMS permission that cannot be used cross-account is not effective (see
//     rego.CrossAccountUsable).
//  3. Without a resource policy, identity policies must allow, within the boundary and the
//     session policies; the root user is allowed.
//  4. With a resource policy in the caller's account, an allow naming the caller directly
//     (its ARN or "*") suffices; one naming a session's role ARN is still bounded by the
//     boundary and session policies; one naming the account principal delegates to IAM: an
//     identity policy must allow, within boundary and session policies (root needs none).
//  5. Cross-account, the resource policy must allow (in any way) and so must the caller's
//     identity policies, within boundary and session policies.
//
// Identity policies, the boundary and session policies are ignored for the root user and for
// AWS service principals; SCPs are ignored for service principals.
//
//  6. Failing that, a grant on the key allows its operations to its grantee (the caller's ARN,
//     a session's role ARN, or the caller's account, which delegates to its identity policies)
//     when its encryption context constraints hold; explicit denies and SCPs still apply, and
//     Decision.Grant names it.
func (e *Evaluator) Decide(ctx context.Context, req Request) (Decision, error) {
	rd, err := e.engine.Decide(ctx, e.request(req, false))
	if err != nil {
		return Decision{}, err
	}
	d := Decision{Effect: Effect(rd.Effect), Reason: DenyReason(rd.Reason), MissingContext: slices.Clone(rd.MissingContext), Grant: rd.Grant}
	if len(rd.Matched) > 0 {
		d.Matched = make([]Statement, 0, len(rd.Matched))
	}
	for _, m := range rd.Matched {
		pol, ok := policyAt(req, m)
		if !ok {
			return Decision{}, &rego.EvalError{Code: rego.CodeResult, Message: fmt.Sprintf("no %s policy at %d/%d", m.Role, m.Level, m.Position)}
		}
		d.Matched = append(d.Matched, Statement{PolicyID: pol.ID, PolicyKind: pol.Kind, Index: m.Index, Sid: m.Sid, Effect: m.Effect})
	}
	sortMatched(d.Matched)
	return d, nil
}

// sortMatched orders statements by policy kind, policy and index (ties keep OPA's order).
func sortMatched(ms []Statement) {
	slices.SortStableFunc(ms, func(a, b Statement) int {
		return cmp.Or(cmp.Compare(kindRank[a.PolicyKind], kindRank[b.PolicyKind]), strings.Compare(a.PolicyID, b.PolicyID), cmp.Compare(a.Index, b.Index))
	})
}

// Input returns the input document Decide evaluates for req as JSON text, to run the same
// decision under stock OPA: opa eval -b BUNDLE -i input.json 'data.kmsim.authz.decision'.
func (e *Evaluator) Input(req Request) (string, error) {
	return e.engine.Input(e.request(req, true))
}

// request translates req for the rego engine, with the global condition keys added to its
// context (full) or given as its defaults, computed only for the keys the policies read.
func (e *Evaluator) request(req Request, full bool) rego.Request {
	p := req.Principal
	service := p.Type == "AWSService"
	resAcct := req.ResourceAccount
	if resAcct == "" {
		resAcct = arnAccount(req.Resource)
	}
	caller := rego.Caller{ARN: p.ARN, RoleARN: p.RoleARN, Account: p.Account, Root: isRoot(p)}
	if service {
		caller.Service = p.ARN
		if caller.Service == "" {
			caller.Service = p.Name
		}
		caller.ARN = ""
	}
	policy := func(pol Policy, kind PolicyKind) rego.Policy {
		return rego.Policy{Kind: rego.Kind(kind), Document: pol.Document}
	}
	list := func(ps []Policy, kind PolicyKind) []rego.Policy {
		out := make([]rego.Policy, len(ps))
		for i, pol := range ps {
			out[i] = policy(pol, kind)
		}
		return out
	}
	rr := rego.Request{
		Caller: caller, Action: req.Action, Resource: req.Resource, ResourceAccount: resAcct,
		Context:  req.Context,
		Defaults: e.globals(p, resAcct),
		Identity: list(p.IdentityPolicies, KindIdentity),
		Session:  list(p.SessionPolicies, KindSession),
	}
	if full {
		rr.Context, rr.Defaults = e.context(req, resAcct), nil
	}
	if req.ResourcePolicy != nil {
		r := policy(*req.ResourcePolicy, resourceKind(*req.ResourcePolicy))
		rr.ResourcePolicy = &r
	}
	for _, level := range p.SCPs {
		rr.SCPs = append(rr.SCPs, list(level, KindSCP))
	}
	if p.Boundary != nil {
		b := policy(*p.Boundary, KindBoundary)
		rr.Boundary = &b
	}
	if req.VPCEPolicy != nil {
		v := policy(*req.VPCEPolicy, KindVPCE)
		rr.VPCE = &v
	}
	if len(req.Grants) > 0 {
		rr.Grants = make([]rego.Grant, len(req.Grants))
		for i, g := range req.Grants {
			rr.Grants[i] = rego.Grant{ID: g.ID, KeyARN: g.KeyARN, Grantee: g.GranteePrincipal, Operations: g.Operations,
				EncryptionContextEquals: g.EncryptionContextEquals, EncryptionContextSubset: g.EncryptionContextSubset}
		}
		rr.EncryptionContext = encryptionContext(req.Context, req.Grants, full)
	}
	return rr
}

// encryptionContextPrefix starts the condition keys that carry the encryption context.
const encryptionContextPrefix = "kms:encryptioncontext:"

// encryptionContext reads the request's encryption context from its single-valued
// kms:EncryptionContext:<key> condition keys, keeping <key> as written: all of it with all or
// when a grant requires an exact match, else the pairs grants' subset constraints name (all a
// decision reads of it).
func encryptionContext(context map[string][]string, grants []Grant, all bool) map[string]string {
	for _, g := range grants {
		all = all || g.EncryptionContextEquals != nil
	}
	var ec map[string]string
	var from map[string]string // the condition key each pair came from
	for k, vs := range context {
		if len(k) <= len(encryptionContextPrefix) || len(vs) != 1 || !strings.EqualFold(k[:len(encryptionContextPrefix)], encryptionContextPrefix) {
			continue
		}
		name := k[len(encryptionContextPrefix):]
		if !all && !slices.ContainsFunc(grants, func(g Grant) bool { _, ok := g.EncryptionContextSubset[name]; return ok }) {
			continue
		}
		if ec == nil {
			ec, from = map[string]string{}, map[string]string{}
		}
		if prev, ok := from[name]; ok && prev < k {
			continue // the same pair under two spellings of the prefix: the first in order wins
		}
		ec[name], from[name] = vs[0], k
	}
	return ec
}

// resourceKind is the kind of a resource policy: its own, key by default.
func resourceKind(pol Policy) PolicyKind {
	if pol.Kind == "" {
		return KindKey
	}
	return pol.Kind
}

// policyAt returns the policy a match belongs to, with the kind of the role it played.
func policyAt(req Request, m rego.Match) (Policy, bool) {
	p := req.Principal
	at := func(ps []Policy, i int, kind PolicyKind) (Policy, bool) {
		if i < 0 || i >= len(ps) {
			return Policy{}, false
		}
		pol := ps[i]
		pol.Kind = kind
		return pol, true
	}
	one := func(pol *Policy, kind PolicyKind) (Policy, bool) {
		if pol == nil {
			return Policy{}, false
		}
		return at([]Policy{*pol}, 0, kind)
	}
	switch m.Role {
	case rego.RoleResource:
		if req.ResourcePolicy == nil {
			return Policy{}, false
		}
		return one(req.ResourcePolicy, resourceKind(*req.ResourcePolicy))
	case rego.RoleSCP:
		if m.Level < 0 || m.Level >= len(p.SCPs) {
			return Policy{}, false
		}
		return at(p.SCPs[m.Level], m.Position, KindSCP)
	case rego.RoleIdentity:
		return at(p.IdentityPolicies, m.Position, KindIdentity)
	case rego.RoleBoundary:
		return one(p.Boundary, KindBoundary)
	case rego.RoleSession:
		return at(p.SessionPolicies, m.Position, KindSession)
	case rego.RoleVPCE:
		return one(req.VPCEPolicy, KindVPCE)
	}
	return Policy{}, false
}

func isRoot(p Principal) bool {
	return p.Type == "Root" || (p.Type == "" && strings.HasSuffix(p.ARN, ":root"))
}

// arnAccount returns the account field of an ARN, or "".
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// principalTypes maps CloudTrail userIdentity types to aws:PrincipalType values.
var principalTypes = map[string][]string{"Root": {"Account"}, "IAMUser": {"User"}, "AssumedRole": {"AssumedRole"}, "FederatedUser": {"FederatedUser"}}

// Values shared by every request's context (never modified).
var (
	falseValues = []string{"false"}
	trueValues  = []string{"true"}
)

// clockValues are aws:CurrentTime and aws:EpochTime for one second.
type clockValues struct {
	unix               int64
	currentTime, epoch []string
}

// clock returns the clock keys' values for now, formatted once a second.
func (e *Evaluator) clock() *clockValues {
	now := e.now().UTC()
	if c := e.lastClock.Load(); c != nil && c.unix == now.Unix() {
		return c
	}
	c := &clockValues{unix: now.Unix(), currentTime: []string{now.Format(time.RFC3339)}, epoch: []string{strconv.FormatInt(now.Unix(), 10)}}
	e.lastClock.Store(c)
	return c
}

// globalKeys are the condition keys AWS derives from the principal, the resource and the clock
// (besides aws:PrincipalTag/*), lower-case.
var globalKeys = []string{
	"aws:principalarn", "aws:principalaccount", "kms:calleraccount", "aws:principalisawsservice",
	"aws:principalservicename", "aws:principaltype", "aws:userid", "aws:username", "aws:principalorgid",
	"aws:principalorgpaths", "aws:resourceaccount", "aws:currenttime", "aws:epochtime",
}

const principalTagPrefix = "aws:principaltag/"

// globals returns the values of the global condition keys of a request (see globalKeys), the
// clock read once, on first use.
func (e *Evaluator) globals(p Principal, resAcct string) func(key string) []string {
	var clock *clockValues
	service := p.Type == "AWSService"
	one := func(v string) []string {
		if v == "" {
			return nil
		}
		return []string{v}
	}
	return func(k string) []string {
		switch k {
		case "aws:principalarn":
			switch {
			case service:
				return nil
			case p.RoleARN != "":
				return one(p.RoleARN)
			}
			return one(p.ARN)
		case "aws:principalaccount", "kms:calleraccount":
			if service {
				return nil
			}
			return one(p.Account)
		case "aws:principalisawsservice":
			if service {
				return trueValues
			}
			return falseValues
		case "aws:principalservicename":
			if service {
				return one(p.ARN)
			}
			return nil
		case "aws:principaltype":
			return principalTypes[p.Type]
		case "aws:userid":
			return one(p.UserID)
		case "aws:username":
			return one(p.Name)
		case "aws:principalorgid":
			return one(p.OrgID)
		case "aws:principalorgpaths":
			if len(p.OrgPaths) == 0 || p.OrgPaths[0] == "" {
				return nil
			}
			return p.OrgPaths
		case "aws:resourceaccount":
			return one(resAcct)
		case "aws:currenttime", "aws:epochtime":
			if clock == nil {
				clock = e.clock()
			}
			if k == "aws:currenttime" {
				return clock.currentTime
			}
			return clock.epoch
		}
		if tag, ok := strings.CutPrefix(k, principalTagPrefix); ok {
			for name, v := range p.Tags {
				if strings.EqualFold(name, tag) {
					return one(v)
				}
			}
		}
		return nil
	}
}

// context returns the request context, keys lower-cased, with the global condition keys AWS
// derives from the principal added where the request does not set them.
func (e *Evaluator) context(req Request, resAcct string) map[string][]string {
	out := make(map[string][]string, len(req.Context)+len(globalKeys)+len(req.Principal.Tags))
	for k, v := range req.Context {
		k = strings.ToLower(k)
		if prev, ok := out[k]; ok {
			v = append(prev[:len(prev):len(prev)], v...)
		}
		out[k] = v
	}
	global := e.globals(req.Principal, resAcct)
	set := func(k string) {
		if _, ok := out[k]; !ok {
			if vs := global(k); len(vs) > 0 {
				out[k] = vs
			}
		}
	}
	for _, k := range globalKeys {
		set(k)
	}
	for k := range req.Principal.Tags {
		set(principalTagPrefix + strings.ToLower(k))
	}
	return out
}
