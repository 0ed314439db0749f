package whocancmd

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
)

func testFactory() *cmdutil.Factory {
	return &cmdutil.Factory{IO: &cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, LoadWorld: cmdutil.LoadWorld}
}

func TestNewCmd(t *testing.T) {
	cases := []struct {
		args    []string
		wantErr bool
		check   func(*Options) bool
	}{
		{[]string{"decrypt", "alias/app-data"}, false, func(o *Options) bool {
			return o.Action == "kms:Decrypt" && o.Key == "alias/app-data" && o.Output == "table"
		}},
		{[]string{"kms:Encrypt", "k", "--all", "-o", "json", "--world", "w.yaml"}, false, func(o *Options) bool { return o.All && o.Output == "json" && o.WorldPath == "w.yaml" }},
		{[]string{"decrypt"}, true, nil},
		{[]string{"decrypt", "k", "--output", "yaml"}, true, nil},
	}
	for _, tc := range cases {
		var got *Options
		cmd := NewCmd(testFactory(), func(o *Options) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		err := cmd.Execute()
		if tc.wantErr {
			if err == nil {
				t.Errorf("%v: want an error", tc.args)
			}
			continue
		}
		if err != nil || !tc.check(got) {
			t.Errorf("%v: %v, options %+v", tc.args, err, got)
		}
	}
}

func TestNewCmdCan(t *testing.T) {
	var got *CanOptions
	cmd := NewCmdCan(testFactory(), func(o *CanOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"arn:aws:iam::111122223333:user/admin", "--key", "alias/app-data"})
	if err := cmd.Execute(); err != nil || got.Principal != "arn:aws:iam::111122223333:user/admin" || got.Key != "alias/app-data" {
		t.Fatalf("%v %+v", err, got)
	}
	cmd = NewCmdCan(testFactory(), func(o *CanOptions) error { return nil })
	cmd.SetArgs([]string{})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err == nil {
		t.Fatal("can without a principal accepted")
	}
}

// TestRunDemo: on the demo world, the EncryptionApp role can decrypt with alias/app-data through
// the key policy; the developer cannot, and shows up only with --all.
func TestRunDemo(t *testing.T) {
	run := func(all bool) []map[string]any {
		t.Helper()
		var out bytes.Buffer
		err := Run(context.Background(), &Options{IO: &cmdutil.IOStreams{Out: &out}, LoadWorld: cmdutil.LoadWorld,
			Action: "kms:Decrypt", Key: "alias/app-data", All: all, Output: "json"})
		if err != nil {
			t.Fatal(err)
		}
		var acc []map[string]any
		if err := json.Unmarshal(out.Bytes(), &acc); err != nil {
			t.Fatalf("%v: %s", err, out.String())
		}
		return acc
	}
	find := func(acc []map[string]any, principal string) map[string]any {
		for _, a := range acc {
			if p, _ := a["principal"].(string); strings.EqualFold(p, principal) {
				return a
			}
		}
		return nil
	}
	allowed := run(false)
	if find(allowed, "arn:aws:iam::111122223333:role/EncryptionApp") == nil {
		t.Fatalf("EncryptionApp missing from %v", allowed)
	}
	if find(allowed, "arn:aws:iam::111122223333:user/developer") != nil {
		t.Fatal("the developer can decrypt?")
	}
	if find(run(true), "arn:aws:iam::111122223333:user/developer") == nil {
		t.Fatal("--all does not list the developer")
	}
}
