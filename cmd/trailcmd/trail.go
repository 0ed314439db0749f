// Package trailcmd implements `kmsim trail`: query, import, report on, detect in, export and prune CloudTrail events.
package trailcmd

import (
	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
)

// NewCmd builds `kmsim trail` with its verbs.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trail",
		Short: "Query, import, analyze and export CloudTrail events",
	}
	cmd.AddCommand(NewCmdQuery(f, nil), NewCmdImport(f, nil), NewCmdReport(f, nil), NewCmdDetect(f, nil),
		NewCmdExport(f, nil), NewCmdPrune(f, nil))
	return cmd
}
