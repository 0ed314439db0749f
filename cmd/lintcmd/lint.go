// Package lintcmd implements `kmsim lint`: check key policies and IAM policies for mistakes and risky access.
package lintcmd

import (
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/evaluator/lint"
	"github.com/kmsim/kmsim/fixtures"
)

// Output formats of `kmsim lint`.
var outputs = []string{"text", "json", "sarif"}

// Options are the inputs of `kmsim lint`.
type Options struct {
	IO *cmdutil.IOStreams
	// LoadWorld loads the --world file.
	LoadWorld func(path string) (*fixtures.World, error)

	Paths  []string
	Kind   lint.Kind
	Output string
	FailOn lint.Severity
	World  string // world file, or the name of an embedded world; "" for none
}

// NewCmd builds `kmsim lint`.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, LoadWorld: f.LoadWorld}
	var kind, failOn string
	cmd := &cobra.Command{
		Use:   "lint [flags] PATH...",
		Short: "Check key policies and IAM policies for mistakes and risky access",
		Long: `Check AWS KMS key policies and IAM policies and print findings with stable codes (KMS001...),
each with a severity (ERROR, SECURITY_WARNING, WARNING, SUGGESTION) and the line and column of the
offending element. docs/lint.md describes every code.

PATH is a policy JSON file, a CloudFormation template (JSON or YAML; the KeyPolicy of every
AWS::KMS::Key), the output of "terraform show -json" (aws_kms_key and aws_kms_key_policy
policies), or a directory, searched for *.json, *.yaml, *.yml and *.template files.

--kind auto (the default) reads a document whose statements name a Principal as a key policy and
any other as an identity policy. --world adds checks against a world file: principals and accounts
that do not exist there.

Exit status: 0 when no finding reaches --fail-on (default error), 3 when one does, 2 for usage
mistakes and unreadable files, 1 for other failures.`,
		Example: `  $ kmsim lint key-policy.json
  $ kmsim lint --output sarif key-policies/ > lint.sarif
  $ kmsim lint --fail-on security template.yaml plan.json
  $ kmsim lint --world world.yaml --kind key policies/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.FlagErrorf("lint needs at least one PATH")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if !slices.Contains(lint.Kinds, lint.Kind(kind)) {
				return cmdutil.FlagErrorf("invalid --kind %q: want key, identity, scp or auto", kind)
			}
			opts.Kind = lint.Kind(kind)
			if !slices.Contains(outputs, opts.Output) {
				return cmdutil.FlagErrorf("invalid --output %q: want text, json or sarif", opts.Output)
			}
			sev, err := lint.ParseSeverity(failOn)
			if err != nil {
				return cmdutil.FlagErrorf("invalid --fail-on %q: want error, security, warning or suggestion", failOn)
			}
			opts.FailOn = sev
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", string(lint.KindAuto), "policy `KIND`: key, identity, scp or auto")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output `FORMAT`: text, json or sarif")
	cmd.Flags().StringVar(&failOn, "fail-on", "error", "exit 3 if a finding has this `SEVERITY` or higher: error, security, warning, suggestion")
	cmd.Flags().StringVar(&opts.World, "world", "", "check principals and accounts against the world in `FILE`")
	return cmd
}

// Run lints the paths and prints the findings.
func Run(opts *Options) error {
	lopts := []lint.Option{lint.WithKind(opts.Kind)}
	if opts.World != "" {
		w, err := loadWorld(opts)
		if err != nil {
			return cmdutil.FlagErrorf("--world: %v", err)
		}
		lopts = append(lopts, lint.WithWorld(w))
	}
	files, err := lint.Files(opts.Paths)
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	l := lint.New(lopts...)
	var findings []lint.Finding
	for _, file := range files {
		fs, err := l.LintFile(file)
		if err != nil {
			return cmdutil.FlagErrorf("%v", err)
		}
		findings = append(findings, fs...)
	}
	lint.Sort(findings)

	switch opts.Output {
	case "json":
		err = lint.WriteJSON(opts.IO.Out, findings)
	case "sarif":
		err = lint.WriteSARIF(opts.IO.Out, findings, "")
	default:
		err = lint.WriteText(opts.IO.Out, findings)
	}
	if err != nil {
		return err
	}
	if failing := count(findings, opts.FailOn); failing > 0 {
		return &cmdutil.FindingsError{Msg: fmt.Sprintf("%d finding(s) at or above %s", failing, opts.FailOn)}
	}
	return nil
}

// loadWorld reads the --world file; a name that is not a file but names an embedded world loads that.
func loadWorld(opts *Options) (*fixtures.World, error) {
	if _, err := os.Stat(opts.World); err != nil && slices.Contains(fixtures.Names(), opts.World) {
		return fixtures.Load(opts.World)
	}
	load := opts.LoadWorld
	if load == nil {
		load = fixtures.LoadFile
	}
	return load(opts.World)
}

func count(fs []lint.Finding, min lint.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity.Rank() >= min.Rank() {
			n++
		}
	}
	return n
}
