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
	var call worldview.Call
	originKey := ""
	if !networkFlags(opts) {
		if id, o := soleOrigin(w, opts.Principal); o != nil {
			originKey = id
			call = worldview.CallFacts(o, w.VPCEndpoint(o.VPCEndpoint), p.Type, "")
		}
	}
	if originKey == "" {
		if call, err = callFacts(w, opts, p.Type); err != nil {
			return Result{}, req, err
		}
	}
	req.VPCEPolicy = call.VPCEPolicy
	for k, v := range call.Context {
		req.Context[k] = v
	}
	for _, kv := range opts.Context {
		k, v, _ := strings.Cut(kv, "=")
		if _, fromFlags := call.Context[k]; fromFlags {
			delete(req.Context, k)
			delete(call.Context, k)
		}
		req.Context[k] = append(req.Context[k], v)
	}
	checked := append([]evaluator.Policy{*req.ResourcePolicy}, req.Principal.IdentityPolicies...)
	if req.VPCEPolicy != nil {
		checked = append(checked, *req.VPCEPolicy)
	}
	for _, pol := range checked {
		if err := evaluator.CheckPolicy(pol.Document, pol.Kind); err != nil {
			return Result{}, req, fmt.Errorf("%s: %w", pol.ID, err)
		}
	}
	d, err := evaluator.New().Decide(ctx, req)
	if err != nil {
		return Result{}, req, err
	}
	return Result{Principal: p.ARN, Action: req.Action, Resource: req.Resource, Origin: originKey, Decision: d, Message: evaluator.DenialMessage(req, d)}, req, nil
}

// networkFlags reports whether opts give any network or service fact of the call.
func networkFlags(opts *Options) bool {
	return opts.VPCE != "" || opts.VPCEPolicy != "" || opts.SourceVPC != "" || opts.SourceIP != "" || opts.MFA ||
		opts.ViaService != "" || len(opts.CalledVia) > 0
}

// soleOrigin returns the access key id and origin of the one credential of the principal arn
// (a user, a role with its sessions, a role session or an account root) that has an origin in
// world w; nil when none or several do.
func soleOrigin(w *fixtures.World, arn string) (string, *fixtures.Origin) {
	id, origin, n := "", (*fixtures.Origin)(nil), 0
	for _, c := range w.Credentials() {
		if c.ARN != arn && (c.Role == nil || w.RoleARN(c.Role) != arn) {
			continue
		}
		if o := w.Origin(c.AccessKeyID); o != nil {
			id, origin, n = c.AccessKeyID, o, n+1
		}
	}
	if n != 1 {
		return "", nil
	}
	return id, origin
}

// callFacts returns the network and service facts the flags give a call by a principal of
// type principalType: the world's VPC endpoint --vpce names (or one made of the flags), its
// policy (--vpce-policy instead), and the source address, MFA and via-service keys.
func callFacts(w *fixtures.World, opts *Options, principalType string) (worldview.Call, error) {
	o := &fixtures.Origin{SourceIP: opts.SourceIP, ViaService: opts.ViaService, CalledVia: opts.CalledVia}
	if opts.MFA {
		if principalType != fixtures.PrincipalAssumedRole {
			return worldview.Call{}, fmt.Errorf("--mfa-age applies to role sessions: calls with long-term access keys never carry aws:MultiFactorAuthPresent")
		}
		age := opts.MFAAge
		o.MFAAge = &age
	}
	var ep *fixtures.VPCEndpoint
	if opts.VPCE != "" {
		ep = &fixtures.VPCEndpoint{ID: opts.VPCE}
		if we := w.VPCEndpoint(opts.VPCE); we != nil {
			e := *we
			ep = &e
		}
		if opts.SourceVPC != "" {
			ep.VPC = opts.SourceVPC
		}
	}
	if opts.VPCEPolicy != "" {
		doc, err := os.ReadFile(opts.VPCEPolicy)
		if err != nil {
			return worldview.Call{}, err
		}
		if ep == nil {
			// A policy alone: an endpoint whose id and VPC the request does not carry.
			c := worldview.CallFacts(o, nil, principalType, "")
			c.VPCEPolicy = &evaluator.Policy{ID: opts.VPCEPolicy, Kind: evaluator.KindVPCE, Document: doc}
			return c, nil
		}
		ep.Policy = fixtures.Document(doc)
	}
	c := worldview.CallFacts(o, ep, principalType, "")
	if ep != nil && ep.VPC == "" {
		delete(c.Context, "aws:SourceVpc")
	}
	if c.VPCEPolicy != nil && opts.VPCEPolicy != "" {
		c.VPCEPolicy.ID = opts.VPCEPolicy
	}
	return c, nil
}

// Explain is the text `kmsim simulate` prints for a decision Decide returned.
func Explain(req evaluator.Request, res Result) string {
	var b strings.Builder
	writeText(&b, req, res)
	return b.String()
}
