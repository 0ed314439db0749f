package worldcmd

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
)

func TestNewCmdImport(t *testing.T) {
	cases := []struct {
		args    string
		want    ImportOptions
		wantErr string
	}{
		{
			args: "--gaad a.json --out w/world.yaml",
			want: ImportOptions{GAAD: []string{"a.json"}, Out: "w/world.yaml", Name: "imported"},
		},
		{
			args: "--gaad a.json --gaad b.json --keys k --key-policies kp --aliases al.json --grants g --scps s " +
				"--organization org.json --out w.yaml --credentials c.csv --seed 42 --name prod",
			want: ImportOptions{GAAD: []string{"a.json", "b.json"}, Keys: "k", KeyPolicies: "kp", Aliases: "al.json", Grants: "g",
				SCPs: "s", Organization: "org.json", Out: "w.yaml", Credentials: "c.csv", Seed: "42", Name: "prod"},
		},
		{args: "--out w.yaml", wantErr: "--gaad is required"},
		{args: "--gaad a.json", wantErr: "--out is required"},
	}
	for _, tc := range cases {
		t.Run(tc.args, func(t *testing.T) {
			f := &cmdutil.Factory{IO: &cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
			var got *ImportOptions
			cmd := NewCmdImport(f, func(o *ImportOptions) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tc.args))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tc.wantErr != "" {
				if !cmdutil.IsFlagError(err) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a usage error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO = nil
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("options %+v, want %+v", *got, tc.want)
			}
		})
	}
}

func TestNewCmdShow(t *testing.T) {
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
	cmd := NewCmdShow(f, func(*ShowOptions) error { return nil })
	cmd.SetArgs([]string{"--output", "xml"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); !cmdutil.IsFlagError(err) {
		t.Errorf("--output xml: %v, want a usage error", err)
	}
}
