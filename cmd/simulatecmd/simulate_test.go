package simulatecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/evaluator"
)

func TestNewCmd(t *testing.T) {
	cases := []struct {
		args    []string
		wantErr bool
		check   func(*Options) bool
	}{
		{[]string{"--principal", "p", "--action", "Decrypt", "--resource", "alias/x"}, false, func(o *Options) bool { return o.Action == "kms:Decrypt" && o.Output == "text" }},
		{[]string{"--principal", "p", "--action", "kms:Encrypt", "--resource", "k", "--context", "a=1", "--context", "a=2"}, false, func(o *Options) bool { return len(o.Context) == 2 }},
		{[]string{"--action", "kms:Encrypt", "--resource", "k"}, true, nil},
		{[]string{"--principal", "p", "--action", "kms:Encrypt", "--resource", "k", "--context", "novalue"}, true, nil},
		{[]string{"--principal", "p", "--action", "kms:Encrypt", "--resource", "k", "--output", "yaml"}, true, nil},
	}
	for _, tc := range cases {
		got, err := parseFlags(tc.args)
		if tc.wantErr {
			if !cmdutil.IsFlagError(err) {
				t.Errorf("%v: want a usage error, got %v", tc.args, err)
			}
			continue
		}
		if err != nil || !tc.check(got) {
			t.Errorf("%v: %v, options %+v", tc.args, err, got)
		}
	}
}

func run(t *testing.T, o Options) (string, error) {
	t.Helper()
	var out bytes.Buffer
	o.IO, o.LoadWorld = &cmdutil.IOStreams{Out: &out}, cmdutil.LoadWorld
	if o.Output == "" {
		o.Output = "text"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	err := Run(context.Background(), &o)
	return out.String(), err
}

func TestRunExplains(t *testing.T) {
	out, err := run(t, Options{Principal: "arn:aws:iam::111122223333:user/developer", Action: "kms:Decrypt", Resource: "alias/app-data"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"DENIED (implicit deny): User: arn:aws:iam::111122223333:user/developer is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action",
		`key policy key/1234abcd-12ab-34cd-56ef-1234567890ab: statement 0 "Enable IAM User Permissions" allows`,
		"identity policy group/Developers/inline/kms-read-only-listing: no statement applies",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = run(t, Options{Principal: "arn:aws:iam::111122223333:user/developer", Action: "kms:Decrypt", Resource: "alias/explicit-deny"})
	if err != nil || !strings.HasPrefix(out, "DENIED (explicit deny):") {
		t.Fatalf("explicit deny: %v\n%s", err, out)
	}
	out, err = run(t, Options{Principal: "arn:aws:iam::111122223333:role/EncryptionApp", Action: "kms:Encrypt", Resource: "arn:aws:kms:us-east-1:111122223333:alias/app-data"})
	if err != nil || !strings.HasPrefix(out, "ALLOWED: arn:aws:sts::111122223333:assumed-role/EncryptionApp/kmsim-simulate may perform kms:Encrypt") {
		t.Fatalf("allowed: %v\n%s", err, out)
	}
}

func TestRunWithProposedPolicyAndJSON(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "p.json")
	os.WriteFile(policy, []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"DevDecryptsBilling","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/developer"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:app":"billing"}}}]}`), 0o600)
	base := Options{Principal: "arn:aws:iam::111122223333:user/developer", Action: "kms:Decrypt", Resource: "alias/app-data", KeyPolicy: policy, Output: "json"}
	decide := func(o Options) Result {
		t.Helper()
		out, err := run(t, o)
		if err != nil {
			t.Fatal(err)
		}
		var r Result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return r
	}
	without := decide(base)
	if without.Decision.Effect != evaluator.ImplicitDeny || strings.Join(without.Decision.MissingContext, ",") == "" {
		t.Fatalf("without context: %+v", without.Decision)
	}
	with := base
	with.Context = []string{"kms:EncryptionContext:app=billing"}
	if r := decide(with); r.Decision.Effect != evaluator.Allowed || len(r.Decision.Matched) != 1 || r.Decision.Matched[0].Sid != "DevDecryptsBilling" {
		t.Fatalf("with context: %+v", r.Decision)
	}
	if _, err := run(t, Options{Principal: "arn:aws:iam::111122223333:user/nobody", Action: "kms:Decrypt", Resource: "alias/app-data"}); err == nil {
		t.Fatal("unknown principal accepted")
	}
	if _, err := run(t, Options{Principal: "arn:aws:iam::111122223333:user/admin", Action: "kms:Decrypt", Resource: "alias/nope"}); err == nil {
		t.Fatal("unknown key accepted")
	}
}

// TestRunWithWorldGrants: the world's grants decide as the simulator's do.
func TestRunWithWorldGrants(t *testing.T) {
	world := filepath.Join("..", "..", "fixtures", "worlds", "cross-account-grant", "world.yaml")
	o := Options{WorldPath: world, Principal: "arn:aws:iam::444455556666:role/PartnerApp", Action: "kms:Decrypt",
		Resource: "arn:aws:kms:us-east-1:111122223333:key/44444444-4444-4444-4444-444444444444", Context: []string{"kms:EncryptionContext:app=billing"}}
	if out, err := run(t, o); err != nil || !strings.HasPrefix(out, "ALLOWED") {
		t.Errorf("app=billing: %v\n%s", err, out)
	}
	o.Context = []string{"kms:EncryptionContext:app=other"}
	if out, err := run(t, o); err != nil || !strings.HasPrefix(out, "DENIED") {
		t.Errorf("app=other: %v\n%s", err, out)
	}
}

// parseFlags runs the command on args up to its RunE and returns the options it parsed.
func parseFlags(args []string) (*Options, error) {
	var got *Options
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, LoadWorld: cmdutil.LoadWorld}
	cmd := NewCmd(f, func(o *Options) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err := cmd.Execute()
	return got, err
}
