// Package regocmd implements `kmsim rego`: the Rego that kmsim generates from policy documents.
package regocmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/rego"
)

// NewCmd builds `kmsim rego` with its verbs.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "rego", Short: "Show the Rego kmsim evaluates for AWS policy documents"}
	cmd.AddCommand(NewCmdTranslate(f, nil))
	cmd.AddCommand(NewCmdBundle(f, nil))
	return cmd
}

// TranslateOptions are the inputs of `kmsim rego translate`.
type TranslateOptions struct {
	IO    *cmdutil.IOStreams
	Kind  string
	Files []string
}

// NewCmdTranslate builds `kmsim rego translate`.
func NewCmdTranslate(f *cmdutil.Factory, runF func(*TranslateOptions) error) *cobra.Command {
	opts := &TranslateOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "translate FILE...",
		Short: "Print the Rego module generated from each policy file",
		Example: `  $ kmsim rego translate key-policy.json
  $ kmsim rego translate --kind identity iam-policy.json
  $ kmsim rego translate --kind vpce endpoint-policy.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			switch opts.Kind {
			case "key", "identity", "scp", "boundary", "session", "trust", "vpce":
			default:
				return cmdutil.FlagErrorf("invalid --kind %q: want key, identity, scp, boundary, session, trust or vpce", opts.Kind)
			}
			if runF != nil {
				return runF(opts)
			}
			return TranslateRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Kind, "kind", "key", "policy kind: key, identity, scp, boundary, session, trust or vpce (a VPC endpoint policy)")
	return cmd
}

// TranslateRun prints one module per file, in the order given.
func TranslateRun(opts *TranslateOptions) error {
	for i, path := range opts.Files {
		doc, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		module, err := rego.Translate(doc, opts.Kind, name)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if i > 0 {
			fmt.Fprintln(opts.IO.Out)
		}
		fmt.Fprint(opts.IO.Out, module)
	}
	return nil
}
