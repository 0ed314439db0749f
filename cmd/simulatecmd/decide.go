package simulatecmd

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
)

// Decide builds the request opts describes on world w and decides it, exactly as `kmsim simulate`
// does (the TUI's explain view shares it). opts.Action must carry its service prefix.
func Decide(ctx context.Context, w *fixtures.World, opts *Options) (Result, evaluator.Request, error) {
	p, err := worldview.PrincipalByARN(w, opts.Principal)
	if err != nil {
		return Result{}, evaluator.Request{}, err
	}
	key, err := worldview.FindKey(w, opts.Resource, p.Account, opts.Region)
	if err != nil {
		return Result{}, evaluator.Request{}, err
	}
	req := evaluator.Request{Principal: p, Action: opts.Action, Resource: w.KeyARN(key), ResourceAccount: key.Account,
		ResourcePolicy: worldview.KeyPolicy(w, key), Context: map[string][]string{}, Grants: worldview.Grants(w, key)}
	if opts.KeyPolicy != "" {
		doc, err := os.ReadFile(opts.KeyPolicy)
		if err != nil {
			return Result{}, req, err
		}
		req.ResourcePolicy = &evaluator.Policy{ID: opts.KeyPolicy, Kind: evaluator.KindKey, Document: doc}
	}
	if len(opts.IdentityPolicies) > 0 {
		req.Principal.IdentityPolicies = nil
		for _, path := range opts.IdentityPolicies {
			doc, err := os.ReadFile(path)
			if err != nil {
				return Result{}, req, err
			}
			req.Principal.IdentityPolicies = append(req.Principal.IdentityPolicies, evaluator.Policy{ID: path, Kind: evaluator.KindIdentity, Document: doc})
		}
	}
	for _, kv := range opts.Context {
		k, v, _ := strings.Cut(kv, "=")
		req.Context[k] = append(req.Context[k], v)
	}
	for _, pol := range append([]evaluator.Policy{*req.ResourcePolicy}, req.Principal.IdentityPolicies...) {
		if err := evaluator.CheckPolicy(pol.Document, pol.Kind); err != nil {
			return Result{}, req, fmt.Errorf("%s: %w", pol.ID, err)
		}
	}
	d, err := evaluator.New().Decide(ctx, req)
	if err != nil {
		return Result{}, req, err
	}
	return Result{Principal: p.ARN, Action: req.Action, Resource: req.Resource, Decision: d, Message: evaluator.DenialMessage(req, d)}, req, nil
}

// Explain is the text `kmsim simulate` prints for a decision Decide returned.
func Explain(req evaluator.Request, res Result) string {
	var b strings.Builder
	writeText(&b, req, res)
	return b.String()
}
