package sigv4_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kmsim/kmsim/simulator/sigv4"
)

// TestAWSCLI drives the verifier with the AWS CLI (botocore's signer), which
// catches canonicalization differences from the Go SDK.
func TestAWSCLI(t *testing.T) {
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not on PATH")
	}
	if testing.Short() {
		t.Skip("slow: starts the AWS CLI")
	}
	srv := newVerifyServer(t)
	srv.creds.add(sigv4.Credential{AccessKeyID: longID, Secret: longSecret})
	srv.creds.add(sigv4.Credential{AccessKeyID: tempID, Secret: tempSecret, SessionToken: tempToken, Expiration: time.Now().Add(time.Hour)})
	dir := t.TempDir()

	run := func(t *testing.T, id, secret, token string, args ...string) (string, string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, awsPath, append([]string{"--endpoint-url", srv.URL, "--output", "json"}, args...)...)
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") {
				env = append(env, kv)
			}
		}
		env = append(env,
			"AWS_ACCESS_KEY_ID="+id,
			"AWS_SECRET_ACCESS_KEY="+secret,
			"AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
			"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
			"AWS_EC2_METADATA_DISABLED=true",
			"AWS_MAX_ATTEMPTS=1",
			"AWS_RETRY_MODE=standard",
			"AWS_PAGER=",
		)
		if token != "" {
			env = append(env, "AWS_SESSION_TOKEN="+token)
		}
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}

	ok := []struct {
		name, id, secret, token, service, target string
		args                                     []string
	}{
		{"kms list-keys", longID, longSecret, "", "kms", "TrentService.ListKeys", []string{"kms", "list-keys"}},
		{"kms list-keys session token", tempID, tempSecret, tempToken, "kms", "TrentService.ListKeys", []string{"kms", "list-keys"}},
		{"kms describe-key", longID, longSecret, "", "kms", "TrentService.DescribeKey", []string{"kms", "describe-key", "--key-id", "alias/with spaces+plus/ü"}},
		{"sts get-caller-identity", longID, longSecret, "", "sts", "GetCallerIdentity", []string{"sts", "get-caller-identity"}},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, err := run(t, tc.id, tc.secret, tc.token, tc.args...)
			o := srv.take(t)
			if o.err != nil {
				t.Fatalf("verifier rejected the CLI: %v\nstderr: %s", o.err, stderr)
			}
			if err != nil {
				t.Fatalf("aws: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
			}
			if o.res.AccessKeyID != tc.id || o.res.Service != tc.service || o.res.Region != "us-east-1" || o.target != tc.target {
				t.Errorf("outcome = %+v", o)
			}
		})
	}

	t.Run("wrong secret", func(t *testing.T) {
		_, stderr, err := run(t, longID, "wrong", "", "kms", "list-keys")
		if err == nil || !strings.Contains(stderr, "InvalidSignatureException") {
			t.Fatalf("err = %v, stderr: %s", err, stderr)
		}
		srv.take(t)
	})
}
