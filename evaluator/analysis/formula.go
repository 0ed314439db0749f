package analysis

import (
	"slices"
	"strings"

	"github.com/kmsim/kmsim/rego"
)

// conj is one way a request can be allowed: every condition must hold. stmts are the statements
// (and grants) that make up the way, path how they combine.
type conj struct {
	conds []rego.Residual
	stmts []stmtRef
	path  string
}

// dnf is a disjunction of ways: nil is false, one empty conj is true.
type dnf []conj

var always = dnf{{}}

func or(ds ...dnf) dnf {
	var out dnf
	for _, d := range ds {
		out = append(out, d...)
	}
	return out
}

// and is the conjunction of a and b: every pair of ways, without those that contradict themselves.
func and(a, b dnf) dnf {
	var out dnf
	for _, x := range a {
		for _, y := range b {
			c := conj{path: x.path, stmts: append(slices.Clip(x.stmts), y.stmts...)}
			if c.path == "" {
				c.path = y.path
			}
			seen := map[string]bool{}
			contradiction := false
			for _, r := range append(slices.Clip(x.conds), y.conds...) {
				s := r.String()
				if seen[s] {
					continue
				}
				if seen[r.Not().String()] {
					contradiction = true
					break
				}
				seen[s] = true
				c.conds = append(c.conds, r)
			}
			if !contradiction && !absentAndUsed(c.conds) {
				out = append(out, c)
			}
		}
	}
	return out
}

// absentAndUsed reports a way that needs a key absent and tests one of its values.
func absentAndUsed(cs []rego.Residual) bool {
	absent := map[string]bool{}
	for _, c := range cs {
		if c.Op == rego.OpAbsent && !c.Negated {
			absent[c.Key] = true
		}
	}
	for _, c := range cs {
		if absent[c.Key] && !c.Negated && (c.Op == rego.OpEquals || c.Op == rego.OpEqualsFold || c.Op == rego.OpLike || c.Op == rego.OpCIDR || c.Op == rego.OpPresent) {
			return true
		}
	}
	return false
}

// not negates the ways a deny statement matches: each way must fail.
func not(d dnf) dnf {
	var c conj
	for _, x := range d {
		switch len(x.conds) {
		case 0:
			return nil
		case 1:
			c.conds = append(c.conds, x.conds[0].Not())
		default:
			c.conds = append(c.conds, rego.Residual{Op: rego.OpAny, Any: [][]rego.Residual{x.conds}, Negated: true})
		}
	}
	return dnf{c}
}

func label(d dnf, path string) dnf {
	out := make(dnf, len(d))
	for i, c := range d {
		c.path = path
		out[i] = c
	}
	return out
}

// ways renders d as templates, deduplicated; when some way is unconditional only those are kept.
// named names their statements and sorts them.
func ways(d dnf) []template {
	seen := map[string]bool{}
	var out []template
	uncond := false
	for _, c := range d {
		if len(c.conds) == 0 {
			uncond = true
		}
	}
	for _, c := range d {
		if uncond && len(c.conds) > 0 {
			continue
		}
		t := template{way: Way{Path: c.path, Conditions: []string{}}}
		for _, r := range c.conds {
			t.way.Conditions = append(t.way.Conditions, r.String())
		}
		slices.Sort(t.way.Conditions)
		refs := map[string]bool{}
		keys := []string{}
		for _, r := range c.stmts {
			k := r.key()
			if !refs[k] {
				refs[k] = true
				keys = append(keys, k)
				t.stmts = append(t.stmts, r)
			}
		}
		slices.Sort(keys)
		k := t.way.Path + "\x00" + strings.Join(t.way.Conditions, "\x01") + "\x00" + strings.Join(keys, "\x01")
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}
