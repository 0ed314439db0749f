package rego

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Specialisation. Of a decision's input, the policies, caller, action, resource and grants repeat
// across many requests; the context and encryption context vary. For each known part, OPA
// partially evaluates the three sets of kmsim.authz that read the varying part — matched,
// missing_context and grants_in_context — with input.context and input.encryption_context unknown.
// What remains is, per set, members that are always there and members that are there when a
// residual condition holds. A decision then evaluates only those conditions (one small query),
// and the decision for each combination of their outcomes is evaluated once, by
// data.kmsim.authz.decision with the three sets replaced by their members (`with`) and the input
// cut to its known part, so it cannot depend on anything the combination does not fix.

// specialisedSets are the rules of kmsim.authz that read the context and encryption context.
var specialisedSets = []string{"matched", "missing_context", "grants_in_context"}

var (
	specialisedQuery = func() ast.Body {
		terms := make([]*ast.Term, len(specialisedSets))
		for i := range specialisedSets {
			terms[i] = ast.RefTerm(ast.DefaultRootDocument, ast.StringTerm("kmsim"), ast.StringTerm("authz"), setTerms[i])
		}
		return ast.NewBody(ast.Equality.Expr(ast.VarTerm("x"), ast.ArrayTerm(terms...)))
	}()
	unknownRefs = []*ast.Term{
		ast.NewTerm(ast.InputRootRef.Append(termContext)),
		ast.NewTerm(ast.InputRootRef.Append(termEncryptionCtx)),
	}
	// combineQuery decides with the sets given in input and the known input in input.known.
	combineQuery = ast.MustParseBody(DecisionQuery + " with input as input.known" +
		" with data.kmsim.authz.matched as input.matched" +
		" with data.kmsim.authz.missing_context as input.missing_context" +
		" with data.kmsim.authz.grants_in_context as input.grants_in_context")
	termKnown   = ast.StringTerm("known")
	partialRoot = ast.StringTerm("partial")
	setTerms    = func() []*ast.Term {
		ts := make([]*ast.Term, len(specialisedSets))
		for i, s := range specialisedSets {
			ts[i] = ast.StringTerm(s)
		}
		return ts
	}()
	maxCombos    = 256
	trueTerm     = ast.BooleanTerm(true)
	falseBitByte = byte('0')
)

// residual is a policy set's decision for one known part of the input.
type residual struct {
	known ast.Value
	// full: the partial evaluation left something this reading does not handle; every decision
	// evaluates data.kmsim.authz.decision in full.
	full bool
	// query evaluates the conditions, one array per condition, non-empty when it holds; nil
	// when there are none.
	query *query
	conds []condition
	base  [3][]*ast.Term // members always present, per set
	// reads lists the facts of the unknown part the conditions read; with readsAll, they read
	// more than single context keys and encryption context pairs.
	reads    []inputRead
	readsAll bool

	// decisions maps the outcomes of conds, one byte each, to the decision; it is replaced,
	// not changed, when a combination is added (there are few), so reading takes no lock.
	decisions atomic.Pointer[map[string]Decision]
	mu        sync.Mutex // serialises replacing decisions
	// outcomes remembers decisions by the values of the facts the conditions read (see
	// outcomeKey), when the engine remembers decisions: requests that differ only in facts the
	// residual no longer reads share them.
	outcomes *table[Decision]
}

// inputRead is one fact of the unknown part of the input: a condition key of input.context,
// or (ec) a key of input.encryption_context.
type inputRead struct {
	ec  bool
	key string
}

// maxOutcomes bounds a residual's outcomes.
const maxOutcomes = 16

// condition is a member of a set present when body holds.
type condition struct {
	set    int
	member *ast.Term
	body   ast.Body
}

