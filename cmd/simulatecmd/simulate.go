// Package simulatecmd implements `kmsim simulate`: one authorization decision, explained.
package simulatecmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/fixtures"
)

// Options are the inputs of `kmsim simulate`.
type Options struct {
	IO               *cmdutil.IOStreams
	LoadWorld        func(string) (*fixtures.World, error)
	WorldPath        string
	Principal        string
	Action           string
	Resource         string
	Region           string
	Context          []string // KEY=VALUE, repeatable
	KeyPolicy        string   // file replacing the key's policy
	IdentityPolicies []string // files replacing the principal's identity policies
	// The network and service facts of the call (see worldview.CallFacts).
	VPCE       string // id of the VPC endpoint the call comes through (the world's, or any)
	VPCEPolicy string // file with the endpoint's policy, replacing the world's
	SourceVPC  string // the endpoint's VPC, replacing the world's
	SourceIP   string // the caller's address
	MFA        bool   // the role session authenticated with MFA, MFAAge seconds ago
	MFAAge     int
	ViaService string   // kms:ViaService
	CalledVia  []string // aws:CalledVia, in order
	Output     string
}

// NewCmd builds `kmsim simulate`.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, LoadWorld: f.LoadWorld}
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Decide one request with the world's policies and explain the decision",
		Long: `Decide whether a principal of the world may perform an action on a key, exactly as the simulator
would, and explain why: the decision (allowed, explicitDeny, implicitDeny), the statements that
matched in each policy, and the condition keys the policies asked for that the request lacked.
--key-policy and --identity-policy try a policy before it is applied. --vpce, --vpce-policy,
--source-ip, --mfa-age, --via-service and --called-via give the call the network and service
facts a real one would carry: a call through a VPC endpoint carries aws:SourceVpce, aws:SourceVpc
and aws:VpcSourceIp (no aws:SourceIp) and must be allowed by the endpoint's policy too. Without
any of these flags, when exactly one of the principal's credentials in the world (its access
keys, or its role's sessions) has an origin, the call carries that origin's facts, as the
simulator gives them to that credential's calls; any of the flags replaces the origin entirely.`,
		Example: `  $ kmsim simulate --principal arn:aws:iam::111122223333:user/developer --action kms:Decrypt --resource alias/app-data
  $ kmsim simulate --principal arn:aws:iam::111122223333:role/EncryptionApp --action kms:Encrypt \
      --resource 1234abcd-12ab-34cd-56ef-1234567890ab --context kms:EncryptionContext:app=billing
  $ kmsim simulate --principal arn:aws:iam::111122223333:user/admin --action kms:Encrypt \
      --resource alias/app-data --key-policy new-policy.json --output json
  $ kmsim simulate --principal arn:aws:iam::111122223333:user/admin --action kms:ScheduleKeyDeletion \
      --resource alias/app-data --vpce vpce-0a1b2c3d4e5f60718 --vpce-policy endpoint-policy.json --source-ip 10.0.1.15`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Principal == "" || opts.Action == "" || opts.Resource == "" {
				return cmdutil.FlagErrorf("--principal, --action and --resource are required")
			}
			if opts.Output != "text" && opts.Output != "json" {
				return cmdutil.FlagErrorf("invalid --output %q: want text or json", opts.Output)
			}
			for _, kv := range opts.Context {
				if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
					return cmdutil.FlagErrorf("invalid --context %q: want KEY=VALUE", kv)
				}
			}
			if opts.SourceIP != "" && net.ParseIP(opts.SourceIP) == nil {
				return cmdutil.FlagErrorf("invalid --source-ip %q: want an IPv4 or IPv6 address", opts.SourceIP)
			}
			opts.MFA = cmd.Flags().Changed("mfa-age")
			if opts.MFA && opts.MFAAge < 0 {
				return cmdutil.FlagErrorf("invalid --mfa-age %d: want 0 or more seconds", opts.MFAAge)
			}
			if opts.SourceVPC != "" && opts.VPCE == "" {
				return cmdutil.FlagErrorf("--source-vpc needs --vpce")
			}
			if !strings.Contains(opts.Action, ":") {
				opts.Action = "kms:" + opts.Action
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.WorldPath, "world", "", "world `FILE` (default: the embedded demo world)")
	cmd.Flags().StringVar(&opts.Principal, "principal", "", "caller `ARN`: a user, role, role session or account root of the world")
	cmd.Flags().StringVar(&opts.Action, "action", "", "IAM `ACTION`, e.g. kms:Decrypt (the kms: prefix may be left out)")
	cmd.Flags().StringVar(&opts.Resource, "resource", "", "the `KEY`: key id, key ARN, alias name or alias ARN")
	cmd.Flags().StringVar(&opts.Region, "region", "us-east-1", "`REGION` of key ids and alias names")
	cmd.Flags().StringArrayVar(&opts.Context, "context", nil, "condition key `KEY=VALUE` the request carries (repeatable; repeat a key for several values)")
	cmd.Flags().StringVar(&opts.KeyPolicy, "key-policy", "", "key policy `FILE` to use instead of the key's")
	cmd.Flags().StringArrayVar(&opts.IdentityPolicies, "identity-policy", nil, "identity policy `FILE` to use instead of the principal's (repeatable)")
	cmd.Flags().StringVar(&opts.VPCE, "vpce", "", "the call comes through VPC endpoint `ID` (the world's, with its VPC and policy, or any)")
	cmd.Flags().StringVar(&opts.VPCEPolicy, "vpce-policy", "", "VPC endpoint policy `FILE` the call must pass (instead of the world endpoint's)")
	cmd.Flags().StringVar(&opts.SourceVPC, "source-vpc", "", "`VPC` id of the endpoint (aws:SourceVpc; instead of the world endpoint's)")
	cmd.Flags().StringVar(&opts.SourceIP, "source-ip", "", "caller `ADDRESS`: aws:SourceIp, or aws:VpcSourceIp through a VPC endpoint")
	cmd.Flags().IntVar(&opts.MFAAge, "mfa-age", 0, "a role session authenticated with MFA `SECONDS` ago (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge)")
	cmd.Flags().StringVar(&opts.ViaService, "via-service", "", "the `SERVICE` calling on the principal's behalf, e.g. ec2.us-east-1.amazonaws.com (kms:ViaService)")
	cmd.Flags().StringArrayVar(&opts.CalledVia, "called-via", nil, "service `PRINCIPAL` that made the call on the principal's behalf (aws:CalledVia; repeatable, first to last)")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	return cmd
}

