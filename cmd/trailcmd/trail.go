// Package trailcmd implements `kmsim trail`: queries over the CloudTrail events kmsim stores.
package trailcmd

import (
	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
)

// NewCmd builds `kmsim trail` with its verbs.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trail",
		Short: "Query the CloudTrail events kmsim recorded",
	}
	cmd.AddCommand(NewCmdQuery(f, nil))
	return cmd
}
