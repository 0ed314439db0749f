package trailcmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/trail"
)

// PruneOptions are the inputs of `kmsim trail prune`.
type PruneOptions struct {
	IO      *cmdutil.IOStreams
	Now     func() time.Time
	DataDir string
	Before  time.Time
}

// NewCmdPrune builds `kmsim trail prune`.
func NewCmdPrune(f *cmdutil.Factory, runF func(*PruneOptions) error) *cobra.Command {
	opts := &PruneOptions{IO: f.IO, Now: nowFunc}
	var before string
	cmd := &cobra.Command{
		Use:   "prune --before DATE",
		Short: "Delete events older than a date",
		Long: `Delete the events of DIR/kmsim.duckdb whose eventTime is before --before: a date (midnight UTC),
an RFC 3339 time, or an age such as 90d (now minus 90 days). Prints how many were deleted.
While a server holds DIR, the server deletes them (over its authenticated loopback admin endpoint).`,
		Example: `  $ kmsim trail prune --before 2024-01-01
  $ kmsim trail prune --before 90d`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if before == "" {
				return cmdutil.FlagErrorf("--before is required")
			}
			t, err := parseTime(before)
			if err != nil {
				d, aerr := parseAge(before)
				if aerr != nil {
					return cmdutil.FlagErrorf("invalid --before %q: want a date, an RFC 3339 time or an age (90d)", before)
				}
				t = opts.Now().Add(-d)
			}
			opts.Before = t.UTC()
			if runF != nil {
				return runF(opts)
			}
			return PruneRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.DataDir, "data", serve.DefaultDataDir, "data `DIR` holding kmsim.duckdb")
	cmd.Flags().StringVar(&before, "before", "", "delete events before `DATE`")
	return cmd
}

// PruneRun deletes the old events and prints how many.
func PruneRun(ctx context.Context, opts *PruneOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var n int64
	err := withTrail(opts.DataDir, func(info serve.ServerInfo) (err error) {
		n, err = serve.PruneServer(ctx, info, opts.Before)
		return err
	}, func(store *trail.Store) (err error) {
		n, err = store.Prune(ctx, opts.Before)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "deleted %d events before %s\n", n, opts.Before.Format(time.RFC3339))
	return nil
}
