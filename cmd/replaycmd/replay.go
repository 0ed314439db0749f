// Package replaycmd implements `kmsim replay`: which recorded calls on a key a proposed key
// policy would decide differently.
package replaycmd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/clockcmd"
	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/cmd/trailcmd"
	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/trail"
)

// Options are the inputs of `kmsim replay`.
type Options struct {
	IO        *cmdutil.IOStreams
	LoadWorld func(string) (*fixtures.World, error)
	Now       func() time.Time
	DataDir   string
	WorldPath string
	Key       string
	KeyPolicy string
	Since     string
	Output    string
}

// NewCmd builds `kmsim replay`.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, LoadWorld: f.LoadWorld, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "replay --key KEY --key-policy NEW.json",
		Short: "Re-decide the recorded calls on a key under a proposed key policy",
		Long: `Re-evaluate every call recorded on KEY in the trail of DIR (simulator and imported events alike)
under the current key policy and the proposed one, and list the calls whose outcome would change
(allowed→denied and the reverse), grouped by principal and operation, with the responsible
statement. Each call's request context is rebuilt from its record (encryption context, source
IP, invoking service, time); what could not be rebuilt is counted, and principals the world does
not have are reported and skipped. Rows are read in pages, through a running server when one
holds DIR.`,
		Example: `  $ kmsim replay --key alias/app-data --key-policy new.json
  $ kmsim replay --data /tmp/kms --world world.yaml --key alias/app-data --key-policy new.json --since 30d --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Key == "" || opts.KeyPolicy == "" {
				return cmdutil.FlagErrorf("--key and --key-policy are required")
			}
			if opts.Since != "" {
				if _, err := clockcmd.ParseDuration(opts.Since); err != nil {
					return cmdutil.FlagErrorf("invalid --since %q: %v", opts.Since, err)
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
	cmd.Flags().StringVar(&opts.DataDir, "data", serve.DefaultDataDir, "data `DIR` holding kmsim.duckdb")
	cmd.Flags().StringVar(&opts.WorldPath, "world", "", "world `FILE` (default: the embedded demo world)")
	cmd.Flags().StringVar(&opts.Key, "key", "", "the `KEY`: key id, key ARN or alias")
	cmd.Flags().StringVar(&opts.KeyPolicy, "key-policy", "", "proposed key policy `FILE`")
	cmd.Flags().StringVar(&opts.Since, "since", "", "only calls of the last `AGE` (e.g. 30d, 12h)")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

// Run replays and prints.
func Run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	w, key, err := cmdutil.WorldKey(opts.LoadWorld, opts.WorldPath, opts.Key)
	if err != nil {
		return err
	}
	doc, err := os.ReadFile(opts.KeyPolicy)
	if err != nil {
		return err
	}
	q := analysis.ReplayQuery{Key: key, KeyPolicy: doc}
	if opts.Since != "" {
		d, _ := clockcmd.ParseDuration(opts.Since)
		q.Since = opts.Now().Add(-d)
	}
	query := func(ctx context.Context, sql string) (*trail.Result, error) {
		return trailcmd.Query(ctx, opts.DataDir, sql)
	}
	rep, err := analysis.New(w).Replay(ctx, query, q)
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		if rep.Groups == nil {
			rep.Groups = []analysis.ReplayGroup{}
		}
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	out := opts.IO.Out
	fmt.Fprintf(out, "%d calls on %s, %d re-evaluated, %d would change.\n", rep.Calls, rep.Key, rep.Evaluated, rep.Changed)
	if len(rep.Groups) > 0 {
		fmt.Fprintln(out)
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PRINCIPAL\tOPERATION\tCHANGE\tCALLS\tSTATEMENT")
		for _, g := range rep.Groups {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", g.Principal, g.EventName, g.Change, g.Count, g.Statement)
		}
		tw.Flush()
	}
	if len(rep.UnknownPrincipals) > 0 {
		fmt.Fprintln(out, "\nUnknown principals (not in the world, skipped):")
		for _, k := range slices.Sorted(mapKeys(rep.UnknownPrincipals)) {
			fmt.Fprintf(out, "  %s: %d calls\n", k, rep.UnknownPrincipals[k])
		}
	}
	if len(rep.Unbuilt) > 0 {
		fmt.Fprintln(out, "\nContext that could not be rebuilt (decided without it):")
		for _, k := range slices.Sorted(mapKeys(rep.Unbuilt)) {
			fmt.Fprintf(out, "  %s: %d calls\n", k, rep.Unbuilt[k])
		}
	}
	return nil
}

func mapKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
