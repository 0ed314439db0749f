package worldcmd

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/fixtures/importer"
)

// ImportOptions are the inputs of `kmsim world import`.
type ImportOptions struct {
	IO *cmdutil.IOStreams

	GAAD         []string
	KeyPolicies  string
	Grants       string
	Keys         string
	Aliases      string
	SCPs         string
	Organization string
	Out          string
	Credentials  string
	Seed         string
	Name         string
}

// NewCmdImport builds `kmsim world import`.
func NewCmdImport(f *cmdutil.Factory, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "import --gaad FILE --out world.yaml",
		Short: "Build a world from AWS exports of IAM, KMS and Organizations",
		Long: `Build a world from what the AWS CLI exports of a real account: IAM authorization details,
KMS key metadata, key policies, aliases and grants, and Organizations SCPs.

Every user gets a fresh simulated access key and every role a session named "imported"
(exports hold no secrets); --credentials lists them as CSV. --seed makes them, and so the whole
output, reproducible. Documents longer than 400 bytes are written to policies/ next to the world
file; grants go on their keys in the world (a grant whose key was not imported is skipped), so
the simulator starts with them and who-can counts them. A summary on standard error
counts what was imported and lists what was skipped and why. docs/world.md describes each export
and its file naming.`,
		Example: `  $ aws iam get-account-authorization-details > gaad.json
  $ kmsim world import --gaad gaad.json --out imported/world.yaml
  $ kmsim world import --gaad prod.json --gaad dev.json --keys keys/ --key-policies key-policies/ \
      --aliases aliases.json --scps scps/ --organization org.json \
      --out imported/world.yaml --credentials imported/creds.csv --seed demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(opts.GAAD) == 0 {
				return cmdutil.FlagErrorf("--gaad is required: the output of `aws iam get-account-authorization-details`")
			}
			if opts.Out == "" {
				return cmdutil.FlagErrorf("--out is required: the world file to write")
			}
			if runF != nil {
				return runF(opts)
			}
			return ImportRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.GAAD, "gaad", nil, "`FILE` or directory of `aws iam get-account-authorization-details` output (repeatable, one per account)")
	fl.StringVar(&opts.Keys, "keys", "", "`FILE` or directory of `aws kms describe-key` outputs (or a JSON array of them)")
	fl.StringVar(&opts.KeyPolicies, "key-policies", "", "`DIR` of `aws kms get-key-policy` outputs or raw key policies, named KEY-ID.json")
	fl.StringVar(&opts.Aliases, "aliases", "", "`FILE` or directory of `aws kms list-aliases` outputs")
	fl.StringVar(&opts.Grants, "grants", "", "`DIR` of `aws kms list-grants` outputs")
	fl.StringVar(&opts.SCPs, "scps", "", "`DIR` of `aws organizations describe-policy` outputs NAME.json with targets in NAME.targets.json")
	fl.StringVar(&opts.Organization, "organization", "", "`FILE`: describe-organization merged with list-accounts (and Parents)")
	fl.StringVar(&opts.Out, "out", "", "world `FILE` to write (policies/ go next to it)")
	fl.StringVar(&opts.Credentials, "credentials", "", "write the simulated credentials as CSV to `FILE`")
	fl.StringVar(&opts.Seed, "seed", "", "mint credentials from `SEED` (reproducible output) instead of at random")
	fl.StringVar(&opts.Name, "name", importer.DefaultName, "world `NAME`")
	return cmd
}

// ImportRun imports the exports and writes the world, its files and the credentials.
func ImportRun(opts *ImportOptions) error {
	in := importer.Options{
		Name: opts.Name, GAAD: opts.GAAD, Keys: opts.Keys, KeyPolicies: opts.KeyPolicies, Aliases: opts.Aliases,
		Grants: opts.Grants, SCPs: opts.SCPs, Organization: opts.Organization,
	}
	if opts.Seed != "" {
		in.Rand = rand.NewChaCha8(sha256.Sum256([]byte(opts.Seed)))
	}
	res, err := importer.Import(in)
	var ie *importer.InputError
	if errors.As(err, &ie) {
		return cmdutil.FlagErrorf("%w", err)
	}
	if err != nil {
		return err
	}
	if err := res.Write(opts.Out); err != nil {
		return err
	}
	if opts.Credentials != "" {
		if err := writeCredentials(res, opts.Credentials); err != nil {
			return err
		}
	}
	if err := res.Summary.Write(opts.IO.ErrOut); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "wrote %s", opts.Out)
	switch n := len(res.Files); n {
	case 0:
	case 1:
		fmt.Fprintf(opts.IO.ErrOut, " and 1 file next to it in %s", filepath.Dir(opts.Out))
	default:
		fmt.Fprintf(opts.IO.ErrOut, " and %d files next to it in %s", n, filepath.Dir(opts.Out))
	}
	if opts.Credentials != "" {
		fmt.Fprintf(opts.IO.ErrOut, "; credentials in %s", opts.Credentials)
	}
	fmt.Fprintln(opts.IO.ErrOut)
	return nil
}

// writeCredentials writes the CSV readable by its owner only: the simulator accepts these keys.
func writeCredentials(res *importer.Result, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := res.WriteCredentials(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
