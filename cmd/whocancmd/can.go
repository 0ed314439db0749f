package whocancmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
)

// CanOptions are the inputs of `kmsim can`.
type CanOptions struct {
	IO        *cmdutil.IOStreams
	LoadWorld func(string) (*fixtures.World, error)
	WorldPath string
	Principal string
	Key       string
	Output    string
}

// NewCmdCan builds `kmsim can`.
func NewCmdCan(f *cmdutil.Factory, runF func(*CanOptions) error) *cobra.Command {
	opts := &CanOptions{IO: f.IO, LoadWorld: f.LoadWorld}
	cmd := &cobra.Command{
		Use:   "can PRINCIPAL",
		Short: "List the keys and key actions a principal can use, with the conditions",
		Long: `List, for every key of the world (or only --key), the KMS key actions PRINCIPAL can perform,
with the path and the conditions on the request, as who-can computes them. PRINCIPAL is a
user, role, role session or account root ARN of the world, or a service principal.`,
		Example: `  $ kmsim can arn:aws:iam::111122223333:role/EncryptionApp
  $ kmsim can arn:aws:iam::444455556666:role/PartnerDecryptRole --key alias/partner-shared --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Principal = args[0]
			if opts.Output != "table" && opts.Output != "json" {
				return cmdutil.FlagErrorf("invalid --output %q: want table or json", opts.Output)
			}
			if runF != nil {
				return runF(opts)
			}
			return CanRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.WorldPath, "world", "", "world `FILE` (default: the embedded demo world)")
	cmd.Flags().StringVar(&opts.Key, "key", "", "only this `KEY` (key id, key ARN or alias)")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

// CanRun answers and prints.
func CanRun(ctx context.Context, opts *CanOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	w, err := opts.LoadWorld(opts.WorldPath)
	if err != nil {
		return err
	}
	var key *fixtures.Key
	if opts.Key != "" {
		if key, err = worldview.FindKey(w, opts.Key, "", ""); err != nil {
			return err
		}
	}
	caps, err := analysis.New(w).Can(ctx, opts.Principal, key)
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		if caps == nil {
			caps = []analysis.Capability{}
		}
		return writeJSON(opts.IO.Out, caps)
	}
	acc := make([]analysis.Access, len(caps))
	for i, c := range caps {
		acc[i] = c.Access
	}
	WriteTable(opts.IO.Out, acc, true)
	return nil
}
