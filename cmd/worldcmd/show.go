package worldcmd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/trail"
)

// ShowOptions are the inputs of `kmsim world show`.
type ShowOptions struct {
	IO        *cmdutil.IOStreams
	LoadWorld func(path string) (*fixtures.World, error)

	World  string
	Output string
}

// NewCmdShow builds `kmsim world show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IO, LoadWorld: f.LoadWorld}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print a world's accounts, principals, policies, VPC endpoints and keys",
		Long: `Print one row per account, user, group, role, credential origin, managed policy, SCP, VPC
endpoint, key and grant of a world, with its ARN and what matters about it (groups, credentials,
the network and service facts of a credential's calls, targets, an endpoint's VPC and policy,
key state, spec and aliases). Without --world, the embedded demo world.`,
		Example: `  $ kmsim world show
  $ kmsim world show --world imported/world.yaml --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return ShowRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.World, "world", "", "world `FILE` (default: the embedded demo world)")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table, json, yaml or csv")
	return cmd
}

// ShowRun loads the world and prints its table.
func ShowRun(opts *ShowOptions) error {
	w, err := opts.LoadWorld(opts.World)
	if err != nil {
		return err
	}
	return Table(w).Write(opts.IO.Out, opts.Output)
}

// Table lists the world's entities, one row each: kind, account, region, name, ARN, details.
func Table(w *fixtures.World) *trail.Result {
	res := &trail.Result{Columns: []string{"kind", "account", "region", "name", "arn", "details"}}
	add := func(kind, account, region, name, arn string, details ...string) {
		var parts []string
		for _, d := range details {
			if d != "" {
				parts = append(parts, d)
			}
		}
		res.Rows = append(res.Rows, []any{kind, account, region, name, arn, strings.Join(parts, "; ")})
	}
	list := func(label string, items []string) string {
		if len(items) == 0 {
			return ""
		}
		return label + " " + strings.Join(items, ", ")
	}
	count := func(label string, n int) string {
		if n == 0 {
			return ""
		}
		return fmt.Sprintf("%s %d", label, n)
	}
	for _, a := range w.Accounts {
		add("account", a.ID, "", a.Name, fixtures.RootARN(a.ID), a.Organization, a.OU)
	}
	for i := range w.Users {
		u := &w.Users[i]
		var keys []string
		for _, k := range u.AccessKeys {
			keys = append(keys, k.ID)
		}
		add("user", u.Account, "", u.Name, w.UserARN(u), list("groups", u.Groups),
			count("policies", len(u.InlinePolicies)+len(u.ManagedPolicies)), list("boundary", nonEmpty(u.PermissionsBoundary)),
			list("access keys", keys))
	}
	for i := range w.Groups {
		g := &w.Groups[i]
		add("group", g.Account, "", g.Name, w.GroupARN(g), count("policies", len(g.InlinePolicies)+len(g.ManagedPolicies)))
	}
	for i := range w.Roles {
		r := &w.Roles[i]
		var sessions []string
		for _, s := range r.Sessions {
			sessions = append(sessions, s.Name+" ("+s.AccessKeyID+")")
		}
		add("role", r.Account, "", r.Name, w.RoleARN(r), count("policies", len(r.InlinePolicies)+len(r.ManagedPolicies)),
			list("boundary", nonEmpty(r.PermissionsBoundary)), list("sessions", sessions))
	}
	for _, c := range w.Credentials() {
		if o := w.Origin(c.AccessKeyID); o != nil {
			add("origin", c.Account, "", c.AccessKeyID, c.ARN, originDetails(o)...)
		}
	}
	for i := range w.Policies {
		p := &w.Policies[i]
		add("policy", p.Account, "", p.Name, w.PolicyARN(p))
	}
	for _, s := range w.SCPs {
		add("scp", "", "", s.Name, "", list("targets", s.Targets))
	}
	for _, e := range w.VPCEndpoints {
		region := e.Region
		if region == "" {
			region = fixtures.DefaultRegion
		}
		policy := "endpoint policy"
		if e.Policy.IsZero() {
			policy = "full access (no endpoint policy)"
		}
		add("vpc-endpoint", e.Account, region, e.ID, "arn:"+fixtures.Partition+":ec2:"+region+":"+e.Account+":vpc-endpoint/"+e.ID, "vpc "+e.VPC, policy)
	}
	for i := range w.Keys {
		k := &w.Keys[i]
		policy := "key policy"
		if k.Policy.IsZero() {
			policy = "default key policy"
		}
		add("key", k.Account, k.Region, k.ID, w.KeyARN(k), k.State, k.Spec+"/"+k.Usage, list("aliases", k.Aliases), policy)
		for _, g := range k.Grants {
			constraint := ""
			if c := g.Constraints; c != nil && len(c.EncryptionContextEquals) > 0 {
				constraint = "encryption context equals " + pairs(c.EncryptionContextEquals)
			} else if c != nil && len(c.EncryptionContextSubset) > 0 {
				constraint = "encryption context includes " + pairs(c.EncryptionContextSubset)
			}
			name, id := g.Name, "id "+g.ID
			if name == "" {
				name, id = g.ID, ""
			}
			add("grant", k.Account, k.Region, name, "", id, "key "+k.ID, "grantee "+g.GranteePrincipal, list("operations", g.Operations), constraint)
		}
	}
	return res
}

// originDetails describes the network and service facts of a credential's calls.
func originDetails(o *fixtures.Origin) []string {
	var out []string
	if o.VPCEndpoint != "" {
		out = append(out, "vpc endpoint "+o.VPCEndpoint)
	}
	if o.SourceIP != "" {
		out = append(out, "source ip "+o.SourceIP)
	}
	if o.MFAAge != nil {
		out = append(out, fmt.Sprintf("mfa age %ds", *o.MFAAge))
	}
	if o.ViaService != "" {
		out = append(out, "via service "+o.ViaService)
	}
	if len(o.CalledVia) > 0 {
		out = append(out, "called via "+strings.Join(o.CalledVia, ", "))
	}
	return out
}

// pairs renders an encryption context as k=v pairs, sorted.
func pairs(ec map[string]string) string {
	out := make([]string, 0, len(ec))
	for k, v := range ec {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
