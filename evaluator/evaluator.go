package evaluator

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kmsim/kmsim/rego"
)

// Evaluator decides Requests. It compiles each distinct policy document once and is safe for
// concurrent use.
type Evaluator struct {
	engine    *rego.Engine
	cacheSize int
	now       func() time.Time
}

// Option configures an Evaluator.
type Option func(*Evaluator)

// WithCacheSize bounds how many compiled policies the Evaluator keeps (default rego.DefaultCacheSize).
func WithCacheSize(n int) Option { return func(e *Evaluator) { e.cacheSize = n } }

// WithNow sets the clock used for aws:CurrentTime and aws:EpochTime when a request does not carry them.
func WithNow(now func() time.Time) Option { return func(e *Evaluator) { e.now = now } }

// New returns an Evaluator.
func New(opts ...Option) *Evaluator {
	e := &Evaluator{now: time.Now}
	for _, o := range opts {
		o(e)
	}
	e.engine = rego.NewEngine(rego.WithCacheSize(e.cacheSize))
	return e
}

// Allowed reports whether the decision allows the request. It hides why: a denial may be
// explicit or implicit, and Matched may list allow statements even for a denial.
func (d Decision) Allowed() bool { return d.Effect == Allowed }

// kindRank orders policy kinds in explanations and explicit-deny reasons.
var kindRank = map[PolicyKind]int{KindKey: 0, KindTrust: 0, KindSCP: 1, KindIdentity: 2, KindBoundary: 3, KindSession: 4}

var denyReasons = map[PolicyKind]DenyReason{
	KindKey: DenyInResourcePolicy, KindTrust: DenyInResourcePolicy, KindSCP: DenyInSCP,
	KindIdentity: DenyInIdentityPolicy, KindBoundary: DenyInBoundary, KindSession: DenyInSessionPolicy,
}

// evaluated is one policy's result.
type evaluated struct {
	policy Policy
	prep   *rego.Prepared
	res    rego.Result
}

// Decide evaluates req, combining the policies as AWS KMS does:
//
//  1. An explicit Deny in any applicable policy wins (checked in the order resource policy,
//     SCP, identity, boundary, session).
//  2. Every SCP level must allow (root is bound by SCPs too).
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
func (e *Evaluator) Decide(ctx context.Context, req Request) (Decision, error) {
	p := req.Principal
	root := isRoot(p)
	service := p.Type == "AWSService"
	resAcct := req.ResourceAccount
	if resAcct == "" {
		resAcct = arnAccount(req.Resource)
	}
	caller := rego.Caller{ARN: p.ARN, RoleARN: p.RoleARN, Account: p.Account, Root: root}
	if service {
		caller.Service = p.ARN
		if caller.Service == "" {
			caller.Service = p.Name
		}
		caller.ARN = ""
	}
	in := rego.NewInput(caller, req.Action, req.Resource, e.context(req, resAcct))

	var all []evaluated
	eval := func(pol Policy, kind PolicyKind) (evaluated, error) {
		pol.Kind = kind
		prep, err := e.engine.Prepare(ctx, pol.Document, rego.Kind(kind))
		if err != nil {
			return evaluated{}, fmt.Errorf("policy %s (%s): %w", pol.ID, kind, err)
		}
		res, err := prep.Eval(ctx, in)
		if err != nil {
			return evaluated{}, fmt.Errorf("policy %s (%s): %w", pol.ID, kind, err)
		}
		ev := evaluated{policy: pol, prep: prep, res: res}
		all = append(all, ev)
		return ev, nil
	}

	var resource *evaluated
	if req.ResourcePolicy != nil {
		kind := req.ResourcePolicy.Kind
		if kind == "" {
			kind = KindKey
		}
		ev, err := eval(*req.ResourcePolicy, kind)
		if err != nil {
			return Decision{}, err
		}
		resource = &ev
	}
	scpAllows := make([]bool, len(p.SCPs))
	if !service {
		for lvl, level := range p.SCPs {
			for _, pol := range level {
				ev, err := eval(pol, KindSCP)
				if err != nil {
					return Decision{}, err
				}
				scpAllows[lvl] = scpAllows[lvl] || len(ev.res.Allow) > 0
			}
		}
	}
	identityAllow, boundaryAllow, sessionAllow := false, p.Boundary == nil, len(p.SessionPolicies) == 0
	if !root && !service {
		for _, pol := range p.IdentityPolicies {
			ev, err := eval(pol, KindIdentity)
			if err != nil {
				return Decision{}, err
			}
			identityAllow = identityAllow || len(ev.res.Allow) > 0
		}
		if p.Boundary != nil {
			ev, err := eval(*p.Boundary, KindBoundary)
			if err != nil {
				return Decision{}, err
			}
			boundaryAllow = len(ev.res.Allow) > 0
		}
		for _, pol := range p.SessionPolicies {
			ev, err := eval(pol, KindSession)
			if err != nil {
				return Decision{}, err
			}
			sessionAllow = sessionAllow || len(ev.res.Allow) > 0
		}
	} else {
		boundaryAllow, sessionAllow = true, true
	}

	d := Decision{Matched: matched(all), MissingContext: missing(all, in)}

	// 1. Explicit deny.
	denyKind := PolicyKind("")
	for _, ev := range all {
		if len(ev.res.Deny) > 0 && (denyKind == "" || kindRank[ev.policy.Kind] < kindRank[denyKind]) {
			denyKind = ev.policy.Kind
		}
	}
	if denyKind != "" {
		d.Effect, d.Reason = ExplicitDeny, denyReasons[denyKind]
		return d, nil
	}
	// 2. SCPs.
	for _, ok := range scpAllows {
		if !ok {
			return d.deny(NoSCPAllows), nil
		}
	}
	// The identity side: identity policies within the boundary and session policies.
	identityReason := DenyReason("")
	switch {
	case root:
	case !identityAllow:
		identityReason = NoIdentityPolicyAllows
	case !boundaryAllow:
		identityReason = NoBoundaryAllows
	case !sessionAllow:
		identityReason = NoSessionPolicyAllows
	}
	// 3. No resource policy.
	if resource == nil {
		if identityReason == "" {
			return d.allow(), nil
		}
		return d.deny(identityReason), nil
	}
	if len(resource.res.Allow) == 0 {
		return d.deny(NoResourcePolicyAllows), nil
	}
	vias := map[string]bool{}
	for _, m := range resource.res.Allow {
		vias[m.Via] = true
	}
	// 5. Cross-account.
	if !service && resAcct != "" && p.Account != resAcct {
		if identityReason == "" {
			return d.allow(), nil
		}
		return d.deny(identityReason), nil
	}
	// 4. Same account.
	if vias[rego.ViaPrincipal] || vias[rego.ViaAnyone] || (root && vias[rego.ViaAccount]) {
		return d.allow(), nil
	}
	if vias[rego.ViaRole] {
		switch {
		case !boundaryAllow:
			return d.deny(NoBoundaryAllows), nil
		case !sessionAllow:
			return d.deny(NoSessionPolicyAllows), nil
		}
		return d.allow(), nil
	}
	if vias[rego.ViaAccount] && !service {
		if identityReason == "" {
			return d.allow(), nil
		}
		return d.deny(identityReason), nil
	}
	return d.deny(NoResourcePolicyAllows), nil
}

