package evaluator

import "github.com/kmsim/kmsim/rego"

// RegoRequest returns the request Decide hands to the rego engine for req: the caller's names,
// the policies in their roles, and the context with the global condition keys AWS derives from
// the principal (and the clock) added. Analyses that evaluate policies themselves (partial
// evaluation) start from it.
func (e *Evaluator) RegoRequest(req Request) rego.Request { return e.request(req, true) }
