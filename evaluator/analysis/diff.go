package analysis

import (
	"context"
	"slices"
	"strings"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/fixtures"
)

// Change kinds, as Change.Change reports them.
const (
	Gained  = "gained"  // denied before, allowed after
	Lost    = "lost"    // allowed before, denied after
	Changed = "changed" // allowed both, by other paths or under other conditions
)

// DiffQuery compares who can use a key under its current policies and under proposed ones.
type DiffQuery struct {
	Key *fixtures.Key
	// KeyPolicy is the proposed key policy (nil: unchanged).
	KeyPolicy []byte
	// IdentityPolicies are proposed identity policies, by user or role ARN.
	IdentityPolicies map[string][]evaluator.Policy
	// AddGrants are proposed new grants on Key; RevokeGrants the ids of grants to take away.
	AddGrants    []evaluator.Grant
	RevokeGrants []string
	// Actions to compare (default KeyActions).
	Actions []string
}

// Change is one principal whose access to one action changes.
type Change struct {
	Action    string `json:"action"`
	Principal string `json:"principal"`
	Kind      string `json:"kind"`
	Change    string `json:"change"`
	// Gain is set when the proposal allows some request that was denied: a gained access, or a
	// changed one with a new way (a new path, or other conditions).
	Gain   bool  `json:"gain"`
	Before []Way `json:"before"`
	After  []Way `json:"after"`
}

// Diff lists, per action and principal (sorted), what the proposal gains and loses; a change of
// conditions is a change. Ways are compared by path and conditions (statement numbers may move).
func (a *Analyzer) Diff(ctx context.Context, q DiffQuery) ([]Change, error) {
	actions := q.Actions
	if len(actions) == 0 {
		actions = KeyActions
	}
	before := Query{Key: q.Key, All: true}
	after := Query{Key: q.Key, All: true, KeyPolicy: q.KeyPolicy, IdentityPolicies: q.IdentityPolicies,
		AddGrants: q.AddGrants, RevokeGrants: q.RevokeGrants}
	subjects := map[string]Subject{}
	var order []string
	for _, q := range []Query{before, after} {
		for _, s := range a.Subjects(a.keyPolicy(q).Document, a.keyGrants(q)) {
			k := s.Kind + "\x00" + s.ARN
			if _, ok := subjects[k]; !ok {
				subjects[k] = s
				order = append(order, k)
			}
		}
	}
	slices.SortFunc(order, func(x, y string) int {
		sx, sy := subjects[x], subjects[y]
		if kindRank[sx.Kind] != kindRank[sy.Kind] {
			return kindRank[sx.Kind] - kindRank[sy.Kind]
		}
		return strings.Compare(sx.ARN, sy.ARN)
	})
	var out []Change
	for _, action := range actions {
		action = NormalizeAction(action)
		before.Action, after.Action = action, action
		for _, k := range order {
			s := subjects[k]
			b, err := a.Evaluate(ctx, s, before)
			if err != nil {
				return nil, err
			}
			x, err := a.Evaluate(ctx, s, after)
			if err != nil {
				return nil, err
			}
			bk, ak := wayKeys(b.Ways), wayKeys(x.Ways)
			if slices.Equal(bk, ak) {
				continue
			}
			c := Change{Action: action, Principal: s.ARN, Kind: s.Kind, Before: orEmpty(b.Ways), After: orEmpty(x.Ways)}
			switch {
			case !b.Allowed():
				c.Change = Gained
			case !x.Allowed():
				c.Change = Lost
			default:
				c.Change = Changed
			}
			for _, w := range ak {
				if !slices.Contains(bk, w) {
					c.Gain = true
				}
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func orEmpty(ws []Way) []Way {
	if ws == nil {
		return []Way{}
	}
	return ws
}

// wayKeys are the ways by path and conditions, sorted.
func wayKeys(ws []Way) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Path+": "+w.ConditionText())
	}
	slices.Sort(out)
	return slices.Compact(out)
}