func (d Decision) allow() Decision {
	d.Effect = Allowed
	return d
}

func (d Decision) deny(r DenyReason) Decision {
	d.Effect, d.Reason = ImplicitDeny, r
	return d
}

func matched(all []evaluated) []Statement {
	var out []Statement
	for _, ev := range all {
		add := func(ms []rego.Match, effect string) {
			for _, m := range ms {
				out = append(out, Statement{PolicyID: ev.policy.ID, PolicyKind: ev.policy.Kind, Index: m.Index, Sid: m.Sid, Effect: effect})
			}
		}
		add(ev.res.Allow, "Allow")
		add(ev.res.Deny, "Deny")
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if kindRank[a.PolicyKind] != kindRank[b.PolicyKind] {
			return kindRank[a.PolicyKind] < kindRank[b.PolicyKind]
		}
		if a.PolicyID != b.PolicyID {
			return a.PolicyID < b.PolicyID
		}
		return a.Index < b.Index
	})
	return out
}

// missing lists the condition keys, as written in the policies, of statements whose principal,
// action and resource matched, that the request did not carry.
func missing(all []evaluated, in *rego.Input) []string {
	seen := map[string]bool{}
	var out []string
	for _, ev := range all {
		if len(ev.res.Considered) == 0 {
			continue
		}
		stmts := ev.prep.Document.Statements
		for _, idx := range ev.res.Considered {
			if idx < 0 || idx >= len(stmts) {
				continue
			}
			for _, k := range stmts[idx].ConditionKeys() {
				if !in.Has(k) && !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	sort.Strings(out)
	return out
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
var principalTypes = map[string]string{"Root": "Account", "IAMUser": "User", "AssumedRole": "AssumedRole", "FederatedUser": "FederatedUser"}

// context returns the request context with the global condition keys AWS derives from the
// principal added where the request does not set them.
func (e *Evaluator) context(req Request, resAcct string) map[string][]string {
	out := make(map[string][]string, len(req.Context)+12)
	have := map[string]bool{}
	for k, v := range req.Context {
		out[k] = v
		have[strings.ToLower(k)] = true
	}
	set := func(k string, vs ...string) {
		if have[strings.ToLower(k)] || len(vs) == 0 || vs[0] == "" {
			return
		}
		out[k] = vs
	}
	p := req.Principal
	principalARN := p.ARN
	if p.RoleARN != "" {
		principalARN = p.RoleARN
	}
	if p.Type != "AWSService" {
		set("aws:PrincipalArn", principalARN)
		set("aws:PrincipalAccount", p.Account)
		set("kms:CallerAccount", p.Account)
		set("aws:PrincipalIsAWSService", "false")
	} else {
		set("aws:PrincipalIsAWSService", "true")
		set("aws:PrincipalServiceName", p.ARN)
	}
	if t, ok := principalTypes[p.Type]; ok {
		set("aws:PrincipalType", t)
	}
	set("aws:userid", p.UserID)
	set("aws:username", p.Name)
	for k, v := range p.Tags {
		set("aws:PrincipalTag/"+k, v)
	}
	set("aws:PrincipalOrgID", p.OrgID)
	if len(p.OrgPaths) > 0 {
		set("aws:PrincipalOrgPaths", p.OrgPaths...)
	}
	set("aws:ResourceAccount", resAcct)
	now := e.now().UTC()
	set("aws:CurrentTime", now.Format(time.RFC3339))
	set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	return out
}
