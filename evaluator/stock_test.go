package evaluator

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	opa "github.com/open-policy-agent/opa/v1/rego"

	"github.com/kmsim/kmsim/rego"
)

// TestCasesStockOPA decides every case again outside kmsim's engine: the translated modules,
// kmsim.lib and kmsim.authz are handed to a plain OPA rego.New with the input document
// Evaluator.Input renders, and the answer must be Decide's.
func TestCasesStockOPA(t *testing.T) {
	// Every decision through its residual (TestCases decides the first ones in full).
	e := New(WithNow(func() time.Time { return time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC) }), WithPartialEvaluation(0))
	for _, tc := range MustLoadCases("testdata/cases") {
		if tc.WantErrorCode != "" {
			continue
		}
		t.Run(tc.File+"/"+tc.Note, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			req := tc.Request()
			want, err := e.Decide(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := stockDecide(ctx, e, req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Effect != want.Effect || got.Reason != want.Reason || got.Grant != want.Grant {
				t.Errorf("stock OPA: %s %q grant %q, Decide: %s %q grant %q", got.Effect, got.Reason, got.Grant, want.Effect, want.Reason, want.Grant)
			}
			if !slices.Equal(got.MissingContext, want.MissingContext) {
				t.Errorf("stock OPA missing %q, Decide %q", got.MissingContext, want.MissingContext)
			}
			if !slices.Equal(got.Matched, want.Matched) {
				t.Errorf("stock OPA matched %+v\nDecide matched %+v", got.Matched, want.Matched)
			}
		})
	}
}

// stockDecide evaluates data.kmsim.authz.decision with OPA alone and reads the result the way
// a user of `opa eval` would, from JSON.
func stockDecide(ctx context.Context, e *Evaluator, req Request) (Decision, error) {
	text, err := e.Input(req)
	if err != nil {
		return Decision{}, err
	}
	var input any
	if err := json.Unmarshal([]byte(text), &input); err != nil {
		return Decision{}, err
	}
	opts := []func(*opa.Rego){
		opa.Query(rego.DecisionQuery), opa.Input(input),
		opa.Module("kmsim/lib.rego", rego.Lib), opa.Module("kmsim/authz.rego", rego.Authz),
	}
	rr := e.request(req, true)
	docs := append(append(append([]rego.Policy{}, rr.Identity...), rr.Session...), nonNil(rr.ResourcePolicy, rr.Boundary, rr.VPCE)...)
	for _, level := range rr.SCPs {
		docs = append(docs, level...)
	}
	for i, p := range docs {
		mod, err := rego.Translate(p.Document, string(p.Kind), "")
		if err != nil {
			return Decision{}, err
		}
		opts = append(opts, opa.Module(fmt.Sprintf("policy%d.rego", i), mod))
	}
	rs, err := opa.New(opts...).Eval(ctx)
	if err != nil {
		return Decision{}, err
	}
	if len(rs) != 1 {
		return Decision{}, fmt.Errorf("%d results", len(rs))
	}
	b, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		return Decision{}, err
	}
	var out struct {
		Effect         Effect
		Reason         DenyReason
		Matched        []rego.Match
		MissingContext []string `json:"missing_context"`
		Grant          string
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return Decision{}, err
	}
	d := Decision{Effect: out.Effect, Reason: out.Reason, MissingContext: out.MissingContext, Grant: out.Grant}
	for _, m := range out.Matched {
		pol, ok := policyAt(req, m)
		if !ok {
			return Decision{}, fmt.Errorf("no policy for %+v", m)
		}
		d.Matched = append(d.Matched, Statement{PolicyID: pol.ID, PolicyKind: pol.Kind, Index: m.Index, Sid: m.Sid, Effect: m.Effect})
	}
	sortMatched(d.Matched)
	sort.Strings(d.MissingContext)
	return d, nil
}

func nonNil(ps ...*rego.Policy) []rego.Policy {
	var out []rego.Policy
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}
