package rego

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Partial answers, for a request whose context is partly unknown, which statements of its
// policies can match and under which conditions on the unknown condition keys, by OPA partial
// evaluation of each policy's allow and deny sets. Results are cached by what the policies can
// observe of the request, so principals a policy does not tell apart share one evaluation.
// A Partial is safe for concurrent use.
type Partial struct {
	engine *Engine

	mu       sync.Mutex
	modules  map[string]*partialModule // by package key
	results  map[string][]PartialMatch // by observation key
	prepared map[string]*rego.PreparedPartialQuery
}

// partialModule is what Partial knows of one translated policy.
type partialModule struct {
	*module
	// strs holds every string constant of the module: a caller name not in it cannot be told
	// apart from any other.
	strs map[string]bool
	// keys are the condition keys the policy references, lower-cased, with the spelling written.
	keys map[string]string
}

// NewPartial returns a Partial with its own engine (for translations) and empty caches.
func NewPartial() *Partial {
	return &Partial{engine: NewEngine(), modules: map[string]*partialModule{}, results: map[string][]PartialMatch{},
		prepared: map[string]*rego.PreparedPartialQuery{}}
}

// PartialMatch is a statement that matches the request for some values of the unknown keys.
type PartialMatch struct {
	Match
	// Via says how the principal matched: "principal", "role", "account", "anyone" or "identity".
	Via string
	// Alternatives: the statement matches when every condition of one alternative holds. An
	// empty alternative means it always matches.
	Alternatives [][]Residual
}

// Always reports whether the statement matches whatever the unknown keys hold.
func (m PartialMatch) Always() bool {
	for _, a := range m.Alternatives {
		if len(a) == 0 {
			return true
		}
	}
	return false
}

// Residual ops, as Residual.Op reports them.
const (
	OpEquals     = "="       // some value equals one of Values
	OpEqualsFold = "=~"      // the same, ignoring case
	OpLike       = "like"    // some value matches one of the glob patterns in Values
	OpCIDR       = "cidr"    // some value is an address inside one of the CIDRs in Values
	OpPresent    = "present" // the key is present
	OpAbsent     = "absent"  // the key is absent
	OpCompare    = "compare" // Values[0] is <, <=, > or >=; Values[1] the bound
	OpEvery      = "every"   // every value matches one of Values (ForAllValues)
	OpAny        = "any"     // one of the alternatives in Any holds
	OpExpression = "rego"    // a residual Rego expression, printed as such
)

// Residual is one condition on the request's context left over by partial evaluation.
type Residual struct {
	// Key is the condition key as the policy spells it ("" for OpAny).
	Key string
	// Op is one of the Op constants.
	Op     string
	Values []string
	// Negated conditions hold when the condition does not.
	Negated bool
	// Any holds the alternatives of an OpAny condition.
	Any [][]Residual
	// Rego is the residual expression the condition was read from (for OpExpression, the text
	// with context references replaced by key names).
	Rego string
}

// Not returns the negation of c.
func (c Residual) Not() Residual {
	switch {
	case c.Op == OpPresent && !c.Negated:
		c.Op = OpAbsent
	case c.Op == OpAbsent && !c.Negated:
		c.Op = OpPresent
	default:
		c.Negated = !c.Negated
	}
	return c
}

// String renders c for people: "kms:EncryptionContext:app = billing",
// "kms:ViaService in [ec2.us-east-1.amazonaws.com, ecr.us-east-1.amazonaws.com]",
// "aws:SourceIp in 10.0.0.0/8", "not (…)".
func (c Residual) String() string {
	s := c.positive()
	if c.Negated {
		return "not (" + s + ")"
	}
	return s
}

