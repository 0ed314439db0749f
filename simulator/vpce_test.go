package simulator

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/kmsim/kmsim/fixtures"
)

// Endpoints of the VPC endpoint test world.
const (
	guardedEndpoint = "vpce-0a1b2c3d4e5f60718" // denies key deletion
	narrowEndpoint  = "vpce-0f9e8d7c"          // allows only Decrypt
)

// newVPCEHarness runs the demo world with two VPC endpoints: the admin's access key calls
// through guardedEndpoint from 10.0.1.15, the developer's through narrowEndpoint.
func newVPCEHarness(t *testing.T) *harness {
	return newHarnessWith(t, t.TempDir(), func(cfg *Config) {
		w, err := fixtures.Load("demo")
		if err != nil {
			t.Fatal(err)
		}
		w.VPCEndpoints = []fixtures.VPCEndpoint{
			{ID: guardedEndpoint, VPC: "vpc-0a1b2c3d", Account: prodAccount, Region: "us-east-1",
				Policy: fixtures.Document(`{"Version":"2012-10-17","Statement":[` +
					`{"Sid":"All","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},` +
					`{"Sid":"NoDeletion","Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`)},
			{ID: narrowEndpoint, VPC: "vpc-0a1b2c3d", Account: prodAccount, Region: "us-east-1",
				Policy: fixtures.Document(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`)},
		}
		for i := range w.Users {
			u := &w.Users[i]
			switch u.Name {
			case "admin":
				u.AccessKeys[0].Origin = &fixtures.Origin{VPCEndpoint: guardedEndpoint, SourceIP: "10.0.1.15"}
			case "developer":
				u.AccessKeys[0].Origin = &fixtures.Origin{VPCEndpoint: narrowEndpoint}
			}
		}
		if err := w.Validate(); err != nil {
			t.Fatal(err)
		}
		cfg.World = w
	})
}

// TestVPCEndpointPolicy calls through VPC endpoints with the SDK: the endpoint policy's explicit
// deny wins over the admin's key policy and IAM allows, an endpoint policy that does not allow
// an action denies it, and the trail records the endpoint and the caller's VPC address.
func TestVPCEndpointPolicy(t *testing.T) {
	h := newVPCEHarness(t)
	ctx := context.Background()
	admin := h.kms(adminCreds)
	keyARN := "arn:aws:kms:us-east-1:" + prodAccount + ":key/" + appDataKey

	if _, err := admin.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(appDataKey)}); err != nil {
		t.Fatalf("DescribeKey through the endpoint: %v", err)
	}
	_, err := admin.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(appDataKey), PendingWindowInDays: aws.Int32(7)})
	msg := wantErrorCode(t, err, "AccessDeniedException")
	want := "User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:ScheduleKeyDeletion on resource: " + keyARN +
		" with an explicit deny in a VPC endpoint policy"
	if msg != want {
		t.Errorf("message %q\nwant    %q", msg, want)
	}

	dev := h.kms(developerCreds)
	_, err = dev.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(appDataKey)})
	msg = wantErrorCode(t, err, "AccessDeniedException")
	want = "User: arn:aws:iam::111122223333:user/developer is not authorized to perform: kms:DescribeKey on resource: " + keyARN +
		" because no VPC endpoint policy allows the kms:DescribeKey action"
	if msg != want {
		t.Errorf("message %q\nwant    %q", msg, want)
	}

	var found int
	for _, r := range h.records() {
		switch {
		case r.EventName == "ScheduleKeyDeletion" && r.UserIdentity.UserName == "admin":
			found++
			if r.VPCEndpointID != guardedEndpoint || r.SourceIPAddress != "10.0.1.15" || r.ErrorCode != "AccessDeniedException" {
				t.Errorf("ScheduleKeyDeletion record: vpcEndpointId %q sourceIPAddress %q errorCode %q", r.VPCEndpointID, r.SourceIPAddress, r.ErrorCode)
			}
			if !strings.Contains(r.ErrorMessage, "explicit deny in a VPC endpoint policy") {
				t.Errorf("errorMessage %q", r.ErrorMessage)
			}
		case r.EventName == "DescribeKey" && r.UserIdentity.UserName == "developer":
			found++
			if r.VPCEndpointID != narrowEndpoint {
				t.Errorf("DescribeKey record: vpcEndpointId %q", r.VPCEndpointID)
			}
		}
	}
	if found != 2 {
		t.Errorf("found %d of the 2 records", found)
	}
}

// TestCallsOutsideEndpoints: a credential without an origin is not bound by any endpoint
// policy, and its records carry no vpcEndpointId.
func TestCallsOutsideEndpoints(t *testing.T) {
	h := newVPCEHarness(t)
	ctx := context.Background()
	s := h.session("EncryptionApp")
	if _, err := h.kms(s).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(appDataKey), Plaintext: []byte("x")}); err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	for _, r := range h.records() {
		if r.EventName == "Encrypt" && r.VPCEndpointID != "" {
			t.Errorf("vpcEndpointId %q on a call from outside any endpoint", r.VPCEndpointID)
		}
	}
}

// TestVPCEndpointWorld runs the embedded vpc-endpoint world: the key policy's aws:SourceVpce
// condition and the endpoint policy decide, with the addresses the world gives its keys.
func TestVPCEndpointWorld(t *testing.T) {
	h := newHarnessWith(t, t.TempDir(), func(cfg *Config) { cfg.World = fixtures.MustLoad("vpc-endpoint") })
	ctx := context.Background()
	app := h.kms(aws.Credentials{AccessKeyID: "AKIAVPCEAPP00EXAMPLE", SecretAccessKey: "vpceAppSecretKeyvpceAppSecretKeyEXAMPLE0"})
	laptop := h.kms(aws.Credentials{AccessKeyID: "AKIALAPTOP000EXAMPLE", SecretAccessKey: "laptopAdminSecretKeylaptopAdminSecretKey"})
	const key = "alias/vpc-only-decrypt"
	const keyARN = "arn:aws:kms:us-east-1:111122223333:key/55555555-5555-5555-5555-555555555555"

	enc, err := laptop.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(key), Plaintext: []byte("secret")})
	if err != nil {
		t.Fatalf("Encrypt from the laptop: %v", err)
	}
	_, err = laptop.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if msg := wantErrorCode(t, err, "AccessDeniedException"); msg != "User: arn:aws:iam::111122223333:user/laptop-admin is not authorized to perform: kms:Decrypt on resource: "+keyARN+" with an explicit deny in a resource-based policy" {
		t.Errorf("Decrypt from the laptop: %q", msg)
	}
	out, err := app.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(out.Plaintext) != "secret" {
		t.Fatalf("Decrypt through the endpoint: %v", err)
	}
	_, err = app.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyARN)})
	if msg := wantErrorCode(t, err, "AccessDeniedException"); msg != "User: arn:aws:iam::111122223333:user/app is not authorized to perform: kms:ScheduleKeyDeletion on resource: "+keyARN+" because no VPC endpoint policy allows the kms:ScheduleKeyDeletion action" {
		t.Errorf("ScheduleKeyDeletion through the endpoint: %q", msg)
	}
	for _, r := range h.records() {
		if r.EventName != "Decrypt" {
			continue
		}
		switch r.UserIdentity.UserName {
		case "laptop-admin":
			if r.SourceIPAddress != "203.0.113.10" || r.VPCEndpointID != "" {
				t.Errorf("laptop Decrypt record: %q %q", r.SourceIPAddress, r.VPCEndpointID)
			}
		case "app":
			if r.SourceIPAddress != "10.0.1.15" || r.VPCEndpointID != "vpce-0a1b2c3d4e5f60718" {
				t.Errorf("app Decrypt record: %q %q", r.SourceIPAddress, r.VPCEndpointID)
			}
		}
	}
}

// TestOriginMFAAndViaService: a role session's origin gives its calls aws:MultiFactorAuthPresent,
// aws:MultiFactorAuthAge and kms:ViaService, which a key policy can require.
func TestOriginMFAAndViaService(t *testing.T) {
	const mfaKey = "6f6f6f6f-6f6f-4f6f-8f6f-6f6f6f6f6f6f"
	h := newHarnessWith(t, t.TempDir(), func(cfg *Config) {
		w := fixtures.MustLoad("demo")
		age := 30
		for i := range w.Roles {
			if r := &w.Roles[i]; r.Name == "EncryptionApp" {
				r.Sessions[0].Origin = &fixtures.Origin{MFAAge: &age, ViaService: "ec2.us-east-1.amazonaws.com"}
			}
		}
		w.Keys = append(w.Keys, fixtures.Key{Account: prodAccount, Region: "us-east-1", ID: mfaKey, Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", State: "Enabled",
			Policy: fixtures.Document(`{"Version":"2012-10-17","Statement":[{"Sid":"RecentMFAViaEC2","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*",` +
				`"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"60"},"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}]}`)})
		if err := w.Validate(); err != nil {
			t.Fatal(err)
		}
		cfg.World = w
	})
	ctx := context.Background()
	if _, err := h.kms(h.session("EncryptionApp")).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(mfaKey), Plaintext: []byte("x")}); err != nil {
		t.Fatalf("Encrypt with MFA via EC2: %v", err)
	}
	_, err := h.kms(h.session("SecurityAuditor")).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(mfaKey), Plaintext: []byte("x")})
	wantErrorCode(t, err, "AccessDeniedException")
	seen := 0
	for _, r := range h.records() {
		if r.EventName != "Encrypt" || r.UserIdentity.SessionContext == nil {
			continue
		}
		seen++
		mfa := r.UserIdentity.SessionContext.Attributes.MFAAuthenticated
		if want := strings.Contains(r.UserIdentity.ARN, "EncryptionApp"); (mfa == "true") != want {
			t.Errorf("%s: mfaAuthenticated %q", r.UserIdentity.ARN, mfa)
		}
	}
	if seen != 2 {
		t.Errorf("%d Encrypt records of role sessions, want 2", seen)
	}
}
