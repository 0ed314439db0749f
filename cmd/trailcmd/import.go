package trailcmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/trail"
)

// ImportOptions are the inputs of `kmsim trail import`.
type ImportOptions struct {
	IO       *cmdutil.IOStreams
	DataDir  string
	Paths    []string
	Progress bool // draw a progress line on stderr (set when stderr is a terminal)
}

// NewCmdImport builds `kmsim trail import`.
func NewCmdImport(f *cmdutil.Factory, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import CloudTrail logs into the trail",
		Long: `Import CloudTrail records from files and directories into DIR/kmsim.duckdb.

Directories are walked for *.json, *.json.gz, *.jsonl(.gz) and *.ndjson(.gz), so CloudTrail's S3
delivery layout (AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json.gz) imports as
synced with "aws s3 sync"; CloudTrail-Digest and CloudTrail-Insight folders are skipped. A file
may be gzipped or not and hold {"Records":[...]}, a bare JSON array, JSON Lines, or the output of
"aws cloudtrail lookup-events". Records are stored exactly as they are in the file; records whose
eventID is already stored are skipped, so importing the same logs twice adds nothing.

A file that cannot be read lands nothing: the error names the file and the record index (0-based,
as in jq's .Records[N]); the other files are imported and the command exits 1. The database file
can have one writer: stop a "kmsim serve" that holds DIR first.`,
		Example: `  $ aws s3 sync s3://my-trail-bucket/AWSLogs ./logs/AWSLogs
  $ kmsim trail import ./logs
  $ kmsim trail import --data /tmp/kms events.jsonl lookup-events.json
  $ aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventSource,AttributeValue=kms.amazonaws.com > kms.json
  $ kmsim trail import kms.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			opts.Progress = isTerminal(f.IO.ErrOut)
			if runF != nil {
				return runF(opts)
			}
			return ImportRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.DataDir, "data", serve.DefaultDataDir, "data `DIR` holding kmsim.duckdb")
	return cmd
}

// ImportRun imports the paths and prints a summary.
func ImportRun(ctx context.Context, opts *ImportOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	store, err := openData(opts.DataDir, true)
	if err != nil {
		return err
	}
	defer store.Close()
	var iopts trail.ImportOptions
	if opts.Progress {
		last := time.Time{}
		iopts.Progress = func(p trail.ImportProgress) {
			if time.Since(last) < 200*time.Millisecond && p.Files < p.FilesTotal {
				return
			}
			last = time.Now()
			rate := float64(p.Records) / max(p.Elapsed.Seconds(), 0.001)
			fmt.Fprintf(opts.IO.ErrOut, "\r\033[Kimporting: %d/%d files, %d records, %.0f records/s", p.Files, p.FilesTotal, p.Records, rate)
		}
	}
	sum, err := store.Import(ctx, opts.Paths, iopts)
	if opts.Progress {
		fmt.Fprint(opts.IO.ErrOut, "\r\033[K")
	}
	for _, e := range sum.Errors {
		fmt.Fprintf(opts.IO.ErrOut, "error: %v\n", e)
	}
	fmt.Fprintf(opts.IO.Out, "%d files, %d records imported, %d duplicates skipped, %d errors (%s)\n",
		sum.Files, sum.Imported, sum.Duplicates, len(sum.Errors), sum.Elapsed.Round(time.Millisecond))
	if errors.Is(err, trail.ErrImportFailed) {
		return fmt.Errorf("%d of %d files could not be imported", len(sum.Errors), sum.Files)
	}
	return err
}
