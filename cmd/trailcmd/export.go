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

// ExportOptions are the inputs of `kmsim trail export`.
type ExportOptions struct {
	IO      *cmdutil.IOStreams
	Now     func() time.Time
	DataDir string
	OutDir  string
	Format  string
	Scope   trail.Scope
}

// NewCmdExport builds `kmsim trail export`.
func NewCmdExport(f *cmdutil.Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{IO: f.IO, Now: nowFunc}
	var sf scopeFlags
	cmd := &cobra.Command{
		Use:   "export --out DIR",
		Short: "Export the trail as CloudTrail logs, JSON Lines or Parquet",
		Long: `Export the events of DIR/kmsim.duckdb (narrowed by the scope flags) under --out:

  cloudtrail  CloudTrail's S3 delivery layout: AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
              ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_<16 random>.json.gz, one gzip {"Records":[...]}
              file per account, region and 5-minute window; any CloudTrail tool reads it, and so
              does "kmsim trail import"
  jsonl       events.jsonl, one record per line
  parquet     Hive-partitioned Parquet (account=/region=/year=/month=/day=) for Athena, Trino,
              Spark or DuckDB; the table definition is in docs/trail.md
While a server holds DIR, the server writes the export (over its authenticated loopback admin
endpoint), so --out must be a directory it can write.`,
		Example: `  $ kmsim trail export --out ./export --format cloudtrail
  $ kmsim trail export --out ./lake --format parquet --since 30d
  $ kmsim trail export --out . --format jsonl --key 1234abcd-12ab-34cd-56ef-1234567890ab`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.OutDir == "" {
				return cmdutil.FlagErrorf("--out is required")
			}
			ok := false
			for _, f := range trail.ExportFormats {
				ok = ok || f == opts.Format
			}
			if !ok {
				return cmdutil.FlagErrorf("invalid --format %q: want one of %s", opts.Format, strings.Join(trail.ExportFormats, ", "))
			}
			sc, err := sf.scope(opts.Now())
			if err != nil {
				return err
			}
			opts.Scope = sc
			if runF != nil {
				return runF(opts)
			}
			return ExportRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.DataDir, "data", serve.DefaultDataDir, "data `DIR` holding kmsim.duckdb")
	cmd.Flags().StringVar(&opts.OutDir, "out", "", "write under `DIR` (created if needed)")
	cmd.Flags().StringVar(&opts.Format, "format", trail.ExportCloudTrail, "`FORMAT`: cloudtrail, jsonl or parquet")
	sf.register(cmd)
	return cmd
}

// ExportRun exports and prints what it wrote.
func ExportRun(ctx context.Context, opts *ExportOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var sum trail.ExportSummary
	err := withTrail(opts.DataDir, func(info serve.ServerInfo) (err error) {
		sum, err = serve.ExportServer(ctx, info, opts.OutDir, opts.Format, opts.Scope)
		return err
	}, func(store *trail.Store) (err error) {
		sum, err = store.Export(ctx, opts.OutDir, trail.ExportOptions{Format: opts.Format, Scope: opts.Scope})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "exported %d records to %d files under %s\n", sum.Records, sum.Files, opts.OutDir)
	return nil
}