func (c Residual) positive() string {
	list := func() string {
		if len(c.Values) == 1 {
			return c.Values[0]
		}
		return "[" + strings.Join(c.Values, ", ") + "]"
	}
	in := func(one string) string {
		if len(c.Values) == 1 {
			return c.Key + " " + one + " " + c.Values[0]
		}
		return c.Key + " in " + list()
	}
	switch c.Op {
	case OpEquals:
		return in("=")
	case OpEqualsFold:
		return in("=") + " (ignoring case)"
	case OpLike:
		return c.Key + " like " + list()
	case OpCIDR:
		return c.Key + " in " + list()
	case OpPresent:
		return c.Key + " is present"
	case OpAbsent:
		return c.Key + " is absent"
	case OpCompare:
		return c.Key + " " + c.Values[0] + " " + c.Values[1]
	case OpEvery:
		return "every " + c.Key + " in [" + strings.Join(c.Values, ", ") + "]"
	case OpAny:
		alts := make([]string, len(c.Any))
		for i, a := range c.Any {
			alts[i] = ConjunctionString(a)
		}
		return strings.Join(alts, " or ")
	}
	return c.Rego
}

// ConjunctionString renders conditions that must all hold, joined by " and "; "always" for none.
func ConjunctionString(cs []Residual) string {
	if len(cs) == 0 {
		return "always"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
		if len(cs) > 1 && c.Op == OpAny && !c.Negated && len(c.Any) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " and ")
}

// ConditionKeys returns the condition keys doc references (in conditions and policy variables),
// lower-cased, each mapped to its spelling in the document.
func ConditionKeys(doc []byte, kind Kind) (map[string]string, error) {
	d, err := Parse(doc, kind)
	if err != nil {
		return nil, err
	}
	keys := map[string]string{}
	vars := func(s string) {
		for _, m := range policyVar.FindAllStringSubmatch(s, -1) {
			// As the translation reads them: ${*}, ${?} and ${$} exactly are characters; anything
			// else names a key, the part before a default, spaces trimmed (even "*" or "").
			if m[1] == "*" || m[1] == "?" || m[1] == "$" {
				continue
			}
			name, _, _ := strings.Cut(m[1], ",")
			k := strings.TrimSpace(name)
			if _, ok := keys[strings.ToLower(k)]; !ok {
				keys[strings.ToLower(k)] = k
			}
		}
	}
	for _, st := range d.Statements {
		for _, c := range st.Conditions {
			keys[strings.ToLower(c.Key)] = c.Key
			for _, v := range c.Values {
				vars(v)
			}
		}
		for _, r := range st.Resources {
			vars(r)
		}
	}
	return keys, nil
}

var policyVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// module returns the Partial's view of a policy.
func (p *Partial) module(pol Policy) (*partialModule, error) {
	m, err := p.engine.module(pol.Document, pol.Kind)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	pm, ok := p.modules[m.key]
	p.mu.Unlock()
	if ok {
		return pm, nil
	}
	keys, err := ConditionKeys(pol.Document, pol.Kind)
	if err != nil {
		return nil, err
	}
	strs := map[string]bool{}
	ast.WalkTerms(m.parsed, func(t *ast.Term) bool {
		if s, ok := t.Value.(ast.String); ok {
			strs[string(s)] = true
		}
		return false
	})
	pm = &partialModule{module: m, strs: strs, keys: keys}
	p.mu.Lock()
	p.modules[m.key] = pm
	p.mu.Unlock()
	return pm, nil
}

// slot is one policy of a request with its place in input.policies.
type slot struct {
	role            string
	level, position int
	policy          Policy
}

func slots(req Request) []slot {
	var out []slot
	if req.ResourcePolicy != nil {
		out = append(out, slot{role: RoleResource, policy: *req.ResourcePolicy})
	}
	for l, level := range req.SCPs {
		for i, pol := range level {
			out = append(out, slot{role: RoleSCP, level: l, position: i, policy: pol})
		}
	}
	for i, pol := range req.Identity {
		out = append(out, slot{role: RoleIdentity, position: i, policy: pol})
	}
	if req.Boundary != nil {
		out = append(out, slot{role: RoleBoundary, policy: *req.Boundary})
	}
	for i, pol := range req.Session {
		out = append(out, slot{role: RoleSession, position: i, policy: pol})
	}
	if req.VPCE != nil {
		out = append(out, slot{role: RoleVPCE, policy: *req.VPCE})
	}
	return out
}

