package sigv4_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/kmsim/kmsim/simulator/sigv4"
)

const (
	longID     = "AKIAIOSFODNN7EXAMPLE"
	longSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tempID     = "ASIAIOSFODNN7EXAMPLE"
	tempSecret = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
	tempToken  = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=="

	msgInvalidToken = "The security token included in the request is invalid."
	msgExpiredToken = "The security token included in the request is expired"
	msgMismatch     = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

var signTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// tempExpiration is when the temporary credential expires.
var tempExpiration = signTime.Add(time.Hour)

func lookup(id string) (sigv4.Credential, bool) {
	switch id {
	case longID:
		return sigv4.Credential{AccessKeyID: longID, Secret: longSecret}, true
	case tempID:
		return sigv4.Credential{AccessKeyID: tempID, Secret: tempSecret, SessionToken: tempToken, Expiration: tempExpiration}, true
	}
	return sigv4.Credential{}, false
}

type signSpec struct {
	id, secret, token string
	method, url       string
	body              string
	headers           map[string]string
	multi             http.Header // added with Header.Add, for repeated headers
	service, region   string
	payloadHash       string
	at                time.Time
}

func hashHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// kmsSpec is a typical KMS JSON 1.1 request signed with the long-term key.
func kmsSpec() signSpec {
	return signSpec{
		id: longID, secret: longSecret,
		method: http.MethodPost, url: "https://kms.us-east-1.amazonaws.com/",
		body: `{"KeyId":"alias/test","Plaintext":"aGVsbG8="}`,
		headers: map[string]string{
			"X-Amz-Target": "TrentService.Encrypt",
			"Content-Type": "application/x-amz-json-1.1",
			"User-Agent":   "aws-sdk-go-v2/1.0 test",
		},
		service: "kms", region: "us-east-1", at: signTime,
	}
}

// sign builds a request and signs it with the SDK's real SigV4 signer.
func sign(t testing.TB, s signSpec) *http.Request {
	t.Helper()
	req, err := http.NewRequest(s.method, s.url, bytes.NewReader([]byte(s.body)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range s.headers {
		req.Header.Set(k, v)
	}
	for k, vs := range s.multi {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	ph := s.payloadHash
	if ph == "" {
		ph = hashHex([]byte(s.body))
	}
	creds := aws.Credentials{AccessKeyID: s.id, SecretAccessKey: s.secret, SessionToken: s.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, ph, s.service, s.region, s.at); err != nil {
		t.Fatal(err)
	}
	return req
}

func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var se *sigv4.Error
	if !errors.As(err, &se) {
		t.Fatalf("error = %v (%T), want *sigv4.Error %s", err, err, code)
	}
	if se.Code != code {
		t.Errorf("code = %q, want %q (message %q)", se.Code, code, se.Message)
	}
	if msg != "" && se.Message != msg {
		t.Errorf("message = %q\n                 want %q", se.Message, msg)
	}
}

func TestVerifyAccepts(t *testing.T) {
	tests := []struct {
		name   string
		spec   func() signSpec
		mutate func(*http.Request)
		id     string
	}{
		{name: "long-term key", spec: kmsSpec, id: longID},
		{name: "session token", spec: func() signSpec {
			s := kmsSpec()
			s.id, s.secret, s.token = tempID, tempSecret, tempToken
			return s
		}, id: tempID},
		{name: "empty body", spec: func() signSpec {
			s := kmsSpec()
			s.body = ""
			return s
		}, id: longID},
		{name: "unsigned user agent changed", spec: kmsSpec, mutate: func(r *http.Request) {
			r.Header.Set("User-Agent", "something else entirely")
		}, id: longID},
		{name: "header values with excess spaces", spec: func() signSpec {
			s := kmsSpec()
			s.headers["X-Amz-Meta-Note"] = "  a   b  c "
			s.headers["X-Custom"] = "x    y"
			return s
		}, id: longID},
		{name: "multi-valued header", spec: func() signSpec {
			s := kmsSpec()
			s.multi = http.Header{"X-Amz-Meta-Multi": {" one ", "two  three"}}
			return s
		}, id: longID},
		{name: "query string", spec: func() signSpec {
			s := kmsSpec()
			s.method, s.body = http.MethodGet, ""
			s.url = "https://kms.us-east-1.amazonaws.com/?b=2&a=x%20y&a=1&c=&d=%2F&e=a%2Bb&f~=*"
			return s
		}, id: longID},
		{name: "unsigned payload", spec: func() signSpec {
			s := kmsSpec()
			s.payloadHash = "UNSIGNED-PAYLOAD"
			s.headers["X-Amz-Content-Sha256"] = "UNSIGNED-PAYLOAD"
			return s
		}, id: longID},
		{name: "explicit content sha256", spec: func() signSpec {
			s := kmsSpec()
			s.headers["X-Amz-Content-Sha256"] = hashHex([]byte(s.body))
			return s
		}, id: longID},
		{name: "other region and service", spec: func() signSpec {
			s := kmsSpec()
			s.region, s.service = "eu-west-3", "sts"
			return s
		}, id: longID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.spec()
			req := sign(t, s)
			if tt.mutate != nil {
				tt.mutate(req)
			}
			res, err := sigv4.Verify(req, []byte(s.body), lookup, signTime.Add(3*time.Minute))
			if err != nil {
				t.Fatalf("Verify: %v\nAuthorization: %s", err, req.Header.Get("Authorization"))
			}
			if res.AccessKeyID != tt.id || res.Region != s.region || res.Service != s.service || !res.SignedAt.Equal(signTime) {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

func TestVerifySignsContentLengthAndTarget(t *testing.T) {
	req := sign(t, kmsSpec())
	auth := req.Header.Get("Authorization")
	for _, h := range []string{"content-length", "content-type", "host", "x-amz-date", "x-amz-target"} {
		if !strings.Contains(auth, h) {
			t.Errorf("SignedHeaders lacks %s: %s", h, auth)
		}
	}
	if strings.Contains(auth, "user-agent") {
		t.Errorf("SDK unexpectedly signed user-agent: %s", auth)
	}
	// A server-side request carries Content-Length as a header, not only as a field.
	n := len(kmsSpec().body)
	req.Header.Set("Content-Length", strconv.Itoa(n))
	if _, err := sigv4.Verify(req, []byte(kmsSpec().body), lookup, signTime); err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Length", strconv.Itoa(n+1))
	_, err := sigv4.Verify(req, []byte(kmsSpec().body), lookup, signTime)
	wantErr(t, err, "InvalidSignatureException", msgMismatch)
}

func TestVerifyDoesNotMutateRequest(t *testing.T) {
	s := kmsSpec()
	s.headers["X-Custom"] = "  a   b "
	req := sign(t, s)
	if _, err := sigv4.Verify(req, []byte(s.body), lookup, signTime); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("X-Custom"); got != "  a   b " {
		t.Errorf("header rewritten to %q", got)
	}
}

var sigRE = regexp.MustCompile(`Signature=[0-9a-f]+`)

func TestVerifyErrors(t *testing.T) {
	temp := func() signSpec {
		s := kmsSpec()
		s.id, s.secret, s.token = tempID, tempSecret, tempToken
		return s
	}
	setAuth := func(v string) func(*http.Request, *[]byte) {
		return func(r *http.Request, _ *[]byte) { r.Header.Set("Authorization", v) }
	}
	replaceAuth := func(old, new string) func(*http.Request, *[]byte) {
		return func(r *http.Request, _ *[]byte) {
			a := r.Header.Get("Authorization")
			if !strings.Contains(a, old) {
				panic("authorization lacks " + old + ": " + a)
			}
			r.Header.Set("Authorization", strings.Replace(a, old, new, 1))
		}
	}
	tests := []struct {
		name   string
		spec   func() signSpec
		mutate func(*http.Request, *[]byte)
		now    time.Time
		code   string
		msg    string
	}{
		{name: "tampered body", spec: kmsSpec, mutate: func(_ *http.Request, b *[]byte) {
			*b = []byte(`{"KeyId":"alias/evil","Plaintext":"aGVsbG8="}`)
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "tampered signed header", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.Header.Set("X-Amz-Target", "TrentService.Decrypt")
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "tampered host", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.Host = "kms.us-west-2.amazonaws.com"
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "tampered method", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.Method = http.MethodPut
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "tampered path", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.URL.Path = "/x"
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "added query", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.URL.RawQuery = "a=b"
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "signed header removed", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.Header.Del("Content-Type")
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "wrong secret", spec: func() signSpec {
			s := kmsSpec()
			s.secret = "not-the-secret"
			return s
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "signature altered", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", sigRE.ReplaceAllString(a, "Signature="+strings.Repeat("0", 64)))
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "signature not hex", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", sigRE.ReplaceAllString(a, "Signature=zz"))
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "region in scope changed", spec: kmsSpec, mutate: replaceAuth("/us-east-1/", "/us-west-2/"),
			code: "InvalidSignatureException", msg: msgMismatch},
		{name: "content sha256 does not match body", spec: func() signSpec {
			s := kmsSpec()
			s.headers["X-Amz-Content-Sha256"] = hashHex([]byte("other"))
			s.payloadHash = hashHex([]byte("other"))
			return s
		}, code: "InvalidSignatureException", msg: msgMismatch},
		{name: "unknown key", spec: func() signSpec {
			s := kmsSpec()
			s.id = "AKIAUNKNOWNUNKNOWN00"
			return s
		}, code: "UnrecognizedClientException", msg: msgInvalidToken},
		{name: "missing token", spec: temp, mutate: func(r *http.Request, _ *[]byte) {
			r.Header.Del("X-Amz-Security-Token")
		}, code: "UnrecognizedClientException", msg: msgInvalidToken},
		{name: "temporary key signed without token", spec: func() signSpec {
			s := temp()
			s.token = ""
			return s
		}, code: "UnrecognizedClientException", msg: msgInvalidToken},
		{name: "wrong token", spec: func() signSpec {
			s := temp()
			s.token = "some-other-token"
			return s
		}, code: "UnrecognizedClientException", msg: msgInvalidToken},
		{name: "token with long-term key", spec: func() signSpec {
			s := kmsSpec()
			s.token = tempToken
			return s
		}, code: "UnrecognizedClientException", msg: msgInvalidToken},
		{name: "expired token", spec: func() signSpec {
			s := temp()
			s.at = tempExpiration.Add(time.Minute)
			return s
		}, now: tempExpiration.Add(time.Minute), code: "ExpiredTokenException", msg: msgExpiredToken},
		{name: "skew past 16 min", spec: kmsSpec, now: signTime.Add(16 * time.Minute), code: "InvalidSignatureException",
			msg: "Signature expired: 20240101T000000Z is now earlier than 20240101T000100Z (20240101T001600Z - 15 min.)"},
		{name: "skew past 30 min (AWS example)", spec: kmsSpec, now: signTime.Add(30 * time.Minute), code: "InvalidSignatureException",
			msg: "Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z (20240101T003000Z - 15 min.)"},
		{name: "skew future 16 min", spec: kmsSpec, now: signTime.Add(-16 * time.Minute), code: "InvalidSignatureException",
			msg: "Signature not yet current: 20240101T000000Z is still later than 20231231T235900Z (20231231T234400Z + 15 min.)"},
		{name: "missing authorization", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.Header.Del("Authorization")
		}, code: "MissingAuthenticationTokenException", msg: "Missing Authentication Token"},
		{name: "garbled authorization", spec: kmsSpec, mutate: setAuth("AWS4-HMAC-SHA256 garbage"), code: "IncompleteSignatureException",
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 garbage"},
		{name: "non-AWS4 scheme", spec: kmsSpec, mutate: setAuth("Bearer abc.def"), code: "IncompleteSignatureException",
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc.def"},
		{name: "missing signature", spec: kmsSpec,
			mutate: setAuth("AWS4-HMAC-SHA256 Credential=" + longID + "/20240101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date"),
			code:   "IncompleteSignatureException",
			msg:    "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + longID + "/20240101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date"},
		{name: "missing everything and date", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256")
			r.Header.Del("X-Amz-Date")
		}, code: "IncompleteSignatureException",
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256"},
		{name: "missing date only", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.Header.Del("X-Amz-Date")
		}, code: "IncompleteSignatureException"},
		{name: "malformed date", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.Header.Set("X-Amz-Date", "2024-01-01T00:00:00Z")
		}, code: "IncompleteSignatureException"},
		{name: "credential with four elements", spec: kmsSpec, mutate: replaceAuth("/kms/aws4_request", "/aws4_request"),
			code: "IncompleteSignatureException",
			msg:  "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + longID + "/20240101/us-east-1/aws4_request'"},
		{name: "wrong terminator", spec: kmsSpec, mutate: replaceAuth("aws4_request", "aws4_requesx"),
			code: "InvalidSignatureException", msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requesx'."},
		{name: "scope date mismatch", spec: kmsSpec, mutate: replaceAuth("/20240101/", "/20240102/"),
			code: "InvalidSignatureException",
			msg:  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240102' != '20240101', from '20240101T000000Z'."},
		{name: "empty region", spec: kmsSpec, mutate: replaceAuth("/us-east-1/", "//"),
			code: "InvalidSignatureException", msg: "Credential should be scoped to a valid region. "},
		{name: "host not signed", spec: kmsSpec, mutate: replaceAuth("SignedHeaders=content-length;content-type;host;", "SignedHeaders=content-length;content-type;"),
			code: "InvalidSignatureException", msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "header and query auth", spec: kmsSpec, mutate: func(r *http.Request, _ *[]byte) {
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
		}, code: "InvalidSignatureException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.spec()
			req := sign(t, s)
			body := []byte(s.body)
			if tt.mutate != nil {
				tt.mutate(req, &body)
			}
			now := tt.now
			if now.IsZero() {
				now = signTime
			}
			res, err := sigv4.Verify(req, body, lookup, now)
			if err == nil {
				t.Fatalf("Verify succeeded: %+v", res)
			}
			wantErr(t, err, tt.code, tt.msg)
		})
	}
}

func TestVerifySkewBoundary(t *testing.T) {
	s := kmsSpec()
	for _, d := range []time.Duration{-15 * time.Minute, -14 * time.Minute, 14 * time.Minute, 15 * time.Minute} {
		if _, err := sigv4.Verify(sign(t, s), []byte(s.body), lookup, signTime.Add(d)); err != nil {
			t.Errorf("now = signed%+v: %v", d, err)
		}
	}
}

func TestVerifyTemporaryBeforeExpiration(t *testing.T) {
	s := kmsSpec()
	s.id, s.secret, s.token = tempID, tempSecret, tempToken
	s.at = tempExpiration.Add(-time.Second)
	if _, err := sigv4.Verify(sign(t, s), []byte(s.body), lookup, s.at); err != nil {
		t.Fatal(err)
	}
}

func TestErrorString(t *testing.T) {
	err := error(&sigv4.Error{Code: "X", Message: "y"})
	if !strings.Contains(err.Error(), "X") || !strings.Contains(err.Error(), "y") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func presign(t *testing.T, spec signSpec, expires string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(spec.method, spec.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := req.URL.Query()
	if expires != "" {
		q.Set("X-Amz-Expires", expires)
	}
	req.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: spec.id, SecretAccessKey: spec.secret, SessionToken: spec.token}
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, hashHex(nil), spec.service, spec.region, spec.at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(spec.method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if !strings.EqualFold(k, "host") {
			out.Header[k] = v
		}
	}
	return out
}

func TestVerifyPresigned(t *testing.T) {
	spec := signSpec{
		id: tempID, secret: tempSecret, token: tempToken,
		method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
		service: "sts", region: "us-east-1", at: signTime,
	}
	req := presign(t, spec, "60")
	if req.Header.Get("Authorization") != "" || req.URL.Query().Get("X-Amz-Signature") == "" {
		t.Fatalf("not presigned: %s", req.URL)
	}
	if got := sigv4.AccessKeyID(req); got != tempID {
		t.Errorf("AccessKeyID = %q", got)
	}
	res, err := sigv4.Verify(req, nil, lookup, signTime.Add(30*time.Second))
	if err != nil {
		t.Fatalf("Verify: %v (%s)", err, req.URL)
	}
	if res.Service != "sts" || res.AccessKeyID != tempID {
		t.Errorf("result = %+v", res)
	}

	_, err = sigv4.Verify(req, nil, lookup, signTime.Add(61*time.Second))
	wantErr(t, err, "InvalidSignatureException", "")
	if se := (*sigv4.Error)(nil); errors.As(err, &se) && !strings.HasPrefix(se.Message, "Signature expired: 20240101T000000Z") {
		t.Errorf("message = %q", se.Message)
	}

	tampered := presign(t, spec, "60")
	q := tampered.URL.Query()
	q.Set("Action", "AssumeRole")
	tampered.URL.RawQuery = q.Encode()
	_, err = sigv4.Verify(tampered, nil, lookup, signTime)
	wantErr(t, err, "InvalidSignatureException", msgMismatch)

	noSig := presign(t, spec, "60")
	q = noSig.URL.Query()
	q.Del("X-Amz-Signature")
	noSig.URL.RawQuery = q.Encode()
	_, err = sigv4.Verify(noSig, nil, lookup, signTime)
	wantErr(t, err, "IncompleteSignatureException", "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.")

	noToken := presign(t, spec, "60")
	q = noToken.URL.Query()
	q.Del("X-Amz-Security-Token")
	noToken.URL.RawQuery = q.Encode()
	_, err = sigv4.Verify(noToken, nil, lookup, signTime)
	wantErr(t, err, "UnrecognizedClientException", msgInvalidToken)

	// Without X-Amz-Expires the 15-minute window applies.
	long := spec
	long.id, long.secret, long.token = longID, longSecret, ""
	if _, err := sigv4.Verify(presign(t, long, ""), nil, lookup, signTime.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
}

func TestAccessKeyID(t *testing.T) {
	req := sign(t, kmsSpec())
	if got := sigv4.AccessKeyID(req); got != longID {
		t.Errorf("header: AccessKeyID = %q", got)
	}
	// Extraction does not verify: a wrong secret still names the key.
	s := kmsSpec()
	s.id, s.secret = "AKIANOBODY", "x"
	if got := sigv4.AccessKeyID(sign(t, s)); got != "AKIANOBODY" {
		t.Errorf("unverified: AccessKeyID = %q", got)
	}
	for _, auth := range []string{"", "Bearer x", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=", "AWS4-HMAC-SHA256 Signature=abc"} {
		r, _ := http.NewRequest(http.MethodPost, "https://kms.us-east-1.amazonaws.com/", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if got := sigv4.AccessKeyID(r); got != "" {
			t.Errorf("%q: AccessKeyID = %q", auth, got)
		}
	}
	r, _ := http.NewRequest(http.MethodGet, "https://sts.amazonaws.com/?X-Amz-Credential="+url.QueryEscape("AKIAQUERY/20240101/us-east-1/sts/aws4_request"), nil)
	if got := sigv4.AccessKeyID(r); got != "AKIAQUERY" {
		t.Errorf("query: AccessKeyID = %q", got)
	}
}
