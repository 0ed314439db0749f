package simulator

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestSignatureErrors(t *testing.T) {
	h := newHarness(t)
	unknown := aws.Credentials{AccessKeyID: "AKIAUNKNOWNEXAMPLE00", SecretAccessKey: "x"}
	_, err := h.kms(unknown).ListKeys(ctx, &kms.ListKeysInput{})
	if msg := wantErrorCode(t, err, "UnrecognizedClientException"); msg != "The security token included in the request is invalid." {
		t.Fatalf("message %q", msg)
	}
	wrongSecret := adminCreds
	wrongSecret.SecretAccessKey = "not-the-secret"
	_, err = h.kms(wrongSecret).ListKeys(ctx, &kms.ListKeysInput{})
	if msg := wantErrorCode(t, err, "InvalidSignatureException"); !strings.HasPrefix(msg, "The request signature we calculated does not match the signature you provided.") {
		t.Fatalf("message %q", msg)
	}
	// A client whose clock is 20 minutes slow signs an expired request.
	cfg := h.config(adminCreds)
	slow := kms.NewFromConfig(cfg, func(o *kms.Options) {
		o.HTTPSignerV4 = skewedSigner{o.HTTPSignerV4, -20 * time.Minute}
	})
	_, err = slow.ListKeys(ctx, &kms.ListKeysInput{})
	if msg := wantErrorCode(t, err, "InvalidSignatureException"); !strings.HasPrefix(msg, "Signature expired: ") {
		t.Fatalf("message %q", msg)
	}
	// No signature at all, and a garbled one.
	for _, tc := range []struct{ auth, code string }{
		{"", "MissingAuthenticationTokenException"},
		{"AWS4-HMAC-SHA256 Garbage", "IncompleteSignatureException"},
	} {
		req, _ := http.NewRequest(http.MethodPost, h.http.URL, strings.NewReader("{}"))
		req.Header.Set("X-Amz-Target", "TrentService.ListKeys")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
			req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Type string `json:"__type"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if body.Type != tc.code || resp.Header.Get("X-Amzn-ErrorType") != tc.code {
			t.Errorf("auth %q: __type %q header %q, want %s", tc.auth, body.Type, resp.Header.Get("X-Amzn-ErrorType"), tc.code)
		}
	}
	// The failed call of a known principal is in the trail; an unknown key's is not.
	var denied int
	for _, r := range h.records() {
		if r.ErrorCode == "InvalidSignatureException" && r.UserIdentity.ARN == "arn:aws:iam::111122223333:user/admin" {
			denied++
		}
		if r.UserIdentity.AccessKeyID == unknown.AccessKeyID {
			t.Fatalf("record for unknown access key: %+v", r)
		}
	}
	if denied != 2 {
		t.Fatalf("%d InvalidSignatureException records for admin, want 2", denied)
	}
}

func TestUnknownOperation(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodPost, h.http.URL, strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "Bogus.Op")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}

func TestSTS(t *testing.T) {
	h := newHarness(t)
	id, err := h.sts(adminCreds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:iam::111122223333:user/admin" || *id.Account != prodAccount || !strings.HasPrefix(*id.UserId, "AIDA") {
		t.Fatalf("admin identity %s %s %s", *id.Arn, *id.Account, *id.UserId)
	}
	id, err = h.sts(h.session("EncryptionApp")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:sts::111122223333:assumed-role/EncryptionApp/demo-app" || !strings.HasPrefix(*id.UserId, "AROA") || !strings.HasSuffix(*id.UserId, ":demo-app") {
		t.Fatalf("session identity %s %s", *id.Arn, *id.UserId)
	}
	// admin's AdministratorAccess plus the trust policy's account principal allow AssumeRole.
	out, err := h.sts(adminCreds).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111122223333:role/KMSKeyAdmins"), RoleSessionName: aws.String("ops"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(*out.Credentials.AccessKeyId, "ASIA") || out.Credentials.Expiration.Sub(time.Now()) > 16*time.Minute {
		t.Fatalf("credentials %s expire %v", *out.Credentials.AccessKeyId, out.Credentials.Expiration)
	}
	session := aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}
	id, err = h.sts(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:sts::111122223333:assumed-role/KMSKeyAdmins/ops" {
		t.Fatalf("assumed identity %s", *id.Arn)
	}
	if _, err := h.kms(session).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(appDataKey)}); err != nil {
		t.Fatalf("key admin session: %v", err)
	}
	// The session token must accompany the session's keys.
	noToken := session
	noToken.SessionToken = ""
	_, err = h.kms(noToken).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(appDataKey)})
	wantErrorCode(t, err, "UnrecognizedClientException")
	// developer has no identity policy allowing sts:AssumeRole.
	_, err = h.sts(developerCreds).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111122223333:role/KMSKeyAdmins"), RoleSessionName: aws.String("nope")})
	if msg := wantErrorCode(t, err, "AccessDenied"); msg != "User: arn:aws:iam::111122223333:user/developer is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/KMSKeyAdmins" {
		t.Fatalf("message %q", msg)
	}
	// More than the role's maximum session duration.
	_, err = h.sts(adminCreds).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111122223333:role/KMSKeyAdmins"), RoleSessionName: aws.String("long"), DurationSeconds: aws.Int32(7200)})
	wantErrorCode(t, err, "ValidationError")
}

// skewedSigner signs as if the client's clock were off by skew.
type skewedSigner struct {
	inner kms.HTTPSignerV4
	skew  time.Duration
}

func (s skewedSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, t time.Time, opts ...func(*v4.SignerOptions)) error {
	return s.inner.SignHTTP(ctx, creds, r, payloadHash, service, region, t.Add(s.skew), opts...)
}

// TestAssumedRoleCredentialsExpire: minted session credentials stop working after DurationSeconds.
func TestAssumedRoleCredentialsExpire(t *testing.T) {
	var mu sync.Mutex
	wall := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return wall }
	h := newHarnessWith(t, t.TempDir(), func(c *Config) { c.WallClock = clock })
	out, err := h.sts(adminCreds).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111122223333:role/SecurityAuditor"), RoleSessionName: aws.String("short"), DurationSeconds: aws.Int32(900)})
	must(t, err)
	session := aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}
	if _, err := h.kms(session).ListKeys(ctx, &kms.ListKeysInput{}); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	// Sixteen minutes later the credentials have expired. The request is signed at that time too,
	// so only the token's expiry can fail it.
	mu.Lock()
	wall = wall.Add(16 * time.Minute)
	mu.Unlock()
	late := h.config(session)
	c := kms.NewFromConfig(late, func(o *kms.Options) { o.HTTPSignerV4 = skewedSigner{o.HTTPSignerV4, 16 * time.Minute} })
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{})
	if msg := wantErrorCode(t, err, "ExpiredTokenException"); msg != "The security token included in the request is expired" {
		t.Fatalf("message %q", msg)
	}
}