// Matches partially evaluates every policy of req (whatever role it plays; the caller combines
// them as kmsim.authz does) and returns the statements that can match, with their conditions.
// A condition key the policies reference is known when req.Context holds it or known(key)
// reports it known (known to be absent); every other referenced key is unknown and appears in
// the conditions. Keys are lower-case.
func (p *Partial) Matches(ctx context.Context, req Request, known func(key string) bool) ([]PartialMatch, error) {
	ctxLower := make(map[string][]string, len(req.Context))
	for k, v := range req.Context {
		k = strings.ToLower(k)
		ctxLower[k] = append(ctxLower[k], v...)
	}
	var out []PartialMatch
	for _, s := range slots(req) {
		pm, err := p.module(s.policy)
		if err != nil {
			return nil, err
		}
		ms, err := p.moduleMatches(ctx, pm, req, ctxLower, known)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			m.Role, m.Level, m.Position = s.role, s.level, s.position
			out = append(out, m)
		}
	}
	return out, nil
}

// moduleMatches partially evaluates one policy, or returns the result of an evaluation whose
// observable input was the same.
func (p *Partial) moduleMatches(ctx context.Context, pm *partialModule, req Request, ctxLower map[string][]string, known func(string) bool) ([]PartialMatch, error) {
	var key strings.Builder
	key.WriteString(pm.key)
	key.WriteByte('\x00')
	key.WriteString(strings.ToLower(req.Action))
	key.WriteByte('\x00')
	key.WriteString(req.Resource)
	c := req.Caller
	name := func(kind, n string) {
		key.WriteString("\x00" + kind + "=")
		if pm.strs[n] {
			key.WriteString(n)
		} else if n != "" {
			key.WriteString("_")
		}
	}
	name("arn", c.ARN)
	name("role", c.RoleARN)
	name("acct", "arn:aws:iam::"+c.Account+":root")
	name("svc", c.Service)
	name("fed", c.Federated)
	name("can", c.CanonicalUser)
	fmt.Fprintf(&key, "\x00%t%t%s", c.Root, c.Service != "", c.Account)
	lowerKeys := make([]string, 0, len(pm.keys))
	for k := range pm.keys {
		lowerKeys = append(lowerKeys, k)
	}
	slices.Sort(lowerKeys)
	known0 := map[string][]string{}
	var unknown []string
	for _, k := range lowerKeys {
		if vs, ok := ctxLower[k]; ok && len(vs) > 0 {
			known0[k] = vs
			fmt.Fprintf(&key, "\x00%s=%q", k, vs)
		} else if known != nil && known(k) {
			fmt.Fprintf(&key, "\x00%s-", k)
		} else {
			unknown = append(unknown, k)
			fmt.Fprintf(&key, "\x00%s?", k)
		}
	}
	k := key.String()
	p.mu.Lock()
	res, ok := p.results[k]
	p.mu.Unlock()
	if ok {
		return res, nil
	}

	in := ast.NewObject(
		ast.Item(termPrincipal, callerTerm(c)),
		ast.Item(termAction, ast.StringTerm(strings.ToLower(req.Action))),
		ast.Item(termResource, ast.StringTerm(req.Resource)),
		ast.Item(termResourceAccount, ast.StringTerm(req.ResourceAccount)),
		ast.Item(termContext, contextTerm(known0)),
	)
	unk := make([]*ast.Term, len(unknown))
	for i, u := range unknown {
		unk[i] = ast.NewTerm(ast.InputRootRef.Append(termContext).Append(ast.StringTerm(u)))
	}
	var out []PartialMatch
	for _, effect := range []string{"Allow", "Deny"} {
		pq, err := p.prepare(ctx, pm, strings.ToLower(effect))
		if err != nil {
			return nil, err
		}
		pqs, err := pq.Partial(ctx, rego.EvalParsedInput(in), rego.EvalParsedUnknowns(unk))
		if err != nil {
			return nil, &EvalError{Code: CodeEval, Message: err.Error()}
		}
		ms, err := readPartial(pqs, pm.keys, effect)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	p.mu.Lock()
	p.results[k] = out
	p.mu.Unlock()
	return out, nil
}

func (p *Partial) prepare(ctx context.Context, pm *partialModule, set string) (*rego.PreparedPartialQuery, error) {
	k := pm.key + "." + set
	p.mu.Lock()
	pq, ok := p.prepared[k]
	p.mu.Unlock()
	if ok {
		return pq, nil
	}
	q := "x = data." + policiesPrefix + pm.key + "." + set + "[_]"
	r := rego.New(rego.Query(q), rego.ParsedModule(libModule), rego.ParsedModule(pm.parsed))
	prepared, err := r.PrepareForPartial(ctx)
	if err != nil {
		return nil, &EvalError{Code: CodeCompile, Message: err.Error()}
	}
	p.mu.Lock()
	p.prepared[k] = &prepared
	p.mu.Unlock()
	return &prepared, nil
}

// readPartial turns the residual queries of one set into matches, one per statement, in index order.
func readPartial(pqs *rego.PartialQueries, keys map[string]string, effect string) ([]PartialMatch, error) {
	support := map[string][]*ast.Rule{}
	for _, mod := range pqs.Support {
		for _, r := range mod.Rules {
			ref := r.Ref().GroundPrefix().String()
			support[ref] = append(support[ref], r)
		}
	}
	rd := &residualReader{keys: keys, support: support}
	byIndex := map[int]*PartialMatch{}
	var order []int
	for _, body := range pqs.Queries {
		var m *PartialMatch
		var conds []Residual
		for _, expr := range body {
			if obj, ok := matchObject(expr); ok {
				if m == nil {
					idx, _ := obj.Get(termIndex).Value.(ast.Number).Int()
					sid, _ := obj.Get(termSid).Value.(ast.String)
					via, _ := obj.Get(ast.StringTerm("via")).Value.(ast.String)
					if byIndex[idx] == nil {
						byIndex[idx] = &PartialMatch{Match: Match{Index: idx, Sid: string(sid), Effect: effect}, Via: string(via)}
						order = append(order, idx)
					}
					m = byIndex[idx]
				}
				continue
			}
			conds = append(conds, rd.condition(expr))
		}
		if m == nil {
			return nil, &EvalError{Code: CodeResult, Message: "residual without a statement: " + body.String()}
		}
		m.Alternatives = append(m.Alternatives, conds)
	}
	slices.Sort(order)
	out := make([]PartialMatch, 0, len(order))
	for _, i := range order {
		m := byIndex[i]
		m.Alternatives = MergeAlternatives(m.Alternatives)
		out = append(out, *m)
	}
	return out, nil
}

// matchObject recognises the binding of the statement's match object: `x = {...}` or `_ = {...}`.
func matchObject(expr *ast.Expr) (ast.Object, bool) {
	if !expr.IsEquality() || expr.Negated {
		return nil, false
	}
	for _, t := range []*ast.Term{expr.Operand(0), expr.Operand(1)} {
		if obj, ok := t.Value.(ast.Object); ok && obj.Get(termIndex) != nil && obj.Get(termSid) != nil {
			return obj, true
		}
	}
	return nil, false
}

// MergeAlternatives simplifies a disjunction of conjunctions: identical alternatives collapse,
// an empty (always) alternative absorbs the rest, and alternatives that differ in one equality,
// pattern or CIDR test on the same key merge into one test of several values.
func MergeAlternatives(alts [][]Residual) [][]Residual {
	for _, a := range alts {
		if len(a) == 0 {
			return [][]Residual{{}}
		}
	}
	changed := true
	for changed {
		changed = false
	outer:
		for i := 0; i < len(alts); i++ {
			for j := i + 1; j < len(alts); j++ {
				if merged, ok := mergeTwo(alts[i], alts[j]); ok {
					alts[i] = merged
					alts = slices.Delete(alts, j, j+1)
					changed = true
					break outer
				}
			}
		}
	}
	return alts
}

func mergeTwo(a, b []Residual) ([]Residual, bool) {
	if len(a) != len(b) {
		return nil, false
	}
	diff := -1
	for i := range a {
		if a[i].String() == b[i].String() {
			continue
		}
		if diff >= 0 {
			return nil, false
		}
		diff = i
	}
	if diff < 0 {
		return a, true
	}
	x, y := a[diff], b[diff]
	switch x.Op {
	case OpEquals, OpEqualsFold, OpLike, OpCIDR:
	default:
		return nil, false
	}
	if x.Key != y.Key || x.Op != y.Op || x.Negated || y.Negated {
		return nil, false
	}
	out := slices.Clone(a)
	vals := slices.Clone(x.Values)
	for _, v := range y.Values {
		if !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	out[diff].Values = vals
	out[diff].Rego = x.Rego + " or " + y.Rego
	return out, true
}

// residualReader turns residual expressions into Conditions.
type residualReader struct {
	keys    map[string]string
	support map[string][]*ast.Rule
}

// contextKey returns the key of a reference input.context[KEY] or input.context[KEY][_].
func contextKey(t *ast.Term) (string, bool, bool) {
	ref, ok := t.Value.(ast.Ref)
	if !ok || len(ref) < 3 || !ref[0].Equal(ast.InputRootDocument) || !ref[1].Equal(termContext) {
		return "", false, false
	}
	s, ok := ref[2].Value.(ast.String)
	if !ok {
		return "", false, false
	}
	return string(s), len(ref) > 3, len(ref) <= 4
}

func (rd *residualReader) spell(k string) string {
	if s, ok := rd.keys[k]; ok {
		return s
	}
	return k
}

// value returns the key when t is one value of a context key (input.context[KEY][_]).
func (rd *residualReader) value(t *ast.Term) (string, bool) {
	k, elem, ok := contextKey(t)
	if !ok || !elem {
		return "", false
	}
	return rd.spell(k), true
}

func str(t *ast.Term) (string, bool) {
	s, ok := t.Value.(ast.String)
	return string(s), ok
}

var contextRefText = regexp.MustCompile(`input\.context\["([^"]+)"\](\[[^\]]+\])?`)

// text is the Rego text of expr with context references replaced by key names.
func (rd *residualReader) text(expr *ast.Expr) string {
	return contextRefText.ReplaceAllStringFunc(expr.String(), func(s string) string {
		m := contextRefText.FindStringSubmatch(s)
		return rd.spell(m[1])
	})
}

func (rd *residualReader) condition(expr *ast.Expr) Residual {
	c := rd.positive(expr)
	c.Rego = rd.text(expr)
	if expr.Negated {
		c = c.Not()
	}
	return c
}

// positive reads expr as if it were not negated.
func (rd *residualReader) positive(expr *ast.Expr) Residual {
	fallback := Residual{Op: OpExpression, Rego: rd.text(expr)}
	switch {
	case expr.IsEquality():
		a, b := expr.Operand(0), expr.Operand(1)
		if k, ok := rd.value(a); ok {
			if s, ok := str(b); ok {
				return Residual{Key: k, Op: OpEquals, Values: []string{s}}
			}
		}
		if k, ok := rd.value(b); ok {
			if s, ok := str(a); ok {
				return Residual{Key: k, Op: OpEquals, Values: []string{s}}
			}
		}
		return fallback
	case expr.IsCall():
		op := expr.Operator().String()
		args := expr.Operands()
		switch {
		case op == "internal.member_2" && len(args) == 2:
			if k, elem, ok := contextKey(args[1]); ok && !elem {
				if s, ok := str(args[0]); ok {
					return Residual{Key: rd.spell(k), Op: OpEquals, Values: []string{s}}
				}
			}
		case op == "glob.match" && len(args) == 3:
			if k, ok := rd.value(args[2]); ok {
				if s, ok := str(args[0]); ok {
					return Residual{Key: k, Op: OpLike, Values: []string{s}}
				}
			}
		case op == "lower" && len(args) == 2:
			if k, ok := rd.value(args[0]); ok {
				if s, ok := str(args[1]); ok {
					return Residual{Key: k, Op: OpEqualsFold, Values: []string{s}}
				}
			}
		case op == "net.cidr_contains" && len(args) == 2:
			if k, ok := rd.value(args[1]); ok {
				if s, ok := str(args[0]); ok {
					return Residual{Key: k, Op: OpCIDR, Values: []string{s}}
				}
			}
		case (op == "lt" || op == "lte" || op == "gt" || op == "gte") && len(args) == 2:
			if c, ok := rd.compare(op, args[0], args[1]); ok {
				return c
			}
		}
		return fallback
	}
	if t, ok := expr.Terms.(*ast.Term); ok {
		if k, elem, ok := contextKey(t); ok && !elem {
			return Residual{Key: rd.spell(k), Op: OpPresent}
		}
		if ref, ok := t.Value.(ast.Ref); ok {
			if rules, ok := rd.support[ref.GroundPrefix().String()]; ok {
				c := Residual{Op: OpAny}
				for _, r := range rules {
					var conj []Residual
					for _, e := range r.Body {
						conj = append(conj, rd.condition(e))
					}
					c.Any = append(c.Any, conj)
				}
				c.Any = MergeAlternatives(c.Any)
				if len(c.Any) == 1 && len(c.Any[0]) == 1 {
					return c.Any[0][0]
				}
				return c
			}
		}
	}
	if e, ok := expr.Terms.(*ast.Every); ok {
		if c, ok := rd.every(e); ok {
			return c
		}
	}
	return fallback
}

var compareOps = map[string]string{"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}

// compare reads lt(data.kmsim.lib.date_ns(V), N) and lt(to_number(V), N).
func (rd *residualReader) compare(op string, a, b *ast.Term) (Residual, bool) {
	call, ok := a.Value.(ast.Call)
	if !ok || len(call) != 2 {
		return Residual{}, false
	}
	k, ok := rd.value(call[1])
	if !ok {
		return Residual{}, false
	}
	n, ok := b.Value.(ast.Number)
	if !ok {
		return Residual{}, false
	}
	switch call[0].String() {
	case "data.kmsim.lib.date_ns":
		if i, ok := n.Int64(); ok {
			return Residual{Key: k, Op: OpCompare, Values: []string{compareOps[op], time.Unix(0, i).UTC().Format(time.RFC3339)}}, true
		}
	case "to_number":
		return Residual{Key: k, Op: OpCompare, Values: []string{compareOps[op], n.String()}}, true
	}
	return Residual{}, false
}

// every reads ForAllValues: every v in object.get(input.context, KEY, []) { lib.one_match(OP, VALUES, v) }.
func (rd *residualReader) every(e *ast.Every) (Residual, bool) {
	call, ok := e.Domain.Value.(ast.Call)
	if !ok || call[0].String() != "object.get" || len(call) != 4 {
		return Residual{}, false
	}
	k, ok := str(call[2])
	if !ok || len(e.Body) != 1 || !e.Body[0].IsCall() {
		return Residual{}, false
	}
	ops := e.Body[0].Operands()
	if e.Body[0].Operator().String() != "data.kmsim.lib.one_match" || len(ops) != 3 {
		return Residual{}, false
	}
	opName, _ := str(ops[0])
	arr, ok := ops[1].Value.(*ast.Array)
	if !ok || opName != "StringEquals" {
		return Residual{}, false
	}
	var vals []string
	for i := 0; i < arr.Len(); i++ {
		s, ok := str(arr.Elem(i))
		if !ok {
			return Residual{}, false
		}
		vals = append(vals, strconv.Quote(s)[1:len(strconv.Quote(s))-1])
	}
	return Residual{Key: rd.spell(k), Op: OpEvery, Values: vals}, true
}
