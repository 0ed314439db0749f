package trailcmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/trail"
)

// QueryOptions are the inputs of `kmsim trail query`.
type QueryOptions struct {
	IO      *cmdutil.IOStreams
	DataDir string
	Output  string
	SQL     string
}

// NewCmdQuery builds `kmsim trail query`.
func NewCmdQuery(f *cmdutil.Factory, runF func(*QueryOptions) error) *cobra.Command {
	opts := &QueryOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "Run SQL over the trail's events table",
		Long: `Run a SQL query (DuckDB dialect) over the events table of DIR/kmsim.duckdb.

While a server holds DIR, the query goes to it over its authenticated loopback admin endpoint
(DuckDB lets only one process open the file for writing); otherwise the file is opened directly,
after folding in any records left in the trail journal by a server that was killed.`,
		Example: `  $ kmsim trail query "SELECT eventTime, eventName, errorCode FROM events ORDER BY eventTime"
  $ kmsim trail query --output json "SELECT record FROM events WHERE errorCode = 'AccessDeniedException'"
  $ kmsim trail query --data /tmp/kms --output csv "SELECT principalArn, count(*) FROM events GROUP BY 1"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.SQL = args[0]
			if err := cmdutil.CheckOutput(opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return QueryRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.DataDir, "data", serve.DefaultDataDir, "data `DIR` holding kmsim.duckdb")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table, json, yaml or csv")
	return cmd
}

// QueryRun runs the query through a live server when one holds the directory, else directly.
func QueryRun(ctx context.Context, opts *QueryOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	res, err := Query(ctx, opts.DataDir, opts.SQL)
	if err != nil {
		return err
	}
	return res.Write(opts.IO.Out, opts.Output)
}

func queryFile(ctx context.Context, dir, sql string) (*trail.Result, error) {
	path := filepath.Join(dir, "kmsim.duckdb")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no trail in %s: %w", dir, err)
	}
	store, err := trail.Open(path)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	journal := filepath.Join(dir, "trail.journal")
	w, err := trail.NewWriter(store, journal)
	if err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return store.Query(ctx, sql)
}
