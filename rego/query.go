package rego

import (
	"context"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// query is a query compiled once and evaluated by OPA's evaluator (topdown) directly. A
// prepared rego query sets up, per evaluation, a store transaction (a read lock on its store),
// metrics and an evaluation context: as much work as evaluating a decision's residual
// conditions. The policies are all rules, so every query reads the same empty store, through
// one read transaction that is never closed (reads in it take no lock). A query is safe for
// concurrent use.
type query struct {
	compiler *ast.Compiler
	qc       ast.QueryCompiler
	body     ast.Body
	// ruleless: the query refers to no rules and no data, so OPA's caches of rule values and
	// data, made afresh for each evaluation, would stay empty.
	ruleless bool
}

// resultVar is the variable a query binds its result to.
var resultVar = ast.Var("result")

var (
	emptyStore = inmem.New()
	readTxn    = storage.NewTransactionOrDie(context.Background(), emptyStore)
	noMetrics  = metrics.NoOp()
)

// newQuery compiles `result = value`, with value the term of a query of one expression and
// that expression's with modifiers, against the compiler's modules.
func newQuery(c *ast.Compiler, value ast.Body) (*query, error) {
	term, ok := value[0].Terms.(*ast.Term)
	if len(value) != 1 || !ok {
		return nil, &EvalError{Code: CodeCompile, Message: "not a query of one term: " + value.String()}
	}
	expr := ast.Equality.Expr(ast.NewTerm(resultVar), term)
	expr.With = value[0].With
	qc := c.QueryCompiler()
	body, err := qc.Compile(ast.NewBody(expr))
	if err != nil {
		return nil, &EvalError{Code: CodeCompile, Message: err.Error()}
	}
	return &query{compiler: c, qc: qc, body: body}, nil
}

// eval evaluates the query for input and returns its only result. With cancellable, the
// evaluation stops when ctx is done.
func (q *query) eval(ctx context.Context, input ast.Value, cancellable bool) (*ast.Term, error) {
	cancel := neverCancelled
	if cancellable && ctx.Done() != nil {
		c := topdown.NewCancel()
		stop := context.AfterFunc(ctx, c.Cancel)
		defer stop()
		cancel = c
	}
	var result *ast.Term
	n := 0
	tq := topdown.NewQuery(q.body)
	if q.ruleless {
		tq = tq.WithVirtualCache(noVirtualCache{}).WithBaseCache(noBaseCache{})
	}
	err := tq.
		WithQueryCompiler(q.qc).
		WithCompiler(q.compiler).
		WithStore(emptyStore).
		WithTransaction(readTxn).
		WithMetrics(noMetrics).
		WithCancel(cancel).
		WithInput(ast.NewTerm(input)).
		Iter(ctx, func(qr topdown.QueryResult) error {
			result = qr[resultVar]
			n++
			return nil
		})
	if err != nil {
		return nil, &EvalError{Code: CodeEval, Message: err.Error()}
	}
	if n != 1 || result == nil {
		return nil, &EvalError{Code: CodeResult, Message: fmt.Sprintf("%d results", n)}
	}
	return result, nil
}

// noVirtualCache and noBaseCache stand for OPA's caches of rule values and of data in queries
// that have neither.
type (
	noVirtualCache struct{}
	noBaseCache    struct{}
)

func (noVirtualCache) Push()                         {}
func (noVirtualCache) Pop()                          {}
func (noVirtualCache) Get(ast.Ref) (*ast.Term, bool) { return nil, false }
func (noVirtualCache) Put(ast.Ref, *ast.Term)        {}
func (noVirtualCache) Keys() []ast.Ref               { return nil }
func (noBaseCache) Get(ast.Ref) ast.Value            { return nil }
func (noBaseCache) Put(ast.Ref, ast.Value)           {}
