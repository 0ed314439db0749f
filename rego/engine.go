package rego

import (
	"container/list"
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// DefaultCacheSize is how many compiled policies an Engine keeps by default.
const DefaultCacheSize = 4096

// Engine compiles policy documents into prepared queries and keeps them in a bounded LRU cache
// keyed by the SHA-256 of kind and document. It is safe for concurrent use.
type Engine struct {
	size int

	mu    sync.Mutex
	lru   *list.List // of *Prepared, most recently used first
	items map[string]*list.Element
}

// EngineOption configures an Engine.
type EngineOption func(*Engine)

// WithCacheSize bounds the number of compiled policies kept (at least 1).
func WithCacheSize(n int) EngineOption {
	return func(e *Engine) {
		if n > 0 {
			e.size = n
		}
	}
}

// NewEngine returns an Engine with an empty cache.
func NewEngine(opts ...EngineOption) *Engine {
	e := &Engine{size: DefaultCacheSize, lru: list.New(), items: map[string]*list.Element{}}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Len returns the number of compiled policies in the cache.
func (e *Engine) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lru.Len()
}

// Prepared is one compiled policy, ready to be evaluated many times, from any goroutine.
type Prepared struct {
	// Hash is the hex SHA-256 of kind and document, the cache key.
	Hash string
	Kind Kind
	// Package is the Rego package of Module.
	Package  string
	Module   string
	Document *Document

	query rego.PreparedEvalQuery
}

// Prepare parses, translates and compiles doc, or returns the cached result of an earlier call
// for the same kind and document. Parse errors are returned as Errors.
func (e *Engine) Prepare(ctx context.Context, doc []byte, kind Kind) (*Prepared, error) {
	hash := contentHash(doc, kind)
	e.mu.Lock()
	if el, ok := e.items[hash]; ok {
		e.lru.MoveToFront(el)
		e.mu.Unlock()
		return el.Value.(*Prepared), nil
	}
	e.mu.Unlock()

	p, err := compile(ctx, doc, kind, hash)
	if err != nil {
		return nil, err
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if el, ok := e.items[hash]; ok { // compiled concurrently by another caller
		e.lru.MoveToFront(el)
		return el.Value.(*Prepared), nil
	}
	e.items[hash] = e.lru.PushFront(p)
	for e.lru.Len() > e.size {
		last := e.lru.Back()
		e.lru.Remove(last)
		delete(e.items, last.Value.(*Prepared).Hash)
	}
	return p, nil
}

func compile(ctx context.Context, doc []byte, kind Kind, hash string) (*Prepared, error) {
	d, err := Parse(doc, kind)
	if err != nil {
		return nil, err
	}
	pkg := "kmsim.policies.p_" + hash[:20]
	mod := generate(d, kind, "", pkg)
	ref := "data." + pkg
	q := fmt.Sprintf("allow := {x | some x in %[1]s.allow}; deny := {x | some x in %[1]s.deny}; considered := {x | some x in %[1]s.considered}", ref)
	pq, err := rego.New(
		rego.Query(q),
		rego.Module("kmsim/lib.rego", Lib),
		rego.Module("kmsim/policy.rego", mod),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, &EvalError{Code: CodeCompile, Message: err.Error()}
	}
	return &Prepared{Hash: hash, Kind: kind, Package: pkg, Module: mod, Document: d, query: pq}, nil
}

// Evaluation error codes.
const (
	// CodeCompile: a translated module did not compile (a bug in the translator).
	CodeCompile = "kmsim_compile_error"
	// CodeEval: OPA failed while evaluating a prepared policy.
	CodeEval = "kmsim_eval_error"
	// CodeResult: the evaluation result did not have the expected shape.
	CodeResult = "kmsim_result_error"
)

// EvalError is an error compiling or evaluating a translated policy.
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

// Input is one evaluation input, built once and evaluated against many policies.
type Input struct {
	value ast.Value
	ctx   map[string][]string
}

// NewInput builds an Input. The action is matched case-insensitively; context keys are
// lower-cased (values of keys that differ only in case are merged); empty values count as missing.
func NewInput(c Caller, action, resource string, context map[string][]string) *Input {
	lc := make(map[string][]string, len(context))
	for k, vs := range context {
		if len(vs) == 0 {
			continue
		}
		k = strings.ToLower(k)
		lc[k] = append(lc[k], vs...)
	}
	accountARN := ""
	if c.Account != "" {
		accountARN = "arn:aws:iam::" + c.Account + ":root"
	}
	var ids []*ast.Term
	for _, id := range []string{c.ARN, c.RoleARN, accountARN, c.Service, c.Federated} {
		if id != "" {
			ids = append(ids, ast.StringTerm(id))
		}
	}
	principal := ast.NewObject(
		ast.Item(ast.StringTerm("arn"), ast.StringTerm(c.ARN)),
		ast.Item(ast.StringTerm("role_arn"), ast.StringTerm(c.RoleARN)),
		ast.Item(ast.StringTerm("account_arn"), ast.StringTerm(accountARN)),
		ast.Item(ast.StringTerm("root"), ast.BooleanTerm(c.Root)),
		ast.Item(ast.StringTerm("service"), ast.StringTerm(c.Service)),
		ast.Item(ast.StringTerm("federated"), ast.StringTerm(c.Federated)),
		ast.Item(ast.StringTerm("canonical_user"), ast.StringTerm(c.CanonicalUser)),
		ast.Item(ast.StringTerm("identities"), ast.ArrayTerm(ids...)),
	)
	cobj := ast.NewObject()
	for k, vs := range lc {
		terms := make([]*ast.Term, len(vs))
		for i, v := range vs {
			terms[i] = ast.StringTerm(v)
		}
		cobj.Insert(ast.StringTerm(k), ast.ArrayTerm(terms...))
	}
	v := ast.NewObject(
		ast.Item(ast.StringTerm("principal"), ast.NewTerm(principal)),
		ast.Item(ast.StringTerm("action"), ast.StringTerm(strings.ToLower(action))),
		ast.Item(ast.StringTerm("resource"), ast.StringTerm(resource)),
		ast.Item(ast.StringTerm("context"), ast.NewTerm(cobj)),
	)
	return &Input{value: v, ctx: lc}
}

// Has reports whether the input carries the condition key (case-insensitive).
func (in *Input) Has(key string) bool {
	_, ok := in.ctx[strings.ToLower(key)]
	return ok
}

// String renders the input as JSON, as the Rego modules see it.
func (in *Input) String() string { return in.value.String() }

// Match is one statement that matched: its index and Sid, and how the principal matched (Via*).
type Match struct {
	Index int
	Sid   string
	Via   string
}

// Result is the outcome of evaluating one policy. Allow and Deny are sorted by index.
type Result struct {
	Allow []Match
	Deny  []Match
	// Considered lists, sorted, the statements with conditions whose principal, action and resource matched.
	Considered []int
}

// Eval evaluates the policy against in.
func (p *Prepared) Eval(ctx context.Context, in *Input) (Result, error) {
	rs, err := p.query.Eval(ctx, rego.EvalParsedInput(in.value))
	if err != nil {
		return Result{}, &EvalError{Code: CodeEval, Message: err.Error()}
	}
	if len(rs) != 1 {
		return Result{}, &EvalError{Code: CodeResult, Message: fmt.Sprintf("%d results", len(rs))}
	}
	b := rs[0].Bindings
	var res Result
	if res.Allow, err = matches(b["allow"]); err != nil {
		return Result{}, err
	}
	if res.Deny, err = matches(b["deny"]); err != nil {
		return Result{}, err
	}
	cons, _ := b["considered"].([]any)
	for _, c := range cons {
		n, err := toInt(c)
		if err != nil {
			return Result{}, err
		}
		res.Considered = append(res.Considered, n)
	}
	sort.Ints(res.Considered)
	return res, nil
}

func matches(v any) ([]Match, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, &EvalError{Code: CodeResult, Message: fmt.Sprintf("unexpected set %T", v)}
	}
	out := make([]Match, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, &EvalError{Code: CodeResult, Message: fmt.Sprintf("unexpected element %T", e)}
		}
		idx, err := toInt(m["index"])
		if err != nil {
			return nil, err
		}
		sid, _ := m["sid"].(string)
		via, _ := m["via"].(string)
		out = append(out, Match{Index: idx, Sid: sid, Via: via})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Index != out[j].Index {
			return out[i].Index < out[j].Index
		}
		return out[i].Via < out[j].Via
	})
	return out, nil
}

func toInt(v any) (int, error) {
	switch n := v.(type) {
	case interface{ Int64() (int64, error) }:
		i, err := n.Int64()
		return int(i), err
	case int:
		return n, nil
	case float64:
		return int(n), nil
	}
	return 0, &EvalError{Code: CodeResult, Message: fmt.Sprintf("unexpected number %T", v)}
}
