package tuicmd

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
)

func TestNewCmd(t *testing.T) {
	cases := []struct {
		args      []string
		wantErr   bool
		wantData  string
		wantWorld string
	}{
		{nil, false, serve.DefaultDataDir, ""},
		{[]string{"--data", "/tmp/kms", "--world", "w.yaml"}, false, "/tmp/kms", "w.yaml"},
		{[]string{"extra"}, true, "", ""},
	}
	for _, tc := range cases {
		var got *Options
		f := &cmdutil.Factory{IO: &cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, LoadWorld: cmdutil.LoadWorld}
		cmd := NewCmd(f, func(o *Options) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		err := cmd.Execute()
		if tc.wantErr {
			if err == nil {
				t.Errorf("%v: want an error", tc.args)
			}
			continue
		}
		if err != nil || got.DataDir != tc.wantData || got.WorldPath != tc.wantWorld {
			t.Errorf("%v: %v, options %+v", tc.args, err, got)
		}
	}
}

// TestTmuxEndToEnd runs the real binary: `kmsim serve`, one AWS CLI call, then `kmsim tui` in a
// 100×30 tmux session, and waits for the call to show in the trail view. Then it edits alias/app-data's
// policy in $EDITOR (a script that gives the EncryptionApp role's statements to SecurityAuditor),
// reads the diff, saves it through the server on confirmation, and checks with the AWS CLI's
// get-key-policy that the server has the new policy.
func TestTmuxEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: skipped with -short")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not on PATH")
	}
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not on PATH")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "kmsim")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/kmsim/kmsim/cmd/kmsim").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(tmp, "data")
	addr := freeAddr(t)

	srv := exec.Command(bin, "serve", "--addr", addr, "--data", data)
	var srvOut bytes.Buffer
	srv.Stdout, srv.Stderr = &srvOut, &srvOut
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- srv.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			srv.Process.Kill()
		}
	})
	waitUntil(t, 30*time.Second, "the server to answer", func() bool {
		_, ok := serve.ReadServerInfo(data)
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
		}
		return ok && err == nil
	})

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	awsKMS := func(args ...string) string {
		t.Helper()
		aws := exec.CommandContext(ctx, awsCLI, append([]string{"--endpoint-url", "http://" + addr, "kms"}, args...)...)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") {
				aws.Env = append(aws.Env, kv)
			}
		}
		aws.Env = append(aws.Env, "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
			"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE="+filepath.Join(tmp, "none"),
			"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(tmp, "none"), "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
		out, err := aws.CombinedOutput()
		if err != nil {
			t.Fatalf("aws kms %v: %v\n%s\nserver:\n%s", args, err, out, srvOut.String())
		}
		return string(out)
	}
	awsKMS("describe-key", "--key-id", "alias/app-data")
	editor := filepath.Join(tmp, "edit.sh")
	if err := os.WriteFile(editor, []byte("#!/bin/sh\nsed -i 's#role/EncryptionApp#role/SecurityAuditor#' \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	socket := fmt.Sprintf("kmsim-tui-test-%d", os.Getpid())
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-L", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("-f", "/dev/null", "new-session", "-d", "-s", "tui", "-x", "100", "-y", "30",
		"env", "NO_COLOR=1", "TERM=xterm-256color", "EDITOR="+editor, bin, "tui", "--data", data)
	t.Cleanup(func() { exec.Command(tmux, "-L", socket, "kill-server").Run() })

	screen := ""
	waitUntil(t, 30*time.Second, "the keys view", func() bool {
		screen = run("capture-pane", "-p", "-t", "tui")
		return strings.Contains(screen, "alias/app-data")
	})
	run("send-keys", "-t", "tui", "2")
	waitUntil(t, 30*time.Second, "the DescribeKey call in the trail view", func() bool {
		screen = run("capture-pane", "-p", "-t", "tui")
		return strings.Contains(screen, "DescribeKey") && strings.Contains(screen, "user/admin")
	})
	if !strings.Contains(screen, "live") {
		t.Errorf("the trail view does not say it is live:\n%s", screen)
	}

	waitFor := func(what string, texts ...string) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			screen = run("capture-pane", "-p", "-J", "-t", "tui")
			missing := ""
			for _, s := range texts {
				if !strings.Contains(screen, s) {
					missing = s
				}
			}
			if missing == "" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (%q):\n%s", what, missing, screen)
			}
		}
	}
	// One key at a time: keys that arrive together reach the program as one message.
	press := func(keys ...string) {
		for _, k := range keys {
			run("send-keys", "-t", "tui", k)
			time.Sleep(150 * time.Millisecond)
		}
	}
	press("1", "/", "app-data", "Enter")
	waitFor("the filtered keys", `filter "app-data"`)
	press("Enter")
	waitFor("the key detail", "Enable IAM User Permissions")
	press("d")
	waitFor("the diff of the edited policy", "Access diff:", "role/SecurityAuditor", "s saves the proposal")
	press("s")
	waitFor("the question whether to save", "through  the kmsim server at "+addr, "y saves")
	press("y")
	waitFor("AWS's answer", "Saved: AWS answered PutKeyPolicy with 200 OK.")
	if got := awsKMS("get-key-policy", "--key-id", "1234abcd-12ab-34cd-56ef-1234567890ab", "--policy-name", "default", "--output", "text"); !strings.Contains(got, "role/SecurityAuditor") || strings.Contains(got, "role/EncryptionApp") {
		t.Errorf("get-key-policy after the save:\n%s", got)
	}
	press("q")
	waitFor("the key detail", "Key policy (JSON)")
	press("G") // the statements the script changed are at the end
	waitFor("the key detail with the saved policy", "role/SecurityAuditor")
	run("send-keys", "-t", "tui", "C-c")
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
