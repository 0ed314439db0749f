// Package whocancmd implements `kmsim who-can` (who can perform an action on a key, and under
// which conditions) and its reverse, `kmsim can` (what a principal can do).
package whocancmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/fixtures"
)

// Options are the inputs of `kmsim who-can`.
type Options struct {
	IO        *cmdutil.IOStreams
	LoadWorld func(string) (*fixtures.World, error)
	WorldPath string
	Action    string
	Key       string
	All       bool
	Output    string
}

// NewCmd builds `kmsim who-can`.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, LoadWorld: f.LoadWorld}
	cmd := &cobra.Command{
		Use:   "who-can ACTION KEY",
		Short: "List every principal able to perform an action on a key, with how and under which conditions",
		Long: `List every principal of the world able to perform ACTION on KEY: each user, each role (as its
sessions), the account principals ("any principal in account N whose IAM policy allows it"),
service principals the key policy names, and "*" when the key policy opens the key to anyone.
Each comes with its path (key policy, IAM via account, cross-account, grant) and the conditions
on the request under which it holds, computed by OPA partial evaluation over the request context.
ACTION is case-insensitive and its kms: prefix optional; KEY a key id, key ARN or alias.`,
		Example: `  $ kmsim who-can decrypt alias/ams-enforced
  $ kmsim who-can kms:Encrypt alias/app-data --all --output json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Action, opts.Key = analysis.NormalizeAction(args[0]), args[1]
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
	cmd.Flags().BoolVar(&opts.All, "all", false, "list denied principals too, with the reason")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

// Run answers and prints.
func Run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	w, key, err := cmdutil.WorldKey(opts.LoadWorld, opts.WorldPath, opts.Key)
	if err != nil {
		return err
	}
	acc, err := analysis.New(w).WhoCan(ctx, analysis.Query{Action: opts.Action, Key: key, All: opts.All})
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		return writeJSON(opts.IO.Out, acc)
	}
	WriteTable(opts.IO.Out, acc, false)
	return nil
}

func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteTable prints accesses one row per way: PRINCIPAL KIND [ACTION] STATUS PATH CONDITIONS STATEMENTS.
func WriteTable(out io.Writer, acc []analysis.Access, withAction bool) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	head := "PRINCIPAL\tKIND\t"
	if withAction {
		head = "KEY\tACTION\t"
	}
	fmt.Fprintln(tw, head+"STATUS\tPATH\tCONDITIONS\tSTATEMENTS")
	for _, a := range acc {
		lead := a.Principal + "\t" + a.Kind + "\t"
		if withAction {
			lead = a.Key + "\t" + a.Action + "\t"
		}
		if len(a.Ways) == 0 {
			fmt.Fprintf(tw, "%s%s\t-\t%s\t-\n", lead, a.Status, a.Reason)
			continue
		}
		for _, way := range a.Ways {
			fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\n", lead, a.Status, way.Path, way.ConditionText(), strings.Join(way.Statements, "; "))
		}
	}
	tw.Flush()
	if withAction {
		return
	}
	notes := false
	for _, a := range acc {
		if a.Note == "" {
			continue
		}
		if !notes {
			fmt.Fprintln(out)
			notes = true
		}
		fmt.Fprintf(out, "%s: %s\n", a.Principal, a.Note)
	}
}
