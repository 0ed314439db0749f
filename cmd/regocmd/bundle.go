package regocmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/rego"
)

// BundleOptions are the inputs of `kmsim rego bundle`.
type BundleOptions struct {
	IO        *cmdutil.IOStreams
	LoadWorld func(path string) (*fixtures.World, error)

	WorldPath string
	OutDir    string
	// Now is the time the bundle's tests decide at (aws:CurrentTime); zero means time.Now.
	Now time.Time
}

// NewCmdBundle builds `kmsim rego bundle`.
func NewCmdBundle(f *cmdutil.Factory, runF func(*BundleOptions) error) *cobra.Command {
	opts := &BundleOptions{IO: f.IO, LoadWorld: f.LoadWorld}
	cmd := &cobra.Command{
		Use:   "bundle --out DIR",
		Short: "Write a world's policies as an OPA bundle answering data.kmsim.authz.decision",
		Long: `Write every policy of a world (the embedded demo world by default) as an OPA bundle:
one Rego module per policy, the kmsim.lib and kmsim.authz modules, data.json naming the
policies of each key, role, principal and VPC endpoint, tests that pin kmsim's own decisions,
and a .manifest. Stock OPA then gives kmsim's decisions; see docs/rego.md.`,
		Example: `  $ kmsim rego bundle --out bundle
  $ opa eval -b bundle -i input.json 'data.kmsim.authz.decision'
  $ opa test bundle`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.OutDir == "" {
				return cmdutil.FlagErrorf("--out is required")
			}
			if runF != nil {
				return runF(opts)
			}
			return BundleRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.WorldPath, "world", "", "world file (default: the embedded demo world)")
	cmd.Flags().StringVar(&opts.OutDir, "out", "", "directory to write the bundle to")
	return cmd
}

