package simulatecmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/fixtures"
)

const appDataKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNetworkFlags(t *testing.T) {
	cases := []struct {
		args    []string
		wantErr bool
		check   func(*Options) bool
	}{
		{[]string{"--vpce", "vpce-0a1b2c3d", "--source-vpc", "vpc-0a1b2c3d", "--source-ip", "10.0.1.15", "--vpce-policy", "p.json"}, false,
			func(o *Options) bool {
				return o.VPCE == "vpce-0a1b2c3d" && o.SourceVPC == "vpc-0a1b2c3d" && o.SourceIP == "10.0.1.15" && o.VPCEPolicy == "p.json" && !o.MFA
			}},
		{[]string{"--mfa-age", "0", "--via-service", "ec2.us-east-1.amazonaws.com", "--called-via", "athena.amazonaws.com", "--called-via", "glue.amazonaws.com"}, false,
			func(o *Options) bool { return o.MFA && o.MFAAge == 0 && o.ViaService != "" && len(o.CalledVia) == 2 }},
		{[]string{"--source-ip", "10.0.300.1"}, true, nil},
		{[]string{"--source-vpc", "vpc-0a1b2c3d"}, true, nil},
		{[]string{"--mfa-age", "-5"}, true, nil},
	}
	for _, tc := range cases {
		got, err := parseFlags(append([]string{"--principal", "p", "--action", "kms:Decrypt", "--resource", "k"}, tc.args...))
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

// TestRunThroughVPCEndpoint: a VPC endpoint policy given with --vpce-policy binds the call.
func TestRunThroughVPCEndpoint(t *testing.T) {
	guarded := writeFile(t, "guarded.json", `{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},`+
		`{"Sid":"NoDeletion","Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`)
	out, err := run(t, Options{Principal: "arn:aws:iam::111122223333:user/admin", Action: "kms:ScheduleKeyDeletion", Resource: "alias/app-data",
		VPCE: "vpce-0a1b2c3d", VPCEPolicy: guarded})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"DENIED (explicit deny): User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:ScheduleKeyDeletion on resource: " + appDataKey + " with an explicit deny in a VPC endpoint policy",
		`vpce policy ` + guarded + `: statement 1 "NoDeletion" denies`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	decryptOnly := writeFile(t, "decrypt.json", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`)
	out, err = run(t, Options{Principal: "arn:aws:iam::111122223333:user/admin", Action: "kms:DescribeKey", Resource: "alias/app-data", VPCEPolicy: decryptOnly})
	want := "DENIED (implicit deny): User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:DescribeKey on resource: " + appDataKey +
		" because no VPC endpoint policy allows the kms:DescribeKey action"
	if err != nil || !strings.HasPrefix(out, want) {
		t.Errorf("%v\n%s\nwant %s", err, out, want)
	}

	bad := writeFile(t, "bad.json", `{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`)
	if _, err := run(t, Options{Principal: "arn:aws:iam::111122223333:user/admin", Action: "kms:DescribeKey", Resource: "alias/app-data", VPCEPolicy: bad}); err == nil {
		t.Error("an endpoint policy without Principal accepted")
	}
}

// TestDecideNetworkFacts: a world's endpoint lends its VPC and policy; the flags set the
// conditions keys the key policy tests; MFA is for role sessions.
func TestDecideNetworkFacts(t *testing.T) {
	w, err := fixtures.Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	w.VPCEndpoints = []fixtures.VPCEndpoint{{ID: "vpce-0a1b2c3d", VPC: "vpc-0a1b2c3d", Account: "111122223333", Region: "us-east-1",
		Policy: fixtures.Document(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`)}}
	keyPolicy := writeFile(t, "key.json", `{"Version":"2012-10-17","Statement":[{"Sid":"FromTheVpc","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/admin"},"Action":"kms:*","Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:SourceVpc":"vpc-0a1b2c3d"},"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/16"}}}]}`)
	ctx := context.Background()
	decide := func(o Options) (Result, evaluator.Request) {
		t.Helper()
		o.Region = "us-east-1"
		res, req, err := Decide(ctx, w, &o)
		if err != nil {
			t.Fatal(err)
		}
		return res, req
	}
	base := Options{Principal: "arn:aws:iam::111122223333:user/admin", Action: "kms:Decrypt", Resource: "alias/app-data", KeyPolicy: keyPolicy}

	through := base
	through.VPCE, through.SourceIP = "vpce-0a1b2c3d", "10.0.1.15"
	res, req := decide(through)
	if res.Decision.Effect != evaluator.Allowed {
		t.Errorf("through the world's endpoint: %+v", res.Decision)
	}
	if req.VPCEPolicy == nil || req.VPCEPolicy.ID != "vpce/vpce-0a1b2c3d" || req.Context["aws:SourceIp"] != nil || req.Context["aws:VpcSourceIp"][0] != "10.0.1.15" {
		t.Errorf("request: policy %+v context %v", req.VPCEPolicy, req.Context)
	}
	through.Action = "kms:Encrypt"
	if res, _ := decide(through); res.Decision.Reason != evaluator.NoVPCEPolicyAllows {
		t.Errorf("Encrypt through a Decrypt-only endpoint: %+v", res.Decision)
	}

	other := base
	other.VPCE, other.SourceVPC, other.SourceIP = "vpce-0a1b2c3d", "vpc-0f0f0f0f", "10.0.1.15"
	if res, _ := decide(other); res.Decision.Effect != evaluator.ImplicitDeny {
		t.Errorf("another VPC: %+v", res.Decision)
	}
	internet := base
	internet.SourceIP = "203.0.113.7"
	if res, req := decide(internet); res.Decision.Effect != evaluator.ImplicitDeny || req.Context["aws:SourceIp"][0] != "203.0.113.7" {
		t.Errorf("from the internet: %+v %v", res.Decision, req.Context)
	}

	mfa := Options{Principal: "arn:aws:iam::111122223333:role/EncryptionApp", Action: "kms:Encrypt", Resource: "alias/app-data", MFA: true, MFAAge: 60,
		ViaService: "s3.us-east-1.amazonaws.com"}
	_, req = decide(mfa)
	for k, v := range map[string]string{"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60", "kms:ViaService": "s3.us-east-1.amazonaws.com", "aws:ViaAWSService": "true"} {
		if got := req.Context[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %v, want %s", k, got, v)
		}
	}
	mfa.Context = []string{"aws:MultiFactorAuthAge=9000"}
	if _, req = decide(mfa); strings.Join(req.Context["aws:MultiFactorAuthAge"], ",") != "9000" {
		t.Errorf("--context does not win over the flags: %v", req.Context["aws:MultiFactorAuthAge"])
	}
	user := base
	user.MFA = true
	if _, _, err := Decide(ctx, w, &user); err == nil || !strings.Contains(err.Error(), "role sessions") {
		t.Errorf("--mfa-age for a user: %v", err)
	}
}

// TestRunThroughVPCEndpointJSON: the JSON form names the endpoint policy's statements.
func TestRunThroughVPCEndpointJSON(t *testing.T) {
	pol := writeFile(t, "p.json", `{"Statement":[{"Sid":"DecryptOnly","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`)
	out, err := run(t, Options{Principal: "arn:aws:iam::111122223333:user/admin", Action: "kms:Decrypt", Resource: "alias/app-data", VPCE: "vpce-0a1b2c3d", VPCEPolicy: pol, Output: "json"})
	if err != nil {
		t.Fatal(err)
	}
	var r Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var vpce []evaluator.Statement
	for _, st := range r.Decision.Matched {
		if st.PolicyKind == evaluator.KindVPCE {
			vpce = append(vpce, st)
		}
	}
	if r.Decision.Effect != evaluator.Allowed || len(vpce) != 1 || vpce[0].Sid != "DecryptOnly" || vpce[0].PolicyID != pol {
		t.Errorf("%s", out)
	}
}
