package root

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
)

// TestReadmeWalk follows README.md's five-minute walk with the real AWS CLI: create a key,
// encrypt, decrypt, a denied call as another principal, then `kmsim trail query`.
func TestReadmeWalk(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	dir := t.TempDir()
	addr, stopServer := startServer(t, dir)
	run := awsCLI(t, addr)

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
