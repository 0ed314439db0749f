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

// DetectOptions are the inputs of `kmsim trail detect`.
type DetectOptions struct {
	IO       *cmdutil.IOStreams
	Now      func() time.Time
	DataDir  string
	RulesDir string
	FailOn   trail.Severity // 0: never fail on findings
	Scope    trail.Scope
	Output   string
}

// NewCmdDetect builds `kmsim trail detect`.
func NewCmdDetect(f *cmdutil.Factory, runF func(*DetectOptions) error) *cobra.Command {
	opts := &DetectOptions{IO: f.IO, Now: nowFunc}
	var sf scopeFlags
	var failOn string
	cmd := &cobra.Command{
		Use:   "detect",
		Short: "Run detection rules over the trail",
		Long: `Run the detection rules over the events in DIR/kmsim.duckdb and print their findings, most
severe first: severity, rule, title, principal, key, count, first and last time, matching eventIDs.

Rules are data: each is one SQL file with a YAML header in "--" comment lines (id, title, severity:
low|medium|high|critical, description) and a query over the relation "scope" (the events the scope
flags select) returning principal, key, count, first_seen, last_seen and event_ids. --rules DIR adds
DIR/*.sql to the built-in rules (trail/rules/).

With --fail-on, the command exits 3 when a finding at or above that severity exists, so CI can tell
"violations found" from "the tool failed" (exit 1).
While a server holds DIR, the rules run in it, over its authenticated loopback admin endpoint.`,
		Example: `  $ kmsim trail detect
  $ kmsim trail detect --fail-on high --since 1d
  $ kmsim trail detect --rules ./my-rules --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(opts.Output); err != nil {
				return err
			}
			if failOn != "" {
				sev, err := trail.ParseSeverity(failOn)
				if err != nil {
					return cmdutil.FlagErrorf("invalid --fail-on %q: want low, medium, high or critical", failOn)
				}
				opts.FailOn = sev
			}
			sc, err := sf.scope(opts.Now())
			if err != nil {
				return err
			}
			opts.Scope = sc
			if runF != nil {
				return runF(opts)
			}
			return DetectRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.DataDir, "data", serve.DefaultDataDir, "data `DIR` holding kmsim.duckdb")
	cmd.Flags().StringVar(&opts.RulesDir, "rules", "", "also run the rules in `DIR`/*.sql")
	cmd.Flags().StringVar(&failOn, "fail-on", "", "exit 3 if a finding has this `SEVERITY` or higher: low, medium, high, critical")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table, json, yaml or csv")
	sf.register(cmd)
	return cmd
}

// DetectRun runs the rules and prints the findings.
func DetectRun(ctx context.Context, opts *DetectOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	rules, err := trail.BuiltinRules()
	if err != nil {
		return err
	}
	if opts.RulesDir != "" {
		more, err := trail.LoadRules(opts.RulesDir)
		if err != nil {
			return err
		}
		rules = append(rules, more...)
	}
	findings, err := detect(ctx, opts.DataDir, rules, opts.Scope)
	if err != nil {
		return err
	}
	if err := trail.FindingsResult(findings).Write(opts.IO.Out, opts.Output); err != nil {
		return err
	}
	if opts.FailOn == 0 {
		return nil
	}
	n := 0
	for _, f := range findings {
		if f.Severity >= opts.FailOn {
			n++
		}
	}
	if n > 0 {
		return &cmdutil.FindingsError{Msg: fmt.Sprintf("%d findings at or above %s", n, opts.FailOn)}
	}
	return nil
}
