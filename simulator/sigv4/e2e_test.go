package sigv4_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/kmsim/kmsim/simulator/sigv4"
)

// liveCreds are credentials the test server accepts with the real clock.
type liveCreds struct {
	mu    sync.Mutex
	creds map[string]sigv4.Credential
}

func (l *liveCreds) add(c sigv4.Credential) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.creds[c.AccessKeyID] = c
}

func (l *liveCreds) lookup(id string) (sigv4.Credential, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.creds[id]
	return c, ok
}

// outcome is what the verifier decided for one request.
type outcome struct {
	res    *sigv4.Result
	err    error
	target string // X-Amz-Target, or the STS Action
	path   string
	query  string
}

// verifyServer is an httptest server whose handler calls Verify and answers
// like AWS: JSON 1.1 for KMS, query-protocol XML for STS.
type verifyServer struct {
	*httptest.Server
	creds *liveCreds

	mu       sync.Mutex
	outcomes []outcome
}

func newVerifyServer(t *testing.T) *verifyServer {
	t.Helper()
	vs := &verifyServer{creds: &liveCreds{creds: map[string]sigv4.Credential{}}}
	vs.Server = httptest.NewServer(http.HandlerFunc(vs.handle))
	t.Cleanup(vs.Close)
	return vs
}

func (vs *verifyServer) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	res, verr := sigv4.Verify(r, body, vs.creds.lookup, time.Now())
	o := outcome{res: res, err: verr, target: r.Header.Get("X-Amz-Target"), path: r.URL.EscapedPath(), query: r.URL.RawQuery}
	isJSON := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json")
	if !isJSON {
		o.target = formAction(body, r.URL.RawQuery)
	}
	vs.mu.Lock()
	vs.outcomes = append(vs.outcomes, o)
	vs.mu.Unlock()

	w.Header().Set("X-Amzn-Requestid", "00000000-0000-0000-0000-000000000000")
	if isJSON || o.target == "" {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if verr != nil {
			var se *sigv4.Error
			errors.As(verr, &se)
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": se.Code, "message": se.Message})
			return
		}
		_, _ = io.WriteString(w, `{}`)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	if verr != nil {
		var se *sigv4.Error
		errors.As(verr, &se)
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`,
			xmlEscape(se.Code), xmlEscape(se.Message))
		return
	}
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/test</Arn><UserId>%s</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
		xmlEscape(res.AccessKeyID))
}

func formAction(body []byte, rawQuery string) string {
	for _, src := range []string{string(body), rawQuery} {
		for _, kv := range strings.Split(src, "&") {
			if v, ok := strings.CutPrefix(kv, "Action="); ok {
				return v
			}
		}
	}
	return ""
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (vs *verifyServer) take(t *testing.T) outcome {
	t.Helper()
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if len(vs.outcomes) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(vs.outcomes))
	}
	o := vs.outcomes[0]
	vs.outcomes = nil
	return o
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func kmsClient(url, id, secret, token string) *kms.Client {
	return kms.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, token),
		BaseEndpoint: aws.String(url),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
}

func stsClient(url, id, secret, token string) *sts.Client {
	return sts.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, token),
		BaseEndpoint: aws.String(url),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
}

func TestSDKKMSClient(t *testing.T) {
	srv := newVerifyServer(t)
	srv.creds.add(sigv4.Credential{AccessKeyID: longID, Secret: longSecret})
	srv.creds.add(sigv4.Credential{AccessKeyID: tempID, Secret: tempSecret, SessionToken: tempToken, Expiration: time.Now().Add(time.Hour)})
	srv.creds.add(sigv4.Credential{AccessKeyID: "ASIAEXPIRED000000000", Secret: tempSecret, SessionToken: tempToken, Expiration: time.Now().Add(-time.Minute)})
	ctx := context.Background()

	t.Run("ListKeys long-term", func(t *testing.T) {
		if _, err := kmsClient(srv.URL, longID, longSecret, "").ListKeys(ctx, &kms.ListKeysInput{}); err != nil {
			t.Fatal(err)
		}
		o := srv.take(t)
		if o.err != nil || o.res.AccessKeyID != longID || o.res.Service != "kms" || o.res.Region != "us-east-1" || o.target != "TrentService.ListKeys" {
			t.Fatalf("outcome = %+v", o)
		}
	})
	t.Run("Encrypt with session token", func(t *testing.T) {
		_, err := kmsClient(srv.URL, tempID, tempSecret, tempToken).Encrypt(ctx, &kms.EncryptInput{
			KeyId:             aws.String("alias/my key"),
			Plaintext:         []byte("hello \x00 world"),
			EncryptionContext: map[string]string{"purpose": "test  with   spaces"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if o := srv.take(t); o.err != nil || o.res.AccessKeyID != tempID {
			t.Fatalf("outcome = %+v", o)
		}
	})
	for _, tc := range []struct {
		name, id, secret, token, code string
	}{
		{"wrong secret", longID, "wrong", "", "InvalidSignatureException"},
		{"unknown key", "AKIANOTKNOWN00000000", longSecret, "", "UnrecognizedClientException"},
		{"missing token", tempID, tempSecret, "", "UnrecognizedClientException"},
		{"wrong token", tempID, tempSecret, "other", "UnrecognizedClientException"},
		{"expired token", "ASIAEXPIRED000000000", tempSecret, tempToken, "ExpiredTokenException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kmsClient(srv.URL, tc.id, tc.secret, tc.token).ListKeys(ctx, &kms.ListKeysInput{})
			if got := apiCode(err); got != tc.code {
				t.Fatalf("error = %v (code %q), want %s", err, got, tc.code)
			}
			srv.take(t)
		})
	}
}

func TestSDKSTSClient(t *testing.T) {
	srv := newVerifyServer(t)
	srv.creds.add(sigv4.Credential{AccessKeyID: longID, Secret: longSecret})
	srv.creds.add(sigv4.Credential{AccessKeyID: tempID, Secret: tempSecret, SessionToken: tempToken})
	ctx := context.Background()

	for _, c := range []struct{ id, secret, token string }{{longID, longSecret, ""}, {tempID, tempSecret, tempToken}} {
		out, err := stsClient(srv.URL, c.id, c.secret, c.token).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		if aws.ToString(out.UserId) != c.id {
			t.Errorf("UserId = %q", aws.ToString(out.UserId))
		}
		o := srv.take(t)
		if o.err != nil || o.res.Service != "sts" || o.target != "GetCallerIdentity" {
			t.Fatalf("outcome = %+v", o)
		}
	}

	_, err := stsClient(srv.URL, longID, "wrong", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if got := apiCode(err); got != "InvalidSignatureException" {
		t.Fatalf("error = %v, want InvalidSignatureException", err)
	}
	srv.take(t)
}

// TestSignedRequestOverHTTP sends SDK-signed requests with awkward paths and
// queries through a real server, so Verify sees exactly what net/http parses.
func TestSignedRequestOverHTTP(t *testing.T) {
	srv := newVerifyServer(t)
	srv.creds.add(sigv4.Credential{AccessKeyID: longID, Secret: longSecret})
	for _, target := range []string{
		"/",
		"",
		"/a%20b/c~d/e.f_g-h",
		"/a%2Fb/%E2%82%AC/x+y",
		"/?b=2&a=x%20y&a=1&c=&d=%2F&e=a%2Bb&f~=*&g",
		"/path/?Action=ListKeys&Version=2014-11-01&empty=",
	} {
		t.Run(target, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+target, strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "TrentService.ListKeys")
			creds := aws.Credentials{AccessKeyID: longID, SecretAccessKey: longSecret}
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hashHex([]byte(`{}`)), "kms", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			o := srv.take(t)
			if o.err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, path %q query %q: %v", resp.StatusCode, o.path, o.query, o.err)
			}
		})
	}
}
