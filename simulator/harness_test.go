package simulator

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/trail"
)

// Demo-world principals, as README.md lists them.
var (
	adminCreds     = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	developerCreds = aws.Credentials{AccessKeyID: "AKIAI44QH8DHBEXAMPLE", SecretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"}
	partnerCreds   = aws.Credentials{AccessKeyID: "AKIAPARTNERUSEXAMPLE", SecretAccessKey: "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"}
)

// Demo-world keys.
const (
	appDataKey      = "1234abcd-12ab-34cd-56ef-1234567890ab"
	partnerKey      = "0987dcba-09fe-87dc-65ba-ab0987654321"
	legacyKey       = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	explicitDenyKey = "9c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f"
	prodAccount     = "111122223333"
)

// harness is a real simulator behind a real HTTP listener, with a real DuckDB trail.
type harness struct {
	t      testing.TB
	dir    string
	world  *fixtures.World
	sim    *Server
	http   *httptest.Server
	store  *trail.Store
	writer *trail.Writer
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessIn(t, t.TempDir())
}

func newHarnessIn(t testing.TB, dir string) *harness {
	t.Helper()
	return newHarnessWith(t, dir, func(*Config) {})
}

// newHarnessWith lets a test adjust the server's configuration.
func newHarnessWith(t testing.TB, dir string, configure func(*Config)) *harness {
	t.Helper()
	world, err := fixtures.Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, dir: dir, world: world}
	h.store, err = trail.Open(filepath.Join(dir, "kmsim.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	h.writer, err = trail.NewWriter(h.store, filepath.Join(dir, "trail.journal"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{World: world, DataDir: dir, Recorder: h.writer, Logger: slog.New(slog.NewTextHandler(testLog{t}, nil)),
		LastUse: func(ctx context.Context, keyARN string, ops []string) (*trail.Use, error) {
			if err := h.writer.Flush(ctx); err != nil {
				return nil, err
			}
			return h.store.LastUse(ctx, keyARN, ops)
		}}
	configure(&cfg)
	h.sim, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.http = httptest.NewServer(h.sim)
	t.Cleanup(h.close)
	return h
}

func (h *harness) close() {
	if h.http == nil {
		return
	}
	h.http.Close()
	h.sim.Close()
	h.writer.Close()
	h.store.Close()
	h.http = nil
}

// config is an SDK configuration for creds against the simulator, with retries off.
func (h *harness) config(creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.StaticCredentialsProvider{Value: creds},
		BaseEndpoint: aws.String(h.http.URL),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

func (h *harness) kms(creds aws.Credentials) *kms.Client { return kms.NewFromConfig(h.config(creds)) }
func (h *harness) sts(creds aws.Credentials) *sts.Client { return sts.NewFromConfig(h.config(creds)) }

// session returns the credentials of a demo role's pre-minted session.
func (h *harness) session(role string) aws.Credentials {
	h.t.Helper()
	for _, r := range h.world.Roles {
		if r.Name == role && len(r.Sessions) > 0 {
			s := r.Sessions[0]
			return aws.Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.Secret, SessionToken: s.SessionToken}
		}
	}
	h.t.Fatalf("no session for role %s", role)
	return aws.Credentials{}
}

// records flushes the trail and returns every record, oldest first.
func (h *harness) records() []trail.Record {
	h.t.Helper()
	ctx := context.Background()
	if err := h.writer.Flush(ctx); err != nil {
		h.t.Fatal(err)
	}
	res, err := h.store.Query(ctx, "SELECT record FROM events ORDER BY eventTime, requestID")
	if err != nil {
		h.t.Fatal(err)
	}
	var out []trail.Record
	for _, row := range res.Rows {
		out = append(out, decodeRecord(h.t, row[0]))
	}
	return out
}

// wantAPIError asserts err is the modeled exception T (matched by errors.As, as SDK users do)
// and returns its message.
func wantAPIError[T smithy.APIError](t *testing.T, err error) string {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("want %T, got %v", target, err)
	}
	return target.ErrorMessage()
}

// wantErrorCode asserts err is an API error with code (for exceptions the SDK does not model).
func wantErrorCode(t *testing.T, err error, code string) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("want %s, got %v", code, err)
	}
	return ae.ErrorMessage()
}

func decodeRecord(t testing.TB, v any) trail.Record {
	t.Helper()
	var raw []byte
	switch x := v.(type) {
	case string:
		raw = []byte(x)
	case []byte:
		raw = x
	default:
		var err error
		if raw, err = json.Marshal(x); err != nil {
			t.Fatal(err)
		}
	}
	var rec trail.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatalf("record %s: %v", raw, err)
	}
	return rec
}

// testLog sends the server's log lines to the test log.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