// specialise partially evaluates the set's specialised rules for the known input.
func (s *policySet) specialise(ctx context.Context, known ast.Value) (*residual, error) {
	r := &residual{known: known, outcomes: newTable[Decision](maxOutcomes)}
	r.decisions.Store(&map[string]Decision{})
	pq, err := s.partialQuery(ctx)
	if err != nil {
		return nil, err
	}
	pqs, err := pq.Partial(ctx, rego.EvalParsedInput(known), rego.EvalParsedUnknowns(unknownRefs))
	if err != nil {
		return nil, &EvalError{Code: CodeEval, Message: err.Error()}
	}
	if !r.read(pqs) {
		r.full = true
		return r, nil
	}
	if len(r.conds) == 0 {
		return r, nil
	}
	terms := make([]*ast.Term, len(r.conds))
	for i, c := range r.conds {
		terms[i] = ast.ArrayComprehensionTerm(trueTerm, c.body)
	}
	c := emptyCompiler // the usual case: conditions on the input alone, compiled without modules
	if needsSupport(r.conds) {
		modules := make(map[string]*ast.Module, len(pqs.Support))
		for i, m := range pqs.Support {
			modules[fmt.Sprintf("support%d.rego", i)] = m
		}
		c = ast.NewCompiler()
		if c.Compile(modules); c.Failed() {
			c = nil
		}
	}
	var q *query
	if c != nil {
		q, err = newQuery(c, ast.NewBody(ast.NewExpr(ast.ArrayTerm(terms...))))
	}
	if c == nil || err != nil { // a residual OPA cannot compile alone: evaluate in full
		r.full, r.conds = true, nil
		return r, nil
	}
	q.ruleless = c == emptyCompiler
	r.query = q
	r.reads, r.readsAll = conditionReads(r.conds)
	if needsSupport(r.conds) {
		r.readsAll = true
	}
	return r, nil
}

// conditionReads returns the facts of the unknown part the conditions read, sorted; all when
// some condition reads input otherwise than as input.context[KEY] or
// input.encryption_context[KEY] with KEY a string.
func conditionReads(conds []condition) ([]inputRead, bool) {
	var reads []inputRead
	all := false
	refs, inputs := 0, 0
	for _, c := range conds {
		ast.WalkRefs(c.body, func(ref ast.Ref) bool {
			if !ref.HasPrefix(ast.InputRootRef) {
				return false
			}
			refs++
			p := ref.GroundPrefix()
			key, ok := ast.String(""), len(p) == 3
			if ok {
				key, ok = p[2].Value.(ast.String)
			}
			switch {
			case ok && p[1].Equal(termContext):
				reads = append(reads, inputRead{key: string(key)})
			case ok && p[1].Equal(termEncryptionCtx):
				reads = append(reads, inputRead{ec: true, key: string(key)})
			default:
				all = true
			}
			return false
		})
		ast.WalkVars(c.body, func(v ast.Var) bool {
			if v.Equal(ast.InputRootDocument.Value) {
				inputs++
			}
			return false
		})
	}
	if inputs != refs { // input read whole, not through a reference
		all = true
	}
	slices.SortFunc(reads, func(a, b inputRead) int {
		if a.ec != b.ec {
			if a.ec {
				return 1
			}
			return -1
		}
		return strings.Compare(a.key, b.key)
	})
	return slices.Compact(reads), all
}

// outcomeKey spells the values of the facts the conditions read.
func (r *residual) outcomeKey(b []byte, u unknownPart) []byte {
	for _, rd := range r.reads {
		if rd.ec {
			v, ok := u.ec[rd.key]
			b = appendString(appendBool(b, ok), v)
			continue
		}
		var values []string
		if i, ok := slices.BinarySearchFunc(u.entries, rd.key, func(e contextEntry, k string) int { return strings.Compare(e.key, k) }); ok {
			values = u.entries[i].values
		}
		b = binary.AppendUvarint(b, uint64(len(values)))
		for _, v := range values {
			b = appendString(b, v)
		}
	}
	return b
}

