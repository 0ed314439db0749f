// Package clockcmd implements `kmsim clock`: read and advance the running simulator's clock.
package clockcmd

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/simulator"
)

// Options are the inputs of `kmsim clock`.
type Options struct {
	IO      *cmdutil.IOStreams
	DataDir string
	Advance string // a duration: 90m, 36h, 30d, 1d12h
	Set     string // RFC 3339
}

// NewCmd builds `kmsim clock`.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "clock",
		Short: "Show or advance the simulated clock of the running server",
		Long: `The simulator keeps its own clock, which only moves forward. Advancing it runs what AWS KMS would
have done meanwhile: keys whose deletion waiting period ended are deleted (a DeleteKey event),
keys due for automatic rotation are rotated (RotateKey events). The clock survives restarts.`,
		Example: `  $ kmsim clock
  $ kmsim clock --advance 30d
  $ kmsim clock --set 2027-01-01T00:00:00Z`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Advance != "" && opts.Set != "" {
				return cmdutil.FlagErrorf("--advance and --set cannot be used together")
			}
			if opts.Advance != "" {
				if _, err := ParseDuration(opts.Advance); err != nil {
					return cmdutil.FlagErrorf("invalid --advance: %v", err)
				}
			}
			if opts.Set != "" {
				if _, err := time.Parse(time.RFC3339, opts.Set); err != nil {
					return cmdutil.FlagErrorf("invalid --set: want RFC 3339, like 2027-01-01T00:00:00Z")
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.DataDir, "data", serve.DefaultDataDir, "data `DIR` of the running server")
	cmd.Flags().StringVar(&opts.Advance, "advance", "", "move the clock forward by `DURATION` (90m, 36h, 30d)")
	cmd.Flags().StringVar(&opts.Set, "set", "", "move the clock forward to `TIME` (RFC 3339)")
	return cmd
}

// Run talks to the server that holds the data directory.
func Run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	info, ok := serve.ReadServerInfo(opts.DataDir)
	if !ok {
		return fmt.Errorf("no kmsim server holds %s: start `kmsim serve --data %s` first", opts.DataDir, opts.DataDir)
	}
	var req *simulator.ClockRequest
	switch {
	case opts.Advance != "":
		d, _ := ParseDuration(opts.Advance)
		req = &simulator.ClockRequest{Advance: d.String()}
	case opts.Set != "":
		req = &simulator.ClockRequest{Set: opts.Set}
	}
	now, err := serve.ClockServer(ctx, info, req)
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.IO.Out, now.UTC().Format(time.RFC3339))
	return nil
}

// ParseDuration reads a Go duration that may also use whole days ("30d", "1d12h").
func ParseDuration(s string) (time.Duration, error) {
	days := time.Duration(0)
	if i := strings.Index(s, "d"); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d+days < 0 {
		return 0, fmt.Errorf("%q is negative: the clock only moves forward", s)
	}
	return d + days, nil
}