// BundleRun writes the bundle and lists the files written on Out.
func BundleRun(opts *BundleOptions) error {
	w, err := opts.LoadWorld(opts.WorldPath)
	if err != nil {
		return err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	files, err := Bundle(w, now.UTC().Truncate(time.Second))
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(opts.OutDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(opts.IO.Out, path)
	}
	return nil
}

// defaultKeyPolicy is the policy of a key created without one (the programmatic default).
const defaultKeyPolicy = `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"kms:*","Resource":"*"}]}`

// testActions are the actions the bundle's tests decide for every principal and key.
var testActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"}

// worldData is data.kmsim.world.
type worldData struct {
	// Resources maps key and role ARNs to their account and the package key of their policy.
	Resources map[string]resourceData `json:"resources"`
	// Aliases maps alias ARNs to key ARNs.
	Aliases map[string]string `json:"aliases"`
	// Principals maps caller ARNs to their part of the input document.
	Principals map[string]principalData `json:"principals"`
	// VPCEndpoints maps VPC endpoint ids to their VPC and the package key of their policy
	// (none: the endpoint allows everything); input.vpce names one.
	VPCEndpoints map[string]vpceData `json:"vpc_endpoints,omitempty"`
}

type vpceData struct {
	VPC    string `json:"vpc"`
	Policy string `json:"policy,omitempty"`
}

type resourceData struct {
	Account string `json:"account"`
	Policy  string `json:"policy"`
}

type principalData struct {
	Principal json.RawMessage     `json:"principal"`
	Context   map[string][]string `json:"context"`
	Policies  json.RawMessage     `json:"policies"`
}

// requestKeys are the condition keys that belong to a request rather than to its caller;
// kmsim.authz derives them for a world request.
var requestKeys = []string{"aws:resourceaccount", "aws:currenttime", "aws:epochtime"}

// Bundle returns the files of the OPA bundle for w, by slash-separated path. now is the time
// the generated tests decide at.
func Bundle(w *fixtures.World, now time.Time) (map[string]string, error) {
	b := &bundler{
		files: map[string]string{"kmsim/lib.rego": rego.Lib, "kmsim/authz.rego": rego.Authz},
		data:  worldData{Resources: map[string]resourceData{}, Aliases: map[string]string{}, Principals: map[string]principalData{}},
		eval:  evaluator.New(evaluator.WithNow(func() time.Time { return now })),
		now:   now,
	}
	for i := range w.Keys {
		k := &w.Keys[i]
		doc := []byte(k.Policy)
		if k.Policy.IsZero() {
			doc = fmt.Appendf(nil, defaultKeyPolicy, k.Account)
		}
		if err := b.resource(w.KeyARN(k), k.Account, "key/"+k.ID, doc, evaluator.KindKey); err != nil {
			return nil, err
		}
		for _, a := range k.Aliases {
			b.data.Aliases[w.AliasARN(k, a)] = w.KeyARN(k)
		}
	}
	for i := range w.Roles {
		r := &w.Roles[i]
		if err := b.resource(w.RoleARN(r), r.Account, "role/"+r.Name+"/trust", r.TrustPolicy, evaluator.KindTrust); err != nil {
			return nil, err
		}
	}
	for _, e := range w.VPCEndpoints {
		if b.data.VPCEndpoints == nil {
			b.data.VPCEndpoints = map[string]vpceData{}
		}
		d := vpceData{VPC: e.VPC}
		if !e.Policy.IsZero() {
			key, err := b.module("vpce/"+e.ID, e.Policy, evaluator.KindVPCE)
			if err != nil {
				return nil, err
			}
			d.Policy = key
		}
		b.data.VPCEndpoints[e.ID] = d
	}
	var callers []evaluator.Principal
	for _, c := range w.Credentials() {
		if _, ok := b.data.Principals[c.ARN]; ok {
			continue
		}
		p := principal(w, c)
		if err := b.principal(p); err != nil {
			return nil, err
		}
		callers = append(callers, p)
	}
	data, err := json.MarshalIndent(map[string]any{"kmsim": map[string]any{"world": b.data}}, "", "  ")
	if err != nil {
		return nil, err
	}
	b.files["data.json"] = string(data) + "\n"
	tests, err := b.tests(w, callers)
	if err != nil {
		return nil, err
	}
	b.files["kmsim/world_test.rego"] = tests
	b.files[".manifest"] = manifest(b.files)
	return b.files, nil
}

type bundler struct {
	files map[string]string
	data  worldData
	eval  *evaluator.Evaluator
	now   time.Time
}

// module writes the policy's module, once per package, and returns its package key.
func (b *bundler) module(name string, doc []byte, kind evaluator.PolicyKind) (string, error) {
	pkg := rego.PackageName(doc, rego.Kind(kind))
	key := strings.TrimPrefix(pkg, rego.PoliciesPackage+".")
	path := "policies/" + key + ".rego"
	if _, ok := b.files[path]; ok {
		return key, nil
	}
	src, err := rego.Translate(doc, string(kind), name)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	b.files[path] = src
	return key, nil
}

func (b *bundler) resource(arn, account, name string, doc []byte, kind evaluator.PolicyKind) error {
	key, err := b.module(name, doc, kind)
	if err != nil {
		return err
	}
	b.data.Resources[arn] = resourceData{Account: account, Policy: key}
	return nil
}

// principal records the caller's part of the input document, as the evaluator builds it.
func (b *bundler) principal(p evaluator.Principal) error {
	for _, pol := range p.IdentityPolicies {
		if _, err := b.module(pol.ID, pol.Document, evaluator.KindIdentity); err != nil {
			return err
		}
	}
	if p.Boundary != nil {
		if _, err := b.module(p.Boundary.ID, p.Boundary.Document, evaluator.KindBoundary); err != nil {
			return err
		}
	}
	for _, level := range p.SCPs {
		for _, pol := range level {
			if _, err := b.module(pol.ID, pol.Document, evaluator.KindSCP); err != nil {
				return err
			}
		}
	}
	text, err := b.eval.Input(evaluator.Request{Principal: p, Resource: "*"})
	if err != nil {
		return fmt.Errorf("%s: %w", p.ARN, err)
	}
	var in struct {
		Principal json.RawMessage     `json:"principal"`
		Context   map[string][]string `json:"context"`
		Policies  json.RawMessage     `json:"policies"`
	}
	if err := json.Unmarshal([]byte(text), &in); err != nil {
		return err
	}
	for _, k := range requestKeys {
		delete(in.Context, k)
	}
	b.data.Principals[p.ARN] = principalData(in)
	return nil
}

// principal describes a credential's owner to the evaluator, with the policies that bind it.
func principal(w *fixtures.World, c fixtures.Credential) evaluator.Principal {
	p := evaluator.Principal{Type: c.Type, ARN: c.ARN, Account: c.Account, UserID: c.PrincipalID}
	for _, level := range w.SCPsFor(c.Account) {
		var ps []evaluator.Policy
		for _, scp := range level {
			ps = append(ps, evaluator.Policy{ID: "scp/" + scp.Name, Kind: evaluator.KindSCP, Document: scp.Document})
		}
		p.SCPs = append(p.SCPs, ps)
	}
	if acct := w.Account(c.Account); acct != nil && acct.Organization != "" {
		p.OrgID = acct.Organization
		path := acct.Organization + "/"
		if acct.OU != "" {
			path += acct.OU + "/"
		}
		p.OrgPaths = []string{path}
	}
	attach := func(ps []fixtures.AttachedPolicy, boundary, account string) {
		for _, a := range ps {
			p.IdentityPolicies = append(p.IdentityPolicies, evaluator.Policy{ID: a.ID, Kind: evaluator.KindIdentity, Document: a.Document})
		}
		if b, ok := w.Boundary(boundary, account); ok {
			p.Boundary = &evaluator.Policy{ID: b.ID, Kind: evaluator.KindBoundary, Document: b.Document}
		}
	}
	switch {
	case c.User != nil:
		p.Name, p.Tags = c.User.Name, c.User.Tags
		attach(w.UserPolicies(c.User), c.User.PermissionsBoundary, c.User.Account)
	case c.Role != nil:
		p.RoleARN, p.SessionName, p.Tags = w.RoleARN(c.Role), c.Session.Name, c.Role.Tags
		attach(w.RolePolicies(c.Role), c.Role.PermissionsBoundary, c.Role.Account)
	}
	return p
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// tests writes one test per caller, key and action, pinning the decision kmsim makes, and one
// more per VPC endpoint of the world for a call through it.
func (b *bundler) tests(w *fixtures.World, callers []evaluator.Principal) (string, error) {
	var out strings.Builder
	out.WriteString("# Code generated by kmsim rego bundle. DO NOT EDIT.\n")
	out.WriteString("# Each test asks data.kmsim.authz.decision what kmsim's evaluator decided for the same request.\n")
	out.WriteString("package kmsim.world_test\n\nimport data.kmsim.authz\n")
	clock := map[string]string{"aws:CurrentTime": b.now.Format(time.RFC3339), "aws:EpochTime": fmt.Sprint(b.now.Unix())}
	endpoints := []*fixtures.VPCEndpoint{nil}
	for i := range w.VPCEndpoints {
		endpoints = append(endpoints, &w.VPCEndpoints[i])
	}
	seen := map[string]int{}
	for _, p := range callers {
		for i := range w.Keys {
			k := &w.Keys[i]
			resource := w.KeyARN(k)
			shown := "key/" + k.ID
			if len(k.Aliases) > 0 {
				resource, shown = w.AliasARN(k, k.Aliases[0]), k.Aliases[0]
			}
			for _, action := range testActions {
				for _, e := range endpoints {
					input := map[string]any{"principal": p.ARN, "action": action, "resource": resource, "context": clock}
					label, through := shown, ""
					if e != nil {
						input["vpce"] = e.ID
						label, through = shown+" through "+e.ID, "_via_"+e.ID
					}
					d, err := b.decide(w, p, k, action, clock, e)
					if err != nil {
						return "", err
					}
					name := "test_" + strings.Trim(nonWord.ReplaceAllString(strings.ToLower(shortName(p.ARN)+"_"+strings.TrimPrefix(action, "kms:")+"_"+shown+through), "_"), "_")
					if seen[name]++; seen[name] > 1 {
						name = fmt.Sprintf("%s_%d", name, seen[name])
					}
					text, err := json.Marshal(input)
					if err != nil {
						return "", err
					}
					fmt.Fprintf(&out, "\n# %s %s %s: %s", p.ARN, action, label, d.Effect)
					if d.Reason != "" {
						fmt.Fprintf(&out, " (%s)", d.Reason)
					}
					fmt.Fprintf(&out, "\n%s if {\n\td := authz.decision with input as %s\n\td.effect == %q\n\td.reason == %q\n}\n", name, text, d.Effect, d.Reason)
				}
			}
		}
	}
	return out.String(), nil
}

// decide is kmsim's decision of a test's request, through endpoint e unless it is nil.
func (b *bundler) decide(w *fixtures.World, p evaluator.Principal, k *fixtures.Key, action string, clock map[string]string, e *fixtures.VPCEndpoint) (evaluator.Decision, error) {
	doc := []byte(k.Policy)
	if k.Policy.IsZero() {
		doc = fmt.Appendf(nil, defaultKeyPolicy, k.Account)
	}
	ctx := map[string][]string{}
	for key, v := range clock {
		ctx[key] = []string{v}
	}
	req := evaluator.Request{
		Principal: p, Action: action, Resource: w.KeyARN(k), ResourceAccount: k.Account,
		ResourcePolicy: &evaluator.Policy{ID: "key/" + k.ID, Kind: evaluator.KindKey, Document: doc},
		Context:        ctx,
	}
	if e != nil {
		ctx["aws:SourceVpce"], ctx["aws:SourceVpc"] = []string{e.ID}, []string{e.VPC}
		if !e.Policy.IsZero() {
			req.VPCEPolicy = &evaluator.Policy{ID: "vpce/" + e.ID, Kind: evaluator.KindVPCE, Document: e.Policy}
		}
	}
	return b.eval.Decide(context.Background(), req)
}

// shortName is the last path element of a caller ARN: the user name, the session name, or "root".
func shortName(arn string) string {
	if i := strings.LastIndexAny(arn, ":/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// manifest returns the .manifest: the roots the bundle owns, Rego v1, and a revision that
// hashes its files.
func manifest(files map[string]string) string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%s\x00", name, files[name])
	}
	m, _ := json.MarshalIndent(map[string]any{
		"revision":     hex.EncodeToString(h.Sum(nil))[:16],
		"roots":        []string{"kmsim"},
		"rego_version": 1,
	}, "", "  ")
	return string(m) + "\n"
}
