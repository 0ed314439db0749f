package trailcmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/trail"
)

// ReportOptions are the inputs of `kmsim trail report`.
type ReportOptions struct {
	IO      *cmdutil.IOStreams
	Now     func() time.Time
	DataDir string
	Name    string
	Scope   trail.Scope
	Output  string
}

// NewCmdReport builds `kmsim trail report`.
func NewCmdReport(f *cmdutil.Factory, runF func(*ReportOptions) error) *cobra.Command {
	opts := &ReportOptions{IO: f.IO, Now: nowFunc}
	var sf scopeFlags
	cmd := &cobra.Command{
		Use:   "report NAME",
		Short: "Run a built-in report over the trail",
		Long: heredocReports(`Run a built-in report over the events in DIR/kmsim.duckdb. Each report is a documented SQL
file (trail/reports/NAME.sql); the scope flags narrow the events it reads. While a server holds
DIR, the report runs in it, over its authenticated loopback admin endpoint.

Reports:
`),
		Example: `  $ kmsim trail report key-usage --key 1234abcd-12ab-34cd-56ef-1234567890ab --since 7d
  $ kmsim trail report denied --principal arn:aws:iam::111122223333:role/App --output csv
  $ kmsim trail report policy-changes --account 111122223333 --from 2024-01-01 --to 2024-02-01 --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if err := cmdutil.CheckOutput(opts.Output); err != nil {
				return err
			}
			if err := checkReport(opts.Name); err != nil {
				return err
			}
			sc, err := sf.scope(opts.Now())
			if err != nil {
				return err
			}
			opts.Scope = sc
			if runF != nil {
				return runF(opts)
			}
			return ReportRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.DataDir, "data", serve.DefaultDataDir, "data `DIR` holding kmsim.duckdb")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table, json, yaml or csv")
	sf.register(cmd)
	return cmd
}

func heredocReports(prefix string) string {
	reports, err := trail.Reports()
	if err != nil {
		return prefix
	}
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range reports {
		fmt.Fprintf(&b, "  %-15s %s\n", r.Name, r.Description)
	}
	return strings.TrimRight(b.String(), "\n")
}

func checkReport(name string) error {
	reports, err := trail.Reports()
	if err != nil {
		return err
	}
	var names []string
	for _, r := range reports {
		if r.Name == name {
			return nil
		}
		names = append(names, r.Name)
	}
	return cmdutil.FlagErrorf("unknown report %q: want one of %s", name, strings.Join(names, ", "))
}

// ReportRun runs the report and prints its rows.
func ReportRun(ctx context.Context, opts *ReportOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var res *trail.Result
	err := withTrail(opts.DataDir, func(info serve.ServerInfo) (err error) {
		res, err = serve.ReportServer(ctx, info, opts.Name, opts.Scope)
		return err
	}, func(store *trail.Store) (err error) {
		res, err = store.Report(ctx, opts.Name, opts.Scope)
		return err
	})
	if err != nil {
		return err
	}
	return res.Write(opts.IO.Out, opts.Output)
}
