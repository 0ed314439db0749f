// Package tuicmd implements `kmsim tui`: the terminal interface over a world and its trail.
package tuicmd

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/common"
)

// Options are the inputs of `kmsim tui`.
type Options struct {
	IO        *cmdutil.IOStreams
	LoadWorld func(path string) (*fixtures.World, error)
	DataDir   string
	WorldPath string
}

// NewCmd builds `kmsim tui`.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, LoadWorld: f.LoadWorld}
	cmd := &cobra.Command{
		Use:   "tui",
		Short: "Browse keys, policies, the trail, decisions and findings in the terminal",
		Long: `Open kmsim's terminal interface on a world and the simulator state and trail in DIR: the keys
as the simulator holds them (through the server holding DIR, or read from DIR; the world's while DIR
has no state), with their grants and rotation history, and those only the trail names, each key's
policy as JSON and as the Rego kmsim evaluates, the recorded CloudTrail
events (refreshed live while a server runs), decisions explained as by "kmsim simulate", who can use
a key, what a principal can do, the dry run of a key policy edit (saved on confirmation with a
PutKeyPolicy through the simulator: the server holding DIR, or one started on DIR), and lint findings
and detections. docs/tui.md lists the views and keys. NO_COLOR turns colours off.`,
		Example: `  $ kmsim tui
  $ kmsim tui --data /tmp/kms --world world.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.DataDir, "data", serve.DefaultDataDir, "data `DIR` holding kmsim.duckdb")
	cmd.Flags().StringVar(&opts.WorldPath, "world", "", "world `FILE` (default: the embedded demo world)")
	return cmd
}

// Run loads the world and runs the interface until it quits.
func Run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	w, err := opts.LoadWorld(opts.WorldPath)
	if err != nil {
		return err
	}
	common.ApplyColorProfile()
	m := tui.New(common.New(ctx), tui.NewService(w, opts.DataDir))
	_, err = tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx),
		tea.WithInput(opts.IO.In), tea.WithOutput(opts.IO.Out)).Run()
	return err
}
