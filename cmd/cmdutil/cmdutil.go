// Package cmdutil holds what every kmsim command shares: I/O streams, the world loader and exit codes.
package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
)

// ExitCode is a process exit status; the values are documented in docs/cli.md.
type ExitCode int

// Exit codes.
const (
	ExitOK       ExitCode = 0 // success
	ExitError    ExitCode = 1 // the command failed
	ExitUsage    ExitCode = 2 // bad flags or arguments
	ExitFindings ExitCode = 3 // an analysis found what it was asked to fail on
)

// IOStreams carries the command's input and output: data goes to Out, progress and warnings to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// System returns the process's standard streams.
func System() *IOStreams { return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr} }

// Factory builds the dependencies commands need, lazily; tests replace fields.
type Factory struct {
	IO *IOStreams
	// LoadWorld loads the world named by a --world flag value: a file path, or "" for the embedded demo world.
	LoadWorld func(path string) (*fixtures.World, error)
}

// NewFactory returns the factory the kmsim binary uses.
func NewFactory() *Factory {
	return &Factory{IO: System(), LoadWorld: LoadWorld}
}

// LoadWorld loads a world file, or the embedded default world when path is empty.
func LoadWorld(path string) (*fixtures.World, error) {
	if path == "" {
		return fixtures.Load(fixtures.Default())
	}
	return fixtures.LoadFile(path)
}

// WorldKey loads the world with load and finds in it the key ref names (key id, key ARN or alias),
// for the commands that analyse one key.
func WorldKey(load func(path string) (*fixtures.World, error), path, ref string) (*fixtures.World, *fixtures.Key, error) {
	w, err := load(path)
	if err != nil {
		return nil, nil, err
	}
	key, err := worldview.FindKey(w, ref, "", "")
	if err != nil {
		return nil, nil, err
	}
	return w, key, nil
}

// FlagError is a usage mistake: the root prints the command's usage and exits 2.
type FlagError struct{ err error }

func (e *FlagError) Error() string { return e.err.Error() }
func (e *FlagError) Unwrap() error { return e.err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{err: fmt.Errorf(format, args...)}
}

// IsFlagError reports whether err is a usage mistake.
func IsFlagError(err error) bool {
	var fe *FlagError
	return errors.As(err, &fe)
}

// OutputFormats are the --output values commands that print tables accept.
var OutputFormats = []string{"table", "json", "yaml", "csv"}

// CheckOutput validates an --output value.
func CheckOutput(format string) error {
	for _, f := range OutputFormats {
		if f == format {
			return nil
		}
	}
	return FlagErrorf("invalid --output %q: want one of table, json, yaml, csv", format)
}

// FindingsError says an analysis found what it was asked to fail on (the command already printed the
// findings): the root prints its message and exits with ExitFindings, so CI can tell it from a failure.
type FindingsError struct{ Msg string }

func (e *FindingsError) Error() string { return e.Msg }

// IsFindingsError reports whether err is a FindingsError.
func IsFindingsError(err error) bool {
	var fe *FindingsError
	return errors.As(err, &fe)
}