// read takes the partial evaluation apart into members and conditions; false when it has a
// shape other than x = [set, set, set] over partial-set support rules that read only input and
// each other.
func (r *residual) read(pqs *rego.PartialQueries) bool {
	if len(pqs.Queries) != 1 || len(pqs.Queries[0]) != 1 || !pqs.Queries[0][0].IsEquality() {
		return false
	}
	expr := pqs.Queries[0][0]
	arr, ok := expr.Operand(1).Value.(*ast.Array)
	if !ok {
		arr, ok = expr.Operand(0).Value.(*ast.Array)
	}
	if !ok || arr.Len() != len(specialisedSets) {
		return false
	}
	supported := true
	for _, m := range pqs.Support {
		ast.WalkRefs(m, func(ref ast.Ref) bool {
			if ref.HasPrefix(ast.DefaultRootRef) && (len(ref) < 2 || !ref[1].Equal(partialRoot)) {
				supported = false
			}
			return !supported
		})
	}
	if !supported {
		return false
	}
	for i := range specialisedSets {
		switch v := arr.Elem(i).Value.(type) {
		case ast.Set:
			v.Foreach(func(t *ast.Term) { r.base[i] = append(r.base[i], t) })
		case ast.Ref:
			if !r.readRules(i, v, pqs.Support) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// readRules reads the support rules defining ref, a partial set.
func (r *residual) readRules(set int, ref ast.Ref, support []*ast.Module) bool {
	if len(ref) < 2 {
		return false
	}
	pkg, name := ref[:len(ref)-1], ref[len(ref)-1]
	found := false
	for _, m := range support {
		if !m.Package.Path.Equal(pkg) {
			continue
		}
		for _, rule := range m.Rules {
			href := rule.Head.Ref()
			if len(href) != 1 || !ast.StringTerm(string(href[0].Value.(ast.Var))).Equal(name) {
				continue
			}
			if rule.Head.RuleKind() != ast.MultiValue || rule.Else != nil || rule.Default || rule.Head.Key == nil || !rule.Head.Key.IsGround() {
				return false
			}
			found = true
			if len(rule.Body) == 1 && rule.Body[0].Equal(ast.NewExpr(trueTerm)) {
				r.base[set] = append(r.base[set], rule.Head.Key)
				continue
			}
			r.conds = append(r.conds, condition{set: set, member: rule.Head.Key, body: rule.Body.Copy()})
		}
	}
	return found
}

// decide answers for the unknown part of the input (context and encryption context); with
// remember, from and to the residual's outcomes.
func (r *residual) decide(ctx context.Context, s *policySet, u unknownPart, remember bool) (Decision, error) {
	if r.full {
		in := u.value()
		r.known.(ast.Object).Foreach(func(k, v *ast.Term) { in.Insert(k, v) })
		return evalDecision(ctx, s.eval, in)
	}
	var keyBuf [256]byte
	var key []byte
	if remember = remember && !r.readsAll && r.query != nil; remember {
		key = r.outcomeKey(keyBuf[:0], u)
		if d, ok := r.outcomes.get(key); ok {
			return d, nil
		}
	}
	var bitsBuf [64]byte
	bits := bitsBuf[:0]
	if r.query != nil {
		arr, err := r.query.eval(ctx, u.value(), false)
		if err != nil {
			return Decision{}, err
		}
		a, ok := arr.Value.(*ast.Array)
		if !ok || a.Len() != len(r.conds) {
			return Decision{}, resultError("residual conditions", arr.Value)
		}
		for i := range a.Len() {
			held, _ := a.Elem(i).Value.(*ast.Array)
			bits = append(bits, falseBitByte+byte(min(held.Len(), 1)))
		}
	}
	d, ok := (*r.decisions.Load())[string(bits)]
	if !ok {
		var err error
		if d, err = r.combine(ctx, s, bits); err != nil {
			return Decision{}, err
		}
		r.mu.Lock()
		next := map[string]Decision{}
		if old := *r.decisions.Load(); len(old) < maxCombos {
			next = maps.Clone(old)
		}
		next[string(bits)] = d
		r.decisions.Store(&next)
		r.mu.Unlock()
	}
	if remember {
		r.outcomes.put(string(key), d)
	}
	return d, nil
}

// combine evaluates the decision for one combination of condition outcomes.
func (r *residual) combine(ctx context.Context, s *policySet, bits []byte) (Decision, error) {
	var sets [3]ast.Set
	for i := range sets {
		sets[i] = ast.NewSet(r.base[i]...)
	}
	for i, c := range r.conds {
		if bits[i] != falseBitByte {
			sets[c.set].Add(c.member)
		}
	}
	in := ast.NewObject(ast.Item(termKnown, ast.NewTerm(r.known)))
	for i, t := range setTerms {
		in.Insert(t, ast.NewTerm(sets[i]))
	}
	pq, err := s.combineQuery()
	if err != nil {
		return Decision{}, err
	}
	return evalDecision(ctx, pq, in)
}

// emptyCompiler compiles residual conditions that refer to no rules, sharing what a compiler
// holds (builtins, types) between them.
var emptyCompiler = func() *ast.Compiler {
	c := ast.NewCompiler()
	c.Compile(map[string]*ast.Module{})
	return c
}()

// needsSupport reports whether some condition refers to a rule of the partial evaluation's
// support modules.
func needsSupport(conds []condition) bool {
	found := false
	for _, c := range conds {
		ast.WalkRefs(c.body, func(ref ast.Ref) bool {
			found = found || ref.HasPrefix(ast.DefaultRootRef)
			return found
		})
	}
	return found
}
