package regocmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	opa "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/fixtures"
)

// TestTranslateVPCE: --kind vpce translates a VPC endpoint policy, which must name principals.
func TestTranslateVPCE(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "endpoint.json")
	os.WriteFile(good, []byte(`{"Statement":[{"Sid":"DecryptOnly","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`), 0o600)
	bad := filepath.Join(dir, "noprincipal.json")
	os.WriteFile(bad, []byte(`{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`), 0o600)
	translate := func(args ...string) (string, error) {
		var out bytes.Buffer
		f := &cmdutil.Factory{IO: &cmdutil.IOStreams{Out: &out, ErrOut: &bytes.Buffer{}}}
		cmd := NewCmdTranslate(f, nil)
		cmd.SetArgs(args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		err := cmd.Execute()
		return out.String(), err
	}
	out, err := translate("--kind", "vpce", good)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"from a vpce policy", "# Policy: endpoint", `"sid": "DecryptOnly"`} {
		if !strings.Contains(out, want) {
			t.Errorf("module lacks %q:\n%s", want, out)
		}
	}
	if _, err := translate("--kind", "vpce", bad); err == nil {
		t.Error("a VPC endpoint policy without Principal translated")
	}
	if _, err := translate("--kind", "endpoint", good); !cmdutil.IsFlagError(err) {
		t.Errorf("--kind endpoint: %v", err)
	}
}

// TestBundleVPCEndpoints: a world's VPC endpoints go into data.kmsim.world.vpc_endpoints,
// input.vpce applies one, and the bundle's own tests pin calls through each.
func TestBundleVPCEndpoints(t *testing.T) {
	w, err := fixtures.Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	w.VPCEndpoints = []fixtures.VPCEndpoint{
		{ID: "vpce-0a1b2c3d", VPC: "vpc-0a1b2c3d", Account: "111122223333", Region: "us-east-1",
			Policy: fixtures.Document(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`)},
		{ID: "vpce-0f0f0f0f", VPC: "vpc-0a1b2c3d", Account: "111122223333", Region: "us-east-1"},
	}
	dir := t.TempDir()
	err = BundleRun(&BundleOptions{
		IO: &cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, LoadWorld: func(string) (*fixtures.World, error) { return w, nil },
		OutDir: dir, Now: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	results, err := tester.Run(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var through int
	for _, r := range results {
		if !r.Pass() {
			t.Errorf("%s: %v", r.Name, r)
		}
		if strings.Contains(r.Name, "_via_vpce_") {
			through++
		}
	}
	if through == 0 || through*3 != len(results)*2 {
		t.Errorf("%d of %d tests go through an endpoint, want two thirds", through, len(results))
	}

	pq, err := opa.New(opa.Query("data.kmsim.authz.decision"), opa.LoadBundle(dir)).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const appData = "arn:aws:kms:us-east-1:111122223333:alias/app-data"
	tests := []struct {
		action, vpce, context, effect, reason string
	}{
		{"kms:Encrypt", "", "", "allowed", ""},
		{"kms:Encrypt", "vpce-0a1b2c3d", "", "implicitDeny", "no VPC endpoint policy allows"},
		{"kms:Decrypt", "vpce-0a1b2c3d", "", "allowed", ""},
		{"kms:Encrypt", "vpce-0f0f0f0f", "", "allowed", ""},
		{"kms:Encrypt", "vpce-99999999", "", "allowed", ""}, // not the world's: no policy, no keys
	}
	for _, tt := range tests {
		input := map[string]any{"principal": "arn:aws:iam::111122223333:user/admin", "action": tt.action, "resource": appData}
		if tt.vpce != "" {
			input["vpce"] = tt.vpce
		}
		rs, err := pq.Eval(ctx, opa.EvalInput(input))
		if err != nil || len(rs) != 1 {
			t.Fatalf("%v: %v %v", input, err, rs)
		}
		d, _ := rs[0].Expressions[0].Value.(map[string]any)
		if d["effect"] != tt.effect || d["reason"] != tt.reason {
			t.Errorf("%s through %q: %v, want %s %q", tt.action, tt.vpce, d, tt.effect, tt.reason)
		}
	}
}
