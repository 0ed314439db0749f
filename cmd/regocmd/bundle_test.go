package regocmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	opa "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/fixtures"
)

func TestNewCmdBundle(t *testing.T) {
	tests := []struct {
		args    string
		want    BundleOptions
		wantErr string
	}{
		{args: "--out dir", want: BundleOptions{OutDir: "dir"}},
		{args: "--world w.yaml --out dir", want: BundleOptions{WorldPath: "w.yaml", OutDir: "dir"}},
		{args: "", wantErr: "--out is required"},
		{args: "--out dir extra", wantErr: `unknown command "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			f := &cmdutil.Factory{IO: &cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
			var got *BundleOptions
			cmd := NewCmdBundle(f, func(o *BundleOptions) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.args))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.WorldPath != tt.want.WorldPath || got.OutDir != tt.want.OutDir {
				t.Errorf("options = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// writeDemoBundle writes the demo world's bundle into a temporary directory.
func writeDemoBundle(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var out bytes.Buffer
	err := BundleRun(&BundleOptions{
		IO: &cmdutil.IOStreams{Out: &out, ErrOut: &bytes.Buffer{}}, LoadWorld: func(string) (*fixtures.World, error) { return fixtures.Load("demo") },
		OutDir: dir, Now: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".manifest", "data.json", "kmsim/lib.rego", "kmsim/authz.rego", "kmsim/world_test.rego"} {
		if !strings.Contains(out.String(), filepath.Join(dir, filepath.FromSlash(name))+"\n") {
			t.Errorf("%s not listed in output:\n%s", name, out.String())
		}
	}
	return dir
}

// TestBundleDecisions evaluates the bundle with stock OPA, loaded as a bundle.
func TestBundleDecisions(t *testing.T) {
	dir := writeDemoBundle(t)
	ctx := context.Background()
	pq, err := opa.New(opa.Query("data.kmsim.authz.decision"), opa.LoadBundle(dir)).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const appData = "arn:aws:kms:us-east-1:111122223333:alias/app-data"
	const ams = "arn:aws:kms:us-east-1:111122223333:alias/ams-enforced"
	const app = "arn:aws:sts::111122223333:assumed-role/EncryptionApp/demo-app"
	tests := []struct {
		principal, action, resource string
		context                     map[string]any
		effect, reason              string
	}{
		{"arn:aws:iam::111122223333:user/admin", "kms:Encrypt", appData, nil, "allowed", ""},
		{"arn:aws:iam::111122223333:user/developer", "kms:Encrypt", appData, nil, "implicitDeny", "no identity-based policy allows"},
		{"arn:aws:iam::111122223333:user/developer", "kms:DescribeKey", appData, nil, "allowed", ""},
		{"arn:aws:iam::111122223333:user/developer", "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:alias/explicit-deny", nil, "explicitDeny", "explicit deny in a resource-based policy"},
		{"arn:aws:iam::444455556666:user/partner-user", "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:alias/partner-shared", nil, "implicitDeny", "no identity-based policy allows"},
		{"arn:aws:sts::444455556666:assumed-role/PartnerDecryptRole/demo-partner", "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:alias/partner-shared", nil, "allowed", ""},
		{"arn:aws:iam::111122223333:user/admin", "sts:AssumeRole", "arn:aws:iam::111122223333:role/KMSKeyAdmins", nil, "allowed", ""},
		{app, "kms:Encrypt", ams, nil, "explicitDeny", "explicit deny in a resource-based policy"},
		{app, "kms:Encrypt", ams, map[string]any{"kms:EncryptionContextKeys": "app", "kms:EncryptionContext:app": []any{"billing"}}, "allowed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.principal+" "+tt.action+" "+tt.resource, func(t *testing.T) {
			input := map[string]any{"principal": tt.principal, "action": tt.action, "resource": tt.resource}
			if tt.context != nil {
				input["context"] = tt.context
			}
			rs, err := pq.Eval(ctx, opa.EvalInput(input))
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 {
				t.Fatalf("%d results, want 1", len(rs))
			}
			d, _ := rs[0].Expressions[0].Value.(map[string]any)
			if d["effect"] != tt.effect || d["reason"] != tt.reason {
				t.Errorf("decision = %v, want %s %q", d, tt.effect, tt.reason)
			}
		})
	}
}

// TestBundleCompilesStrict compiles the bundle's modules as `opa check --strict` does.
func TestBundleCompilesStrict(t *testing.T) {
	dir := writeDemoBundle(t)
	b, err := loader.NewFileLoader().WithRegoVersion(ast.RegoV1).AsBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Manifest.Roots == nil || len(*b.Manifest.Roots) != 1 || (*b.Manifest.Roots)[0] != "kmsim" {
		t.Errorf("manifest roots = %v, want [kmsim]", b.Manifest.Roots)
	}
	sources := map[string]string{}
	modules := map[string]*ast.Module{}
	for _, m := range b.Modules {
		sources[m.Path] = string(m.Raw)
		modules[m.Path] = m.Parsed
	}
	if len(sources) < 5 {
		t.Fatalf("only %d modules in the bundle", len(sources))
	}
	if _, err := ast.CompileModulesWithOpt(sources, ast.CompileOpts{ParserOptions: ast.ParserOptions{RegoVersion: ast.RegoV1}}); err != nil {
		t.Fatal(err)
	}
	c := ast.NewCompiler().WithStrict(true)
	if c.Compile(modules); c.Failed() {
		t.Fatal(c.Errors)
	}
}

// TestBundleTests runs the bundle's own tests as `opa test DIR` does.
func TestBundleTests(t *testing.T) {
	dir := writeDemoBundle(t)
	results, err := tester.Run(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) < 10 {
		t.Fatalf("%d tests ran, want one per principal, key and action", len(results))
	}
	for _, r := range results {
		if !r.Pass() {
			t.Errorf("%s: %v", r.Name, r)
		}
	}
	src, err := os.ReadFile(filepath.Join(dir, "kmsim", "world_test.rego"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"test_admin_encrypt_alias_app_data if", "test_developer_encrypt_alias_app_data if"} {
		if !bytes.Contains(src, []byte(name)) {
			t.Errorf("world_test.rego lacks %s", name)
		}
	}
}

// TestBundleDeterministic: the same world and clock give the same files.
func TestBundleDeterministic(t *testing.T) {
	w, err := fixtures.Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	a, err := Bundle(w, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Bundle(w, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for name, text := range a {
		if b[name] != text {
			t.Errorf("%s differs between runs", name)
		}
	}
}
