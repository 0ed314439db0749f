// Package root assembles the kmsim command tree and maps its outcome to an exit code.
package root

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/clockcmd"
	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/diffcmd"
	"github.com/kmsim/kmsim/cmd/lintcmd"
	"github.com/kmsim/kmsim/cmd/regocmd"
	"github.com/kmsim/kmsim/cmd/replaycmd"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/cmd/simulatecmd"
	"github.com/kmsim/kmsim/cmd/trailcmd"
	"github.com/kmsim/kmsim/cmd/tuicmd"
	"github.com/kmsim/kmsim/cmd/whocancmd"
	"github.com/kmsim/kmsim/cmd/worldcmd"
)

// NewCmd builds the root command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kmsim",
		Short: "AWS KMS simulator, policy engine and CloudTrail analyzer",
		Long: `kmsim runs a full AWS KMS that real AWS clients call, authorizes every call with the key
policy and IAM policies (translated to Rego and evaluated with OPA), and records every call as a
CloudTrail event in DuckDB.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.AddCommand(
		serve.NewCmd(f, nil), clockcmd.NewCmd(f, nil), trailcmd.NewCmd(f), simulatecmd.NewCmd(f, nil),
		lintcmd.NewCmd(f, nil), regocmd.NewCmd(f), worldcmd.NewCmd(f), tuicmd.NewCmd(f, nil),
		whocancmd.NewCmd(f, nil), whocancmd.NewCmdCan(f, nil), diffcmd.NewCmd(f, nil), replaycmd.NewCmd(f, nil),
	)
	return cmd
}

// Main runs kmsim with the process's arguments and returns its exit code.
func Main() cmdutil.ExitCode {
	f := cmdutil.NewFactory()
	return Execute(context.Background(), f, os.Args[1:])
}

// Execute runs the command tree on args and decides the exit code in one place.
func Execute(ctx context.Context, f *cmdutil.Factory, args []string) cmdutil.ExitCode {
	cmd := NewCmd(f)
	cmd.SetArgs(args)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return cmdutil.FlagErrorf("%s", err) })
	c, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	fmt.Fprintln(f.IO.ErrOut, "kmsim:", err)
	if cmdutil.IsFlagError(err) || isArgError(err) {
		fmt.Fprintln(f.IO.ErrOut)
		fmt.Fprint(f.IO.ErrOut, c.UsageString())
		return cmdutil.ExitUsage
	}
	if cmdutil.IsFindingsError(err) {
		return cmdutil.ExitFindings
	}
	return cmdutil.ExitError
}
