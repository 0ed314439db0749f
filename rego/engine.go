package rego

import (
	"context"
	_ "embed"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// DefaultCacheSize is how many translated policies, and how many compiled policy sets, an Engine
// keeps by default.
const DefaultCacheSize = 4096

// AuthzPackage is the package of the module that combines policies into a decision.
const AuthzPackage = "kmsim.authz"

// DecisionQuery is the entry point every decision evaluates.
const DecisionQuery = "data." + AuthzPackage + ".decision"

// Authz is the source of the combining module (package kmsim.authz). Its rule decision reads
// the policies that apply from input.policies (see Input) and answers with the effect, the
// reason of a denial, the matched statements and the missing condition keys.
//
//go:embed authz.rego
var Authz string

// Roles a policy plays in a decision, as Match.Role reports them.
const (
	RoleResource = "resource" // the key policy or role trust policy
	RoleSCP      = "scp"
	RoleIdentity = "identity"
	RoleBoundary = "boundary"
	RoleSession  = "session"
	RoleVPCE     = "vpce" // the policy of the VPC endpoint the call came through
)

// Decision effects, in the IAM policy simulator's vocabulary.
const (
	EffectAllowed      = "allowed"
	EffectExplicitDeny = "explicitDeny"
	EffectImplicitDeny = "implicitDeny"
)

var (
	libModule     = mustParse("kmsim/lib.rego", Lib)
	authzModule   = mustParse("kmsim/authz.rego", Authz)
	decisionQuery = ast.MustParseBody(DecisionQuery)
)

func mustParse(file, src string) *ast.Module {
	m, err := ast.ParseModuleWithOpts(file, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		panic(err)
	}
	return m
}

// Engine decides requests. It translates each distinct policy document once, and compiles each
// distinct set of policies, with the kmsim.lib and kmsim.authz modules, once. Decisions are
// remembered by the facts they read, and specialised by partial evaluation to the caller,
// action, resource and grants of a request (see Decide). Everything is kept in bounded LRU
// caches. An Engine is safe for concurrent use.
type Engine struct {
	modules map[Kind]*lru[*module] // by document
	sets    *lru[*policySet]       // by the package keys of the set's modules
	known   *lru[*knownPart]       // by the request's known part (see appendKnown)
	memo    *lru[Decision]         // by all a decision reads; nil when decisions are not remembered
	// specialiseAfter is how many decisions of a known part are evaluated in full before it is
	// specialised (negative: never).
	specialiseAfter int
}

// knownPart is what the engine keeps of one known part of the input (caller, action, resource,
// grants and policies): how many decisions it has had, and its residual once specialised.
type knownPart struct {
	seen     atomic.Int64
	once     sync.Once
	residual *residual
	err      error
}

// DefaultSpecialiseAfter is how many decisions of a caller, action, resource and grants an
// Engine evaluates in full, by default, before it specialises them: partial evaluation costs
// about as much as ten full evaluations, so callers seen once or twice are not worth it.
const DefaultSpecialiseAfter = 8

// DefaultMemoSize is how many recent decisions an Engine remembers by default.
const DefaultMemoSize = 4096

// WithDecisionMemo sets how many recent decisions the engine remembers (0: none). A request
// equal to a remembered one in every fact the decision reads — caller, action, resource, the
// condition keys its policies reference, grants and what their constraints compare, policies —
// is then answered without evaluating again.
func WithDecisionMemo(n int) EngineOption {
	return func(e *Engine) {
		e.memo = nil
		if n > 0 {
			e.memo = newLRU[Decision](n)
		}
	}
}

// WithPartialEvaluation sets after how many decisions (not remembered) of one caller, action,
// resource and set of grants the engine specialises them by partial evaluation: 0 at once,
// negative never (every decision not remembered evaluates data.kmsim.authz.decision in full).
// The default is DefaultSpecialiseAfter.
func WithPartialEvaluation(after int) EngineOption {
	return func(e *Engine) { e.specialiseAfter = after }
}

// EngineOption configures an Engine.
type EngineOption func(*Engine)

// WithCacheSize bounds the number of translated policies (of each kind) and of compiled policy
// sets kept (at least 1).
func WithCacheSize(n int) EngineOption {
	return func(e *Engine) {
		if n > 0 {
			for _, c := range e.modules {
				c.resize(n)
			}
			e.sets.resize(n)
			e.known.resize(n)
		}
	}
}

// NewEngine returns an Engine with empty caches.
func NewEngine(opts ...EngineOption) *Engine {
	e := &Engine{modules: map[Kind]*lru[*module]{}, sets: newLRU[*policySet](DefaultCacheSize),
		known: newLRU[*knownPart](DefaultCacheSize), memo: newLRU[Decision](DefaultMemoSize), specialiseAfter: DefaultSpecialiseAfter}
	for _, k := range []Kind{KindKey, KindIdentity, KindSCP, KindBoundary, KindSession, KindTrust, KindVPCE} {
		e.modules[k] = newLRU[*module](DefaultCacheSize)
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Len returns the number of compiled policy sets in the cache.
func (e *Engine) Len() int { return e.sets.len() }

// module is one translated policy, parsed.
type module struct {
	// key is the package's key under data.kmsim.policies ("p_" and a content hash), the name
	// input.policies uses, and term the same as a term.
	key    string
	term   *ast.Term
	parsed *ast.Module
	// reads lists the condition keys the policy references, lower-cased.
	reads []string
}

// module parses and translates doc, or returns the cached result of an earlier call for the same
// kind and document. Parse errors are returned as Errors.
func (e *Engine) module(doc []byte, kind Kind) (*module, error) {
	cache := e.modules[kind]
	if cache != nil {
		if m, ok := cache.get(doc); ok {
			return m, nil
		}
	}
	d, err := Parse(doc, kind)
	if err != nil {
		return nil, err
	}
	pkg := PackageName(doc, kind)
	parsed, err := ast.ParseModuleWithOpts(pkg+".rego", generate(d, kind, "", pkg), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, &EvalError{Code: CodeCompile, Message: err.Error()}
	}
	keys, err := ConditionKeys(doc, kind)
	if err != nil {
		return nil, err
	}
	reads := make([]string, 0, len(keys))
	for k := range keys {
		reads = append(reads, k)
	}
	key := strings.TrimPrefix(pkg, policiesPrefix)
	return cache.add(string(doc), &module{key: key, term: ast.StringTerm(key), parsed: parsed, reads: reads}), nil
}

// Evaluation error codes.
const (
	// CodeCompile: a translated module did not compile (a bug in the translator).
	CodeCompile = "kmsim_compile_error"
	// CodeEval: OPA failed while evaluating a decision.
	CodeEval = "kmsim_eval_error"
	// CodeResult: the decision did not have the expected shape.
	CodeResult = "kmsim_result_error"
)

// EvalError is an error compiling or evaluating translated policies.
type EvalError struct {
	Code    string
	Message string
}

func (e *EvalError) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is an *EvalError with the same Code.
func (e *EvalError) Is(target error) bool {
	t, ok := target.(*EvalError)
	return ok && t.Code == e.Code
}

// Caller describes the principal of a request for matching Principal elements.
type Caller struct {
	// ARN is the caller's own ARN (session ARN for role sessions, arn:aws:iam::ACCOUNT:root for root).
	ARN string
	// RoleARN is the role of a role session.
	RoleARN string
	// Account is the caller's account id.
	Account string
	Root    bool
	// Service, Federated and CanonicalUser identify non-IAM callers.
	Service       string
	Federated     string
	CanonicalUser string
}

// Policy is one policy document taking part in a decision.
type Policy struct {
	Kind     Kind
	Document []byte
}

// Request is one authorization question with the policies that apply to it.
type Request struct {
	Caller Caller
	// Action is matched case-insensitively.
	Action   string
	Resource string
	// ResourceAccount is the account owning Resource ("" for "*").
	ResourceAccount string
	// Context holds condition keys, matched case-insensitively; keys without values count as missing.
	Context map[string][]string
	// Defaults, if set, gives the values of a condition key (lower-case) that Context does not
	// hold, such as the global keys AWS derives from the principal and the clock. It is asked
	// only for keys the policies reference.
	Defaults func(key string) []string

	// ResourcePolicy is the key policy or role trust policy, if any.
	ResourcePolicy *Policy
	// SCPs holds one slice per organization level, root first.
	SCPs     [][]Policy
	Identity []Policy
	Boundary *Policy
	Session  []Policy
	// VPCE is the policy of the VPC endpoint the request came through, if any.
	VPCE *Policy

	// Grants are the KMS grants that may allow the request (see Grant); grants on other keys
	// than Resource are ignored.
	Grants []Grant
	// EncryptionContext is the request's encryption context, keys and values as the caller gave
	// them: grant constraints compare it case-sensitively.
	EncryptionContext map[string]string
}

// Grant is a KMS grant as the decision sees it: Grantee may perform Operations (KMS operation
// names such as "Decrypt") on the key KeyARN, unless a policy explicitly denies it or an SCP
// does not allow it. The encryption context constraints, where set (non-nil), apply to the
// operations that take an encryption context: EncryptionContextEquals must equal the request's
// encryption context, EncryptionContextSubset must be contained in it.
type Grant struct {
	ID                      string
	KeyARN                  string
	Grantee                 string
	Operations              []string
	EncryptionContextEquals map[string]string
	EncryptionContextSubset map[string]string
}

// Match is one statement that matched: the policy it belongs to (its Role, and its Position
// among the request's policies of that role, Level too for SCPs), its index and Sid, and its
// Effect ("Allow" or "Deny").
type Match struct {
	Role     string
	Level    int
	Position int
	Index    int
	Sid      string
	Effect   string
}

// Decision is the value of data.kmsim.authz.decision.
type Decision struct {
	// Effect is EffectAllowed, EffectExplicitDeny or EffectImplicitDeny.
	Effect string
	// Reason names the layer that denied the request, e.g. "no resource-based policy allows"; "" when allowed.
	Reason string
	// Matched is in OPA's order of the match objects.
	Matched []Match
	// MissingContext lists, sorted, the condition keys (as written) of statements whose principal,
	// action and resource matched that the request did not carry.
	MissingContext []string
	// Grant is the id of the grant that allowed a request the policies alone did not allow; ""
	// when no grant was needed or none applied.
	Grant string
}

// neverCancelled stands for the cancellation of evaluations that cannot be cancelled (their
// context has no Done channel) or that are too short to be worth it.
var neverCancelled = topdown.NewCancel()

// Decide evaluates data.kmsim.authz.decision for req, compiling its set of policies on first use.
//
// The input OPA evaluates holds, of req.Context, only the condition keys the policies reference
// and, of the encryption context, only what the grants' constraints compare (the rest cannot
// change the decision). A decision equal in all it reads to a remembered one is answered from
// memory; otherwise, with partial evaluation on, through the residual of its caller, action,
// resource and grants (see residual).
func (e *Engine) Decide(ctx context.Context, req Request) (Decision, error) {
	kb := keyBufs.Get().(*keyBuf)
	defer keyBufs.Put(kb)
	_, mods, key, err := e.resolve(req, kb.b[:0], false)
	if err != nil {
		return Decision{}, err
	}
	set, err := e.prepare(ctx, mods)
	if err != nil {
		return Decision{}, err
	}
	key = appendKnown(key, req)
	knownLen := len(key)
	entries := projectContext(req.Context, req.Defaults, set.reads, set.readKeys)
	ec := projectEncryptionContext(req)
	key = appendContext(key, entries)
	key = appendStringMap(key, ec)
	kb.b = key
	if e.memo != nil {
		if d, ok := e.memo.get(key); ok {
			return d, nil
		}
	}
	unknown := unknownPart{entries: entries, ec: ec}
	var d Decision
	decided := false
	if e.specialiseAfter >= 0 {
		kp, ok := e.known.get(key[:knownLen])
		if !ok {
			kp = e.known.add(string(key[:knownLen]), &knownPart{})
		}
		if kp.seen.Add(1) > int64(e.specialiseAfter) {
			kp.once.Do(func() {
				policies, err := e.policiesTerm(req)
				if err == nil {
					kp.residual, err = set.specialise(ctx, knownInput(req, policies))
				}
				kp.err = err
			})
			// A known part that could not be specialised (its first context cancelled, say) is
			// evaluated in full.
			if kp.err == nil {
				d, err = kp.residual.decide(ctx, set, unknown, e.memo != nil)
				decided = true
			}
		}
	}
	if !decided {
		policies, perr := e.policiesTerm(req)
		if perr != nil {
			return Decision{}, perr
		}
		in := unknown.value()
		knownInput(req, policies).Foreach(func(k, v *ast.Term) { in.Insert(k, v) })
		d, err = evalDecision(ctx, set.eval, in)
	}
	if err == nil && e.memo != nil {
		e.memo.add(string(key), d)
	}
	return d, err
}

// evalDecision evaluates a decision query and decodes its result.
func evalDecision(ctx context.Context, q *query, in ast.Value) (Decision, error) {
	t, err := q.eval(ctx, in, true)
	if err != nil {
		return Decision{}, err
	}
	return decode(t.Value)
}

// policySet is one compiled set of policies.
type policySet struct {
	compiler *ast.Compiler // of the set's modules
	eval     *query        // data.kmsim.authz.decision
	// reads holds the condition keys the policies reference, lower-cased.
	reads map[string]string
	// readKeys lists them, sorted.
	readKeys []string

	partialOnce sync.Once
	partial     *rego.PreparedPartialQuery
	partialErr  error
	combineOnce sync.Once
	combine     *query
	combineErr  error
}

// partialQuery prepares the partial evaluation of the specialised sets, on first use.
func (s *policySet) partialQuery(ctx context.Context) (*rego.PreparedPartialQuery, error) {
	s.partialOnce.Do(func() {
		pq, err := rego.New(rego.Compiler(s.compiler), rego.ParsedQuery(specialisedQuery)).PrepareForPartial(ctx)
		if err != nil {
			s.partialErr = &EvalError{Code: CodeCompile, Message: err.Error()}
			return
		}
		s.partial = &pq
	})
	return s.partial, s.partialErr
}

// combineQuery prepares the decision with the specialised sets given, on first use.
func (s *policySet) combineQuery() (*query, error) {
	s.combineOnce.Do(func() {
		s.combine, s.combineErr = newQuery(s.compiler, combineQuery)
	})
	return s.combine, s.combineErr
}

// prepare returns the compiled set of the modules, compiling it on first use.
func (e *Engine) prepare(ctx context.Context, mods []*module) (*policySet, error) {
	slices.SortFunc(mods, func(a, b *module) int { return strings.Compare(a.key, b.key) })
	mods = slices.CompactFunc(mods, func(a, b *module) bool { return a.key == b.key })
	var buf [512]byte
	key := buf[:0]
	for _, m := range mods {
		key = append(append(key, m.key...), ',')
	}
	if s, ok := e.sets.get(key); ok {
		return s, nil
	}
	s := &policySet{reads: map[string]string{}}
	modules := map[string]*ast.Module{"kmsim/lib.rego": libModule, "kmsim/authz.rego": authzModule}
	for _, m := range mods {
		modules[m.key+".rego"] = m.parsed
		for _, k := range m.reads {
			s.reads[k] = k
		}
	}
	s.readKeys = slices.Sorted(maps.Keys(s.reads))
	c := ast.NewCompiler()
	if c.Compile(modules); c.Failed() {
		return nil, &EvalError{Code: CodeCompile, Message: c.Errors.Error()}
	}
	s.compiler = c
	q, err := newQuery(c, decisionQuery)
	if err != nil {
		return nil, err
	}
	s.eval = q
	return e.sets.add(string(key), s), nil
}

// Input returns the input document of req, as JSON text: what
// `opa eval -b BUNDLE -i input.json 'data.kmsim.authz.decision'` takes for a full request, and
// answers as Decide does. Of req.Defaults, it holds the keys the policies reference.
func (e *Engine) Input(req Request) (string, error) {
	policies, err := e.policiesTerm(req)
	if err != nil {
		return "", err
	}
	in := knownInput(req, policies)
	context := req.Context
	if req.Defaults != nil {
		_, mods, _, _ := e.resolve(req, nil, false)
		context = maps.Clone(context)
		for _, m := range mods {
			for _, k := range m.reads {
				if vs := req.Defaults(k); len(vs) > 0 && !hasKey(context, k) {
					context[k] = vs
				}
			}
		}
	}
	in.Insert(termContext, contextTerm(context))
	if len(req.Grants) > 0 {
		in.Insert(termEncryptionCtx, stringMapTerm(req.EncryptionContext))
	}
	return in.String(), nil
}

// Terms of the input and decision documents, shared by every decision.
var (
	termPrincipal       = ast.StringTerm("principal")
	termAction          = ast.StringTerm("action")
	termResource        = ast.StringTerm("resource")
	termResourceAccount = ast.StringTerm("resource_account")
	termContext         = ast.StringTerm("context")
	termPolicies        = ast.StringTerm("policies")
	termARN             = ast.StringTerm("arn")
	termAccount         = ast.StringTerm("account")
	termRoot            = ast.StringTerm("root")
	termAWSService      = ast.StringTerm("aws_service")
	termAWS             = ast.StringTerm("aws")
	termService         = ast.StringTerm("service")
	termFederated       = ast.StringTerm("federated")
	termCanonical       = ast.StringTerm("canonical_user")
	termViaPrincipal    = ast.StringTerm(ViaPrincipal)
	termViaRole         = ast.StringTerm(ViaRole)
	termViaAccount      = ast.StringTerm(ViaAccount)
	termEffect          = ast.StringTerm("effect")
	termReason          = ast.StringTerm("reason")
	termMatched         = ast.StringTerm("matched")
	termMissing         = ast.StringTerm("missing_context")
	termRole            = ast.StringTerm("role")
	termLevel           = ast.StringTerm("level")
	termPosition        = ast.StringTerm("position")
	termIndex           = ast.StringTerm("index")
	termSid             = ast.StringTerm("sid")
	termGrant           = ast.StringTerm("grant")
	termGrants          = ast.StringTerm("grants")
	termEncryptionCtx   = ast.StringTerm("encryption_context")
	termID              = ast.StringTerm("id")
	termKeyARN          = ast.StringTerm("key_arn")
	termGrantee         = ast.StringTerm("grantee")
	termOperations      = ast.StringTerm("operations")
	termECEquals        = ast.StringTerm("encryption_context_equals")
	termECSubset        = ast.StringTerm("encryption_context_subset")
	emptyObject         = ast.NewTerm(ast.NewObject())

	roleTerms = map[string]*ast.Term{
		RoleResource: ast.StringTerm(RoleResource), RoleSCP: ast.StringTerm(RoleSCP),
		RoleIdentity: ast.StringTerm(RoleIdentity), RoleBoundary: ast.StringTerm(RoleBoundary),
		RoleSession: ast.StringTerm(RoleSession), RoleVPCE: ast.StringTerm(RoleVPCE),
	}

	// commonStrings are the context keys and values most requests carry, as terms made once.
	commonStrings = func() map[string]*ast.Term {
		m := map[string]*ast.Term{}
		for _, s := range []string{
			"aws:principalarn", "aws:principalaccount", "kms:calleraccount", "aws:principalisawsservice",
			"aws:principalservicename", "aws:principaltype", "aws:userid", "aws:username", "aws:principalorgid",
			"aws:principalorgpaths", "aws:resourceaccount", "aws:currenttime", "aws:epochtime", "aws:sourceip",
			"aws:requestedregion", "aws:securetransport", "kms:viaservice", "kms:keyspec", "kms:keyusage",
			"kms:encryptionalgorithm", "kms:encryptioncontextkeys", "kms:grantisforawsresource",
			"true", "false", "User", "AssumedRole", "Account", "FederatedUser",
		} {
			m[s] = ast.StringTerm(s)
		}
		return m
	}()
)

// stringTerm returns the shared term of a common string, or a new one.
func stringTerm(s string) *ast.Term {
	if t, ok := commonStrings[s]; ok {
		return t
	}
	return ast.StringTerm(s)
}

// resolve translates the request's policies and returns the modules and key with the policies
// spelled (role, then package keys) appended; with build, also input.policies.
func (e *Engine) resolve(req Request, key []byte, build bool) (*ast.Term, []*module, []byte, error) {
	mods := make([]*module, 0, 2+len(req.Identity)+len(req.Session))
	named := func(p Policy) (*ast.Term, error) {
		m, err := e.module(p.Document, p.Kind)
		if err != nil {
			return nil, err
		}
		mods = append(mods, m)
		key = appendString(key, m.key)
		return m.term, nil
	}
	list := func(ps []Policy) (*ast.Term, error) {
		key = binary.AppendUvarint(key, uint64(len(ps)))
		var ts []*ast.Term
		if build {
			ts = make([]*ast.Term, len(ps))
		}
		for i, p := range ps {
			t, err := named(p)
			if err != nil {
				return nil, err
			}
			if build {
				ts[i] = t
			}
		}
		if !build {
			return nil, nil
		}
		return ast.ArrayTerm(ts...), nil
	}
	var policies [][2]*ast.Term
	add := func(role string, t *ast.Term, err error) error {
		if err == nil && build {
			policies = append(policies, ast.Item(roleTerms[role], t))
		}
		return err
	}
	var err error
	if req.ResourcePolicy != nil {
		key = append(key, 'r')
		t, merr := named(*req.ResourcePolicy)
		err = add(RoleResource, t, merr)
	}
	if len(req.SCPs) > 0 && err == nil {
		key = binary.AppendUvarint(append(key, 'o'), uint64(len(req.SCPs)))
		levels := make([]*ast.Term, len(req.SCPs))
		for i, level := range req.SCPs {
			if levels[i], err = list(level); err != nil {
				break
			}
		}
		if build {
			err = add(RoleSCP, ast.ArrayTerm(levels...), err)
		}
	}
	if len(req.Identity) > 0 && err == nil {
		key = append(key, 'i')
		t, lerr := list(req.Identity)
		err = add(RoleIdentity, t, lerr)
	}
	if req.Boundary != nil && err == nil {
		key = append(key, 'b')
		t, merr := named(*req.Boundary)
		err = add(RoleBoundary, t, merr)
	}
	if len(req.Session) > 0 && err == nil {
		key = append(key, 's')
		t, lerr := list(req.Session)
		err = add(RoleSession, t, lerr)
	}
	if req.VPCE != nil && err == nil {
		key = append(key, 'v')
		t, merr := named(*req.VPCE)
		err = add(RoleVPCE, t, merr)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	var term *ast.Term
	if build {
		term = ast.ObjectTerm(policies...)
	}
	return term, mods, append(key, '.'), nil
}

// policiesTerm returns input.policies for a request whose policies resolve.
func (e *Engine) policiesTerm(req Request) (*ast.Term, error) {
	t, _, _, err := e.resolve(req, nil, true)
	return t, err
}

// knownInput is the input document without its context and encryption context.
func knownInput(req Request, policies *ast.Term) ast.Object {
	v := ast.NewObject(
		ast.Item(termPrincipal, callerTerm(req.Caller)),
		ast.Item(termAction, ast.StringTerm(strings.ToLower(req.Action))),
		ast.Item(termResource, ast.StringTerm(req.Resource)),
		ast.Item(termResourceAccount, ast.StringTerm(req.ResourceAccount)),
		ast.Item(termPolicies, policies),
	)
	if len(req.Grants) > 0 {
		v.Insert(termGrants, grantsTerm(req.Grants))
	}
	return v
}

// entriesTerm renders projected context entries as input.context.
func entriesTerm(entries []contextEntry) *ast.Term {
	items := make([][2]*ast.Term, len(entries))
	for i, e := range entries {
		terms := make([]*ast.Term, len(e.values))
		for j, v := range e.values {
			terms[j] = stringTerm(v)
		}
		items[i] = ast.Item(stringTerm(e.key), ast.ArrayTerm(terms...))
	}
	return ast.ObjectTerm(items...)
}

// grantsTerm renders grants for input.grants; constraints appear only when set.
func grantsTerm(grants []Grant) *ast.Term {
	ts := make([]*ast.Term, len(grants))
	for i, g := range grants {
		ops := make([]*ast.Term, len(g.Operations))
		for j, op := range g.Operations {
			ops[j] = ast.StringTerm(op)
		}
		obj := ast.NewObject(
			ast.Item(termID, ast.StringTerm(g.ID)),
			ast.Item(termKeyARN, ast.StringTerm(g.KeyARN)),
			ast.Item(termGrantee, ast.StringTerm(g.Grantee)),
			ast.Item(termOperations, ast.ArrayTerm(ops...)),
		)
		if g.EncryptionContextEquals != nil {
			obj.Insert(termECEquals, stringMapTerm(g.EncryptionContextEquals))
		}
		if g.EncryptionContextSubset != nil {
			obj.Insert(termECSubset, stringMapTerm(g.EncryptionContextSubset))
		}
		ts[i] = ast.NewTerm(obj)
	}
	return ast.ArrayTerm(ts...)
}

func stringMapTerm(m map[string]string) *ast.Term {
	items := make([][2]*ast.Term, 0, len(m))
	for k, v := range m {
		items = append(items, ast.Item(ast.StringTerm(k), ast.StringTerm(v)))
	}
	return ast.ObjectTerm(items...)
}

// callerTerm renders the caller with the maps of names it answers to in Principal elements.
func callerTerm(c Caller) *ast.Term {
	named := func(name string) *ast.Term {
		if name == "" {
			return emptyObject
		}
		return ast.ObjectTerm(ast.Item(ast.StringTerm(name), termViaPrincipal))
	}
	aws := make([][2]*ast.Term, 0, 3)
	if c.Account != "" {
		aws = append(aws, ast.Item(ast.StringTerm("arn:aws:iam::"+c.Account+":root"), termViaAccount))
	}
	if c.RoleARN != "" {
		aws = append(aws, ast.Item(ast.StringTerm(c.RoleARN), termViaRole))
	}
	if c.ARN != "" && !c.Root { // the root user matches as its account
		aws = append(aws, ast.Item(ast.StringTerm(c.ARN), termViaPrincipal))
	}
	return ast.ObjectTerm(
		ast.Item(termARN, ast.StringTerm(c.ARN)),
		ast.Item(termAccount, ast.StringTerm(c.Account)),
		ast.Item(termRoot, ast.InternedTerm(c.Root)),
		ast.Item(termAWSService, ast.InternedTerm(c.Service != "")),
		ast.Item(termAWS, ast.ObjectTerm(aws...)),
		ast.Item(termService, named(c.Service)),
		ast.Item(termFederated, named(c.Federated)),
		ast.Item(termCanonical, named(c.CanonicalUser)),
	)
}

// contextTerm lower-cases the keys (merging the values of keys that differ only in case) and
// drops keys without values.
func contextTerm(context map[string][]string) *ast.Term {
	for k := range context {
		if strings.ToLower(k) != k {
			lower := make(map[string][]string, len(context))
			for k, vs := range context {
				k = strings.ToLower(k)
				lower[k] = append(lower[k], vs...)
			}
			context = lower
			break
		}
	}
	items := make([][2]*ast.Term, 0, len(context))
	for k, vs := range context {
		if len(vs) == 0 {
			continue
		}
		terms := make([]*ast.Term, len(vs))
		for i, v := range vs {
			terms[i] = stringTerm(v)
		}
		items = append(items, ast.Item(stringTerm(k), ast.ArrayTerm(terms...)))
	}
	return ast.ObjectTerm(items...)
}

// decode reads the decision object.
func decode(v ast.Value) (Decision, error) {
	obj, ok := v.(ast.Object)
	if !ok {
		return Decision{}, resultError("decision", v)
	}
	var d Decision
	var err error
	str := func(o ast.Object, k *ast.Term) string {
		if t := o.Get(k); t != nil {
			if s, ok := t.Value.(ast.String); ok {
				return string(s)
			}
		}
		err = resultError(string(k.Value.(ast.String)), o)
		return ""
	}
	num := func(o ast.Object, k *ast.Term) int {
		if t := o.Get(k); t != nil {
			if n, ok := t.Value.(ast.Number); ok {
				if i, ok := n.Int(); ok {
					return i
				}
			}
		}
		err = resultError(string(k.Value.(ast.String)), o)
		return 0
	}
	set := func(k *ast.Term) ast.Set {
		if t := obj.Get(k); t != nil {
			s, _ := t.Value.(ast.Set)
			return s
		}
		return nil
	}
	d.Effect, d.Reason = str(obj, termEffect), str(obj, termReason)
	if obj.Get(termGrant) != nil {
		d.Grant = str(obj, termGrant)
	}
	matched, missing := set(termMatched), set(termMissing)
	if matched == nil || missing == nil {
		return Decision{}, resultError("decision", v)
	}
	if matched.Len() > 0 {
		d.Matched = make([]Match, 0, matched.Len())
	}
	matched.Foreach(func(t *ast.Term) {
		m, ok := t.Value.(ast.Object)
		if !ok {
			err = resultError("matched", t.Value)
			return
		}
		d.Matched = append(d.Matched, Match{
			Role: str(m, termRole), Level: num(m, termLevel), Position: num(m, termPosition),
			Index: num(m, termIndex), Sid: str(m, termSid), Effect: str(m, termEffect),
		})
	})
	missing.Foreach(func(t *ast.Term) {
		if s, ok := t.Value.(ast.String); ok {
			d.MissingContext = append(d.MissingContext, string(s))
		}
	})
	return d, err
}

func resultError(what string, v ast.Value) error {
	return &EvalError{Code: CodeResult, Message: fmt.Sprintf("unexpected %s: %v", what, v)}
}
