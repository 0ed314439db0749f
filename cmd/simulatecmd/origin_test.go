package simulatecmd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/fixtures"
)

// TestDecideOrigin: without network flags, the principal's one credential with an origin gives
// the call its facts (the endpoint, its policy, the address); any flag replaces the origin; a
// principal with several origins gets none.
func TestDecideOrigin(t *testing.T) {
	w, err := fixtures.Load("vpc-endpoint")
	if err != nil {
		t.Fatal(err)
	}
	const app, laptop = "arn:aws:iam::111122223333:user/app", "arn:aws:iam::111122223333:user/laptop-admin"
	decide := func(w *fixtures.World, o Options) (Result, evaluator.Request) {
		t.Helper()
		o.Resource, o.Region = "alias/vpc-only-decrypt", "us-east-1"
		res, req, err := Decide(context.Background(), w, &o)
		if err != nil {
			t.Fatal(err)
		}
		return res, req
	}

	res, req := decide(w, Options{Principal: app, Action: "kms:Decrypt"})
	if res.Decision.Effect != evaluator.Allowed || res.Origin != "AKIAVPCEAPP00EXAMPLE" || req.VPCEPolicy == nil ||
		strings.Join(req.Context["aws:SourceVpce"], ",") != "vpce-0a1b2c3d4e5f60718" || strings.Join(req.Context["aws:VpcSourceIp"], ",") != "10.0.1.15" ||
		req.Context["aws:SourceIp"] != nil {
		t.Errorf("app's Decrypt through its endpoint: %+v origin %q context %v", res.Decision, res.Origin, req.Context)
	}
	if res, _ := decide(w, Options{Principal: app, Action: "kms:DisableKey"}); res.Decision.Reason != evaluator.NoVPCEPolicyAllows {
		t.Errorf("app's DisableKey through an endpoint that does not allow it: %+v", res.Decision)
	}
	res, req = decide(w, Options{Principal: laptop, Action: "kms:Decrypt"})
	if res.Decision.Effect != evaluator.ExplicitDeny || res.Origin != "AKIALAPTOP000EXAMPLE" || strings.Join(req.Context["aws:SourceIp"], ",") != "203.0.113.10" {
		t.Errorf("laptop's Decrypt from the internet: %+v origin %q context %v", res.Decision, res.Origin, req.Context)
	}

	// A flag replaces the origin: from this address, over the internet, the key policy denies.
	res, req = decide(w, Options{Principal: app, Action: "kms:Decrypt", SourceIP: "10.0.1.15"})
	if res.Decision.Effect != evaluator.ExplicitDeny || res.Origin != "" || req.VPCEPolicy != nil || req.Context["aws:SourceVpce"] != nil {
		t.Errorf("app's Decrypt with --source-ip: %+v origin %q context %v", res.Decision, res.Origin, req.Context)
	}

	// Two credentials with origins: neither is chosen.
	two, err := fixtures.Load("vpc-endpoint")
	if err != nil {
		t.Fatal(err)
	}
	u := two.User("111122223333", "app")
	k := u.AccessKeys[0]
	k.ID, k.Origin = "AKIAVPCEAPP01EXAMPLE", &fixtures.Origin{SourceIP: "198.51.100.1"}
	u.AccessKeys = append(u.AccessKeys, k)
	if res, req := decide(two, Options{Principal: app, Action: "kms:Decrypt"}); res.Origin != "" || req.VPCEPolicy != nil || res.Decision.Effect != evaluator.ExplicitDeny {
		t.Errorf("two origins: %+v origin %q", res.Decision, res.Origin)
	}

	out, err := run(t, Options{WorldPath: filepath.Join("..", "..", "fixtures", "worlds", "vpc-endpoint", "world.yaml"), Principal: app,
		Action: "kms:Decrypt", Resource: "alias/vpc-only-decrypt"})
	if err != nil || !strings.HasPrefix(out, "ALLOWED") ||
		!strings.Contains(out, "The call carries the network and service facts of the world's origin of access key AKIAVPCEAPP00EXAMPLE.") {
		t.Errorf("%v\n%s", err, out)
	}
}
