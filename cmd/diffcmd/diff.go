// Package diffcmd implements `kmsim diff`: who gains and who loses access to a key with a
// proposed key policy (and identity policies).
package diffcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
)

// Options are the inputs of `kmsim diff`.
type Options struct {
	IO               *cmdutil.IOStreams
	LoadWorld        func(string) (*fixtures.World, error)
	WorldPath        string
	Key              string
	KeyPolicy        string
	IdentityPolicies []string // PRINCIPAL_ARN=FILE
	Grants           []string // FILE
	RevokeGrants     []string // grant id
	Actions          []string
	FailOnGain       bool
	Output           string
}

// NewCmd builds `kmsim diff`.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, LoadWorld: f.LoadWorld}
	cmd := &cobra.Command{
		Use:   "diff --key KEY --key-policy NEW.json",
		Short: "Show who gains and who loses access to a key with a proposed policy",
		Long: `Compare who-can before and after a proposed key policy (and, with --identity-policy, proposed
identity policies of some principals; with --grant and --revoke-grant, grants added to or taken
from the key), per action (default: every key action). A --grant file holds one grant as
CreateGrant takes it or list-grants shows it: GranteePrincipal, Operations, and optionally
Constraints, RetiringPrincipal and Name. A principal
gains access, loses it, or keeps it by another path or under other conditions (a change of
conditions is a change). With --fail-on-gain, the command exits 3 when the proposal allows any
request that was denied before.`,
		Example: `  $ kmsim diff --key alias/app-data --key-policy new.json
  $ kmsim diff --world world.yaml --key alias/app-data --key-policy new.json --action decrypt --fail-on-gain
  $ kmsim diff --key alias/app-data --key-policy new.json \
      --identity-policy arn:aws:iam::111122223333:user/developer=dev.json --output json
  $ kmsim diff --key alias/app-data --grant partner-grant.json --revoke-grant 0c2374...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Key == "" {
				return cmdutil.FlagErrorf("--key is required")
			}
			if opts.KeyPolicy == "" && len(opts.IdentityPolicies) == 0 && len(opts.Grants) == 0 && len(opts.RevokeGrants) == 0 {
				return cmdutil.FlagErrorf("nothing to compare: give --key-policy, --identity-policy, --grant or --revoke-grant")
			}
			for _, kv := range opts.IdentityPolicies {
				if k, v, ok := strings.Cut(kv, "="); !ok || k == "" || v == "" {
					return cmdutil.FlagErrorf("invalid --identity-policy %q: want PRINCIPAL_ARN=FILE", kv)
				}
			}
			if opts.Output != "table" && opts.Output != "json" {
				return cmdutil.FlagErrorf("invalid --output %q: want table or json", opts.Output)
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.WorldPath, "world", "", "world `FILE` (default: the embedded demo world)")
	cmd.Flags().StringVar(&opts.Key, "key", "", "the `KEY`: key id, key ARN or alias")
	cmd.Flags().StringVar(&opts.KeyPolicy, "key-policy", "", "proposed key policy `FILE`")
	cmd.Flags().StringArrayVar(&opts.IdentityPolicies, "identity-policy", nil, "proposed identity policy `PRINCIPAL_ARN=FILE` replacing that user's or role's (repeatable)")
	cmd.Flags().StringArrayVar(&opts.Grants, "grant", nil, "proposed grant `FILE` (JSON, as CreateGrant takes it) added to the key (repeatable)")
	cmd.Flags().StringArrayVar(&opts.RevokeGrants, "revoke-grant", nil, "`GRANT_ID` of a grant on the key to take away (repeatable)")
	cmd.Flags().StringArrayVar(&opts.Actions, "action", nil, "`ACTION` to compare (repeatable; default every key action)")
	cmd.Flags().BoolVar(&opts.FailOnGain, "fail-on-gain", false, "exit 3 when anyone gains access")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

// Run compares and prints; with FailOnGain, a gain is a cmdutil.FindingsError.
func Run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	w, key, err := cmdutil.WorldKey(opts.LoadWorld, opts.WorldPath, opts.Key)
	if err != nil {
		return err
	}
	q := analysis.DiffQuery{Key: key, Actions: opts.Actions, RevokeGrants: opts.RevokeGrants}
	if opts.KeyPolicy != "" {
		doc, err := os.ReadFile(opts.KeyPolicy)
		if err != nil {
			return err
		}
		if err := evaluator.CheckPolicy(doc, evaluator.KindKey); err != nil {
			return fmt.Errorf("%s: %w", opts.KeyPolicy, err)
		}
		q.KeyPolicy = doc
	}
	for _, id := range opts.RevokeGrants {
		if !slices.ContainsFunc(worldview.Grants(w, key), func(g evaluator.Grant) bool { return g.ID == id }) {
			return fmt.Errorf("--revoke-grant %s: no such grant on key %s", id, w.KeyARN(key))
		}
	}
	for i, path := range opts.Grants {
		g, err := readGrant(path)
		if err != nil {
			return err
		}
		g.KeyARN = w.KeyARN(key)
		if g.ID == "" {
			g.ID = fmt.Sprintf("proposed-%d", i+1)
		}
		q.AddGrants = append(q.AddGrants, g)
	}
	for _, kv := range opts.IdentityPolicies {
		arn, path, _ := strings.Cut(kv, "=")
		d, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := evaluator.CheckPolicy(d, evaluator.KindIdentity); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if q.IdentityPolicies == nil {
			q.IdentityPolicies = map[string][]evaluator.Policy{}
		}
		q.IdentityPolicies[arn] = append(q.IdentityPolicies[arn], evaluator.Policy{ID: path, Kind: evaluator.KindIdentity, Document: d})
	}
	changes, err := analysis.New(w).Diff(ctx, q)
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		if changes == nil {
			changes = []analysis.Change{}
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(changes); err != nil {
			return err
		}
	} else if len(changes) == 0 {
		fmt.Fprintln(opts.IO.Out, "No change: everyone keeps exactly the access they have.")
	} else {
		tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACTION\tPRINCIPAL\tCHANGE\tBEFORE\tAFTER")
		for _, c := range changes {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Action, c.Principal, c.Change, waysText(c.Before), waysText(c.After))
		}
		tw.Flush()
	}
	gains := 0
	for _, c := range changes {
		if c.Gain {
			gains++
		}
	}
	if opts.FailOnGain && gains > 0 {
		return &cmdutil.FindingsError{Msg: fmt.Sprintf("%d access change(s) gain access", gains)}
	}
	return nil
}

// readGrant reads one grant in CreateGrant's (or list-grants') JSON shape.
func readGrant(path string) (evaluator.Grant, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return evaluator.Grant{}, err
	}
	var in struct {
		GrantId, Name, GranteePrincipal, RetiringPrincipal string
		Operations                                         []string
		Constraints                                        *fixtures.GrantConstraints
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		return evaluator.Grant{}, fmt.Errorf("%s: %w", path, err)
	}
	if in.GranteePrincipal == "" || len(in.Operations) == 0 {
		return evaluator.Grant{}, fmt.Errorf("%s: a grant needs GranteePrincipal and Operations", path)
	}
	for _, op := range in.Operations {
		if !slices.Contains(fixtures.GrantOperations, op) {
			return evaluator.Grant{}, fmt.Errorf("%s: %q is not a grant operation (want one of %s)", path, op, strings.Join(fixtures.GrantOperations, ", "))
		}
	}
	g := evaluator.Grant{ID: in.GrantId, Name: in.Name, GranteePrincipal: in.GranteePrincipal, RetiringPrincipal: in.RetiringPrincipal, Operations: in.Operations}
	if c := in.Constraints; c != nil {
		g.EncryptionContextEquals, g.EncryptionContextSubset = c.EncryptionContextEquals, c.EncryptionContextSubset
	}
	return g, nil
}

func waysText(ws []analysis.Way) string {
	if len(ws) == 0 {
		return "denied"
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.Path + ": " + w.ConditionText()
	}
	return strings.Join(parts, " | ")
}
