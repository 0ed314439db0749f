// Package worldcmd implements `kmsim world`: import a world from AWS exports, validate and show worlds.
package worldcmd

import (
	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
)

// NewCmd builds `kmsim world` with its verbs.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "world",
		Short: "Import, validate and show worlds",
		Long: `A world is what a simulation starts from: accounts, IAM principals and policies, SCPs and KMS
keys with their key policies and aliases (docs/world.md).`,
	}
	cmd.AddCommand(NewCmdImport(f, nil), NewCmdValidate(f, nil), NewCmdShow(f, nil))
	return cmd
}
