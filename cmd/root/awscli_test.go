package root

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/serve"
)

// Demo-world credentials, as README.md lists them.
const (
	adminID, adminSecret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	devID, devSecret     = "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
)

// startServer runs `kmsim serve` in this process on a free port with data in dir; stop ends it
// (it is safe to call more than once, and it also runs at cleanup).
func startServer(t *testing.T, dir string) (addr string, stop func()) {
	t.Helper()
	ready, quit, done := make(chan string, 1), make(chan struct{}), make(chan error, 1)
	f, _, _ := testFactory()
	go func() {
		done <- serve.Run(context.Background(), &serve.Options{Factory: f, Addr: "127.0.0.1:0", DataDir: dir, Ready: func(a string) { ready <- a }, Stop: quit})
	}()
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			close(quit)
			<-done
		}
	}
	t.Cleanup(stop)
	return addr, stop
}

// awsCLI returns a function running the real AWS CLI against addr with the given credentials,
// isolated from the machine's AWS configuration; the test is skipped when the CLI is absent.
func awsCLI(t *testing.T, addr string) func(keyID, secret string, args ...string) (string, string, error) {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	return func(keyID, secret string, args ...string) (string, string, error) {
		cmd := exec.Command(bin, append([]string{"--endpoint-url", "http://" + addr, "--region", "us-east-1", "--output", "json"}, args...)...)
		cmd.Env = append(withoutAWSEnv(os.Environ()), "AWS_ACCESS_KEY_ID="+keyID, "AWS_SECRET_ACCESS_KEY="+secret,
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return out.String(), errOut.String(), err
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
