package root

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
)

// TestReadmeWalk follows README.md's five-minute walk with the real AWS CLI: create a key,
// encrypt, decrypt, a denied call as another principal, then `kmsim trail query`.
func TestReadmeWalk(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	dir := t.TempDir()
	ready := make(chan string, 1)
	stop := make(chan struct{})
	done := make(chan error, 1)
	f, _, _ := testFactory()
	go func() {
		done <- serve.Run(context.Background(), &serve.Options{Factory: f, Addr: "127.0.0.1:0", DataDir: dir, Ready: func(a string) { ready <- a }, Stop: stop})
	}()
	addr := <-ready
	stopped := false
	stopServer := func() {
		if !stopped {
			stopped = true
			close(stop)
			<-done
		}
	}
	defer stopServer()

	run := func(keyID, secret string, args ...string) (string, string, error) {
		cmd := exec.Command(awsCLI, append([]string{"--endpoint-url", "http://" + addr, "--region", "us-east-1", "--output", "json"}, args...)...)
		cmd.Env = append(withoutAWSEnv(os.Environ()), "AWS_ACCESS_KEY_ID="+keyID, "AWS_SECRET_ACCESS_KEY="+secret,
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return out.String(), errOut.String(), err
	}
	const adminID, adminSecret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	const devID, devSecret = "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"

	out, stderr, err := run(adminID, adminSecret, "kms", "create-key", "--description", "walk")
	if err != nil {
		t.Fatalf("create-key: %v\n%s", err, stderr)
	}
	var created struct{ KeyMetadata struct{ KeyId, Arn string } }
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.KeyMetadata.KeyId == "" {
		t.Fatalf("create-key output %q: %v", out, err)
	}
	plain := filepath.Join(dir, "plain.txt")
	os.WriteFile(plain, []byte("hello kmsim"), 0o600)
	out, stderr, err = run(adminID, adminSecret, "kms", "encrypt", "--key-id", created.KeyMetadata.KeyId,
		"--plaintext", "fileb://"+plain, "--encryption-context", "purpose=walk", "--query", "CiphertextBlob", "--output", "text")
	if err != nil {
		t.Fatalf("encrypt: %v\n%s", err, stderr)
	}
	blobFile := filepath.Join(dir, "blob.b64")
	os.WriteFile(blobFile, []byte(strings.TrimSpace(out)), 0o600)
	ct := filepath.Join(dir, "blob.bin")
	raw, _ := decodeBase64(strings.TrimSpace(out))
	os.WriteFile(ct, raw, 0o600)
	out, stderr, err = run(adminID, adminSecret, "kms", "decrypt", "--ciphertext-blob", "fileb://"+ct,
		"--encryption-context", "purpose=walk", "--query", "Plaintext", "--output", "text")
	if err != nil {
		t.Fatalf("decrypt: %v\n%s", err, stderr)
	}
	if got, _ := decodeBase64(strings.TrimSpace(out)); string(got) != "hello kmsim" {
		t.Fatalf("decrypted %q", got)
	}
	_, stderr, err = run(devID, devSecret, "kms", "encrypt", "--key-id", created.KeyMetadata.KeyId, "--plaintext", "fileb://"+plain)
	if err == nil || !strings.Contains(stderr, "AccessDeniedException") || !strings.Contains(stderr, "user/developer is not authorized to perform: kms:Encrypt") {
		t.Fatalf("developer encrypt: err %v, stderr %s", err, stderr)
	}

	// The same query through the live server, then from the file once the server is gone.
	for _, phase := range []string{"while serving", "after the server stopped"} {
		if phase == "after the server stopped" {
			stopServer()
		}
		g, stdout, stderr := testFactory()
		code := Execute(context.Background(), g, []string{"trail", "query", "--data", dir, "--output", "csv",
			"SELECT eventName, errorCode, principalArn FROM events WHERE eventSource = 'kms.amazonaws.com' ORDER BY eventTime, eventName"})
		if code != cmdutil.ExitOK {
			t.Fatalf("%s: trail query exit %d: %s", phase, code, stderr)
		}
		got := stdout.String()
		for _, want := range []string{
			"CreateKey,,arn:aws:iam::111122223333:user/admin",
			"Encrypt,,arn:aws:iam::111122223333:user/admin",
			"Decrypt,,arn:aws:iam::111122223333:user/admin",
			"Encrypt,AccessDeniedException,arn:aws:iam::111122223333:user/developer",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: trail query output lacks %q:\n%s", phase, want, got)
			}
		}
	}
}

// withoutAWSEnv drops the caller's AWS settings so the CLI uses only what the test gives it.
func withoutAWSEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return out
}
