package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/trail"
)

var adminCreds = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

func client(addr string) *kms.Client {
	return kms.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.StaticCredentialsProvider{Value: adminCreds},
		BaseEndpoint: aws.String("http://" + addr),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
}

func testFactory() *cmdutil.Factory {
	f := cmdutil.NewFactory()
	var sink bytes.Buffer
	f.IO = &cmdutil.IOStreams{In: strings.NewReader(""), Out: &sink, ErrOut: &sink}
	return f
}

// startInProcess runs `kmsim serve` in this process on a free port and stops it at cleanup.
func startInProcess(t *testing.T, dir string) string {
	t.Helper()
	ready := make(chan string, 1)
	stop := make(chan struct{})
	done := make(chan error, 1)
	opts := &Options{Factory: testFactory(), Addr: "127.0.0.1:0", DataDir: dir, Ready: func(a string) { ready <- a }, Stop: stop}
	go func() { done <- Run(context.Background(), opts) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	var once bool
	t.Cleanup(func() {
		if !once {
			once = true
			close(stop)
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	})
	return addr
}

// TestServeChild is the server process that TestKill9 kills; it does nothing in a normal run.
func TestServeChild(t *testing.T) {
	dir := os.Getenv("KMSIM_SERVE_CHILD_DIR")
	if dir == "" {
		t.Skip("helper process for TestKill9")
	}
	opts := &Options{Factory: testFactory(), Addr: "127.0.0.1:0", DataDir: dir, Ready: func(a string) {
		os.WriteFile(filepath.Join(dir, "addr"), []byte(a), 0o600)
	}}
	Run(context.Background(), opts)
}

// TestKill9 kills a serving process with SIGKILL in the middle of its work, then restarts on the
// same directory: every acknowledged mutation and every acknowledged call's trail record is there.
func TestKill9(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^TestServeChild$")
	child.Env = append(os.Environ(), "KMSIM_SERVE_CHILD_DIR="+dir)
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	var addr string
	for deadline := time.Now().Add(60 * time.Second); addr == ""; {
		if b, err := os.ReadFile(filepath.Join(dir, "addr")); err == nil {
			addr = string(b)
		} else if time.Now().After(deadline) {
			t.Fatal("child server did not start")
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	ctx := context.Background()
	c := client(addr)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("survives kill -9")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/survivor"), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	acked := 2
	var blobs [][]byte
	for i := 0; i < 50; i++ {
		out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/survivor"), Plaintext: []byte{byte(i)}})
		if err != nil {
			t.Fatal(err)
		}
		acked++
		blobs = append(blobs, out.CiphertextBlob)
	}
	// SIGKILL right after the last acknowledgement: nothing gets a chance to flush.
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var exitErr *exec.ExitError
	if err := child.Wait(); !errors.As(err, &exitErr) {
		t.Fatalf("child exit: %v", err)
	}

	addr = startInProcess(t, dir)
	c = client(addr)
	for i, blob := range blobs {
		out, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
		if err != nil {
			t.Fatalf("ciphertext %d: %v", i, err)
		}
		if len(out.Plaintext) != 1 || out.Plaintext[0] != byte(i) {
			t.Fatalf("ciphertext %d decrypted to %v", i, out.Plaintext)
		}
	}
	desc, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/survivor")})
	if err != nil {
		t.Fatal(err)
	}
	if *desc.KeyMetadata.Description != "survives kill -9" {
		t.Fatalf("description %q", *desc.KeyMetadata.Description)
	}
	res := queryLive(t, dir, `SELECT count(*) AS n FROM events WHERE eventName IN ('CreateKey','CreateAlias','Encrypt') AND errorCode IS NULL`)
	if got := res.Rows[0][0]; toInt(got) != acked {
		t.Fatalf("%v acknowledged calls in the trail, want %d", got, acked)
	}
}

// queryLive asks the running server for a query through its admin endpoint.
func queryLive(t *testing.T, dir, sql string) *trail.Result {
	t.Helper()
	info, ok := ReadServerInfo(dir)
	if !ok {
		t.Fatal("no server.json")
	}
	res, err := QueryServer(context.Background(), info, sql)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func toInt(v any) int {
	n, _ := strconv.Atoi(fmt.Sprint(v))
	return n
}

// TestTrailDir: with --trail-dir the trail is also written in CloudTrail's S3 layout.
func TestTrailDir(t *testing.T) {
	dir, trailDir := t.TempDir(), t.TempDir()
	ready, stop, done := make(chan string, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- Run(context.Background(), &Options{Factory: testFactory(), Addr: "127.0.0.1:0", DataDir: dir, TrailDir: trailDir, Ready: func(a string) { ready <- a }, Stop: stop})
	}()
	addr := <-ready
	if _, err := client(addr).ListKeys(context.Background(), &kms.ListKeysInput{}); err != nil {
		t.Fatal(err)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(trailDir, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "*", "*", "*", "111122223333_CloudTrail_us-east-1_*.json.gz"))
	if len(matches) != 1 {
		t.Fatalf("delivered files %v", matches)
	}
}
