package rego

import (
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"
)

// decisionMemo remembers recent decisions by their whole input document. The input names the
// translated policies by content hash and carries every fact the decision reads (caller,
// action, resource, context, grants, the clock), and evaluation is deterministic, so an equal
// input always yields an equal decision. Entries are found by the input's hash and confirmed by
// comparing the inputs, so a hash collision is a miss, never a wrong answer.
type decisionMemo struct {
	entries *lru[memoEntry]
}

type memoEntry struct {
	input    ast.Value
	decision Decision
}

func newDecisionMemo(size int) *decisionMemo {
	return &decisionMemo{entries: newLRU[memoEntry](size)}
}

func memoKey(in ast.Value) []byte {
	return strconv.AppendUint(nil, uint64(in.Hash()), 36)
}

func (m *decisionMemo) lookup(in ast.Value) (Decision, bool) {
	e, ok := m.entries.get(memoKey(in))
	if !ok || ast.Compare(e.input, in) != 0 {
		return Decision{}, false
	}
	return e.decision, true
}

func (m *decisionMemo) store(in ast.Value, d Decision) {
	m.entries.add(string(memoKey(in)), memoEntry{input: in, decision: d})
}
