package lintcmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/lintcmd"
	"github.com/kmsim/kmsim/cmd/root"
	"github.com/kmsim/kmsim/evaluator/lint"
)

var testdata = filepath.Join("..", "..", "evaluator", "lint", "testdata")

func testFactory() (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	out, errOut := &bytes.Buffer{}, &bytes.Buffer{}
	return &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}, LoadWorld: cmdutil.LoadWorld}, out, errOut
}

func TestNewCmd(t *testing.T) {
	tests := []struct {
		args    string
		want    lintcmd.Options
		wantErr string
	}{
		{args: "p.json", want: lintcmd.Options{Paths: []string{"p.json"}, Kind: lint.KindAuto, Output: "text", FailOn: lint.SeverityError}},
		{args: "--kind key --output sarif --fail-on security --world w.yaml a b", want: lintcmd.Options{Paths: []string{"a", "b"}, Kind: lint.KindKey, Output: "sarif", FailOn: lint.SeveritySecurity, World: "w.yaml"}},
		{args: "-o json --fail-on suggestion --kind identity d/", want: lintcmd.Options{Paths: []string{"d/"}, Kind: lint.KindIdentity, Output: "json", FailOn: lint.SeveritySuggestion}},
		{args: "", wantErr: "at least one PATH"},
		{args: "--kind trust p.json", wantErr: "invalid --kind"},
		{args: "--output table p.json", wantErr: "invalid --output"},
		{args: "--fail-on info p.json", wantErr: "invalid --fail-on"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			f, _, _ := testFactory()
			var got *lintcmd.Options
			cmd := lintcmd.NewCmd(f, func(o *lintcmd.Options) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !cmdutil.IsFlagError(err) {
					t.Fatalf("err = %v, want a FlagError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got.Paths, " ") != strings.Join(tt.want.Paths, " ") || got.Kind != tt.want.Kind ||
				got.Output != tt.want.Output || got.FailOn != tt.want.FailOn || got.World != tt.want.World {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

// TestExitCodes runs the verb through the root command, which decides the exit code.
func TestExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		want       cmdutil.ExitCode
		wantOut    string
		wantErrOut string
	}{
		{"clean", []string{"lint", filepath.Join(testdata, "clean-console-default.json")}, cmdutil.ExitOK, "", ""},
		{"error finding", []string{"lint", filepath.Join(testdata, "KMS004-unknown-action.json")}, cmdutil.ExitFindings, "ERROR KMS004", "finding(s) at or above ERROR"},
		{"security below default fail-on", []string{"lint", filepath.Join(testdata, "KMS010-public.json")}, cmdutil.ExitOK, "SECURITY_WARNING KMS010", ""},
		{"security at fail-on security", []string{"lint", "--fail-on", "security", filepath.Join(testdata, "KMS010-public.json")}, cmdutil.ExitFindings, "KMS010", ""},
		{"suggestion below fail-on warning", []string{"lint", "--fail-on", "warning", filepath.Join(testdata, "KMS018-redundant.json")}, cmdutil.ExitOK, "SUGGESTION KMS018", ""},
		{"unreadable file", []string{"lint", filepath.Join(testdata, "no-such-file.json")}, cmdutil.ExitUsage, "", "no such file"},
		{"bad flag", []string{"lint", "--output", "xml", "p.json"}, cmdutil.ExitUsage, "", "invalid --output"},
		{"world by name", []string{"lint", "--world", "demo", filepath.Join(testdata, "KMS020-world-unknown-principal.json")}, cmdutil.ExitOK, "KMS020", ""},
		{"missing world", []string{"lint", "--world", "nope.yaml", filepath.Join(testdata, "clean-console-default.json")}, cmdutil.ExitUsage, "", "--world"},
		{"directory", []string{"lint", "--fail-on", "suggestion", filepath.Join("..", "..", "fixtures", "worlds", "demo", "policies")}, cmdutil.ExitFindings, "partner-shared.key-policy.json:58:16: SECURITY_WARNING KMS011", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testFactory()
			got := root.Execute(context.Background(), f, tt.args)
			if got != tt.want {
				t.Errorf("exit = %d, want %d\nstdout:\n%s\nstderr:\n%s", got, tt.want, out, errOut)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, out)
			}
			if !strings.Contains(errOut.String(), tt.wantErrOut) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErrOut, errOut)
			}
		})
	}
}

func TestOutputs(t *testing.T) {
	file := filepath.Join(testdata, "KMS004-unknown-action.json")
	for _, format := range []string{"json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			f, out, _ := testFactory()
			err := lintcmd.Run(&lintcmd.Options{IO: f.IO, Paths: []string{file}, Kind: lint.KindAuto, Output: format, FailOn: lint.SeverityError})
			if !cmdutil.IsFindingsError(err) {
				t.Errorf("err = %v, want a FindingsError", err)
			}
			var v any
			if err := json.Unmarshal(out.Bytes(), &v); err != nil {
				t.Fatalf("%s output is not JSON: %v\n%s", format, err, out)
			}
			if !strings.Contains(out.String(), `"KMS004"`) {
				t.Errorf("output lacks KMS004:\n%s", out)
			}
		})
	}
}
