package worldcmd

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/fixtures"
)

// ValidateOptions are the inputs of `kmsim world validate`.
type ValidateOptions struct {
	IO   *cmdutil.IOStreams
	File string
}

// NewCmdValidate builds `kmsim world validate`.
func NewCmdValidate(f *cmdutil.Factory, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a world file and the policy files it references",
		Long: `Load a world file as the simulator does: strict YAML, {file: ...} documents resolved, defaults
applied, every rule of docs/world.md checked. Every problem is listed with its path in the file;
the exit code is 1 when there is any.`,
		Example: `  $ kmsim world validate imported/world.yaml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return ValidateRun(opts)
		},
	}
	return cmd
}

// ValidateRun loads the world file and reports the outcome.
func ValidateRun(opts *ValidateOptions) error {
	w, err := fixtures.LoadFile(opts.File)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return cmdutil.FlagErrorf("%s: %v", opts.File, pe.Err)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(opts.IO.Out, "%s: world %q is valid: %d accounts, %d users, %d groups, %d roles, %d managed policies, %d SCPs, %d keys\n",
		opts.File, w.Name, len(w.Accounts), len(w.Users), len(w.Groups), len(w.Roles), len(w.Policies), len(w.SCPs), len(w.Keys))
	return err
}