// Result is what `kmsim simulate --output json` prints.
type Result struct {
	Principal string `json:"principal"`
	Action    string `json:"action"`
	Resource  string `json:"resource"`
	// Origin is the access key whose world origin gave the call its network and service facts.
	Origin   string             `json:"origin,omitempty"`
	Decision evaluator.Decision `json:"decision"`
	Message  string             `json:"message,omitempty"`
}

// Run decides and prints.
func Run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	w, err := opts.LoadWorld(opts.WorldPath)
	if err != nil {
		return err
	}
	res, req, err := Decide(ctx, w, opts)
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	writeText(opts.IO.Out, req, res)
	return nil
}

// writeText explains a decision the way a person would.
func writeText(out io.Writer, req evaluator.Request, res Result) {
	d := res.Decision
	switch d.Effect {
	case evaluator.Allowed:
		fmt.Fprintf(out, "ALLOWED: %s may perform %s on %s.\n", res.Principal, res.Action, res.Resource)
	case evaluator.ExplicitDeny:
		fmt.Fprintf(out, "DENIED (explicit deny): %s\n", res.Message)
	default:
		fmt.Fprintf(out, "DENIED (implicit deny): %s\n", res.Message)
	}
	byPolicy := map[string][]evaluator.Statement{}
	var ids []string
	for _, st := range d.Matched {
		if _, seen := byPolicy[st.PolicyID]; !seen {
			ids = append(ids, st.PolicyID)
		}
		byPolicy[st.PolicyID] = append(byPolicy[st.PolicyID], st)
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Policies:")
	policies := append([]evaluator.Policy{*req.ResourcePolicy}, req.Principal.IdentityPolicies...)
	if req.VPCEPolicy != nil {
		policies = append(policies, *req.VPCEPolicy)
	}
	for _, pol := range policies {
		sts := byPolicy[pol.ID]
		if len(sts) == 0 {
			fmt.Fprintf(out, "  %s policy %s: no statement applies\n", pol.Kind, pol.ID)
			continue
		}
		for _, st := range sts {
			sid := ""
			if st.Sid != "" {
				sid = fmt.Sprintf(" %q", st.Sid)
			}
			verb := "allows"
			if st.Effect == "Deny" {
				verb = "denies"
			}
			fmt.Fprintf(out, "  %s policy %s: statement %d%s %s\n", pol.Kind, pol.ID, st.Index, sid, verb)
		}
	}
	// Statements of policies not listed above (SCPs, boundaries, session policies).
	sort.Strings(ids)
	for _, id := range ids {
		if !listed(policies, id) {
			for _, st := range byPolicy[id] {
				fmt.Fprintf(out, "  %s policy %s: statement %d %q %s\n", st.PolicyKind, id, st.Index, st.Sid, strings.ToLower(st.Effect)+"s")
			}
		}
	}
	if res.Origin != "" {
		fmt.Fprintln(out)
		fmt.Fprintf(out, "The call carries the network and service facts of the world's origin of access key %s.\n", res.Origin)
	}
	if len(d.MissingContext) > 0 {
		fmt.Fprintln(out)
		fmt.Fprintf(out, "The policies asked for condition keys the request did not carry: %s\n", strings.Join(d.MissingContext, ", "))
		fmt.Fprintln(out, "Give them with --context KEY=VALUE to see the decision with them.")
	}
}

func listed(policies []evaluator.Policy, id string) bool {
	for _, p := range policies {
		if p.ID == id {
			return true
		}
	}
	return false
}
