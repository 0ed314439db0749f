package trailcmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/trail"
)

// TestServeChild is the server process TestVerbsThroughServer starts; it does nothing in a
// normal run.
func TestServeChild(t *testing.T) {
	dir := os.Getenv("KMSIM_TRAILCMD_SERVE_DIR")
	if dir == "" {
		t.Skip("helper process for TestVerbsThroughServer")
	}
	f := cmdutil.NewFactory()
	var sink bytes.Buffer
	f.IO = &cmdutil.IOStreams{In: strings.NewReader(""), Out: &sink, ErrOut: &sink}
	if err := serve.Run(context.Background(), &serve.Options{Factory: f, Addr: "127.0.0.1:0", DataDir: dir}); err != nil {
		t.Fatal(err)
	}
}

// While a server (another process) holds DIR, report, detect, export and prune go through it;
// import refuses, naming the server.
func TestVerbsThroughServer(t *testing.T) {
	dir := seeded(t)
	server := exec.Command(os.Args[0], "-test.run=^TestServeChild$")
	server.Env = append(os.Environ(), "KMSIM_TRAILCMD_SERVE_DIR="+dir)
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		server.Process.Signal(os.Interrupt)
		server.Wait()
	})
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if info, ok := serve.ReadServerInfo(dir); ok {
			if info.PID != server.Process.Pid {
				t.Fatalf("server.json names pid %d, want the child %d", info.PID, server.Process.Pid)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not start")
		}
	}
	if s, err := trail.Open(filepath.Join(dir, "kmsim.duckdb")); !errors.Is(err, trail.ErrLocked) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("opening the file beside the server: %v, want ErrLocked", err)
	}
	ctx := context.Background()

	ios, out, _ := testIO()
	if err := ReportRun(ctx, &ReportOptions{IO: ios, DataDir: dir, Name: "lifecycle", Output: "csv"}); err != nil {
		t.Fatalf("report: %v", err)
	}
	if !strings.Contains(out.String(), ",ScheduleKeyDeletion,") {
		t.Errorf("report output lacks ScheduleKeyDeletion:\n%s", out)
	}
	if err := ReportRun(ctx, &ReportOptions{IO: ios, DataDir: dir, Name: "nope", Output: "csv"}); err == nil ||
		!strings.Contains(err.Error(), "unknown report") {
		t.Errorf("unknown report: error = %v", err)
	}

	out.Reset()
	err := DetectRun(ctx, &DetectOptions{IO: ios, DataDir: dir, FailOn: trail.SeverityHigh, Output: "json"})
	var fe *cmdutil.FindingsError
	if !errors.As(err, &fe) {
		t.Fatalf("detect: error = %v, want findings at or above high", err)
	}
	if !strings.Contains(out.String(), "kms-key-policy-changed") {
		t.Errorf("detect output lacks kms-key-policy-changed:\n%s", out)
	}

	out.Reset()
	exp := t.TempDir()
	if err := ExportRun(ctx, &ExportOptions{IO: ios, DataDir: dir, OutDir: exp, Format: "jsonl"}); err != nil {
		t.Fatalf("export: %v", err)
	}
	if want := "exported 50 records to 1 files under " + exp + "\n"; out.String() != want {
		t.Errorf("export: stdout %q, want %q", out, want)
	}
	if data, err := os.ReadFile(filepath.Join(exp, "events.jsonl")); err != nil || bytes.Count(data, []byte("\n")) != 50 {
		t.Errorf("events.jsonl: %d lines, %v", bytes.Count(data, []byte("\n")), err)
	}

	before := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, want := range []bool{true, false} {
		out.Reset()
		if err := PruneRun(ctx, &PruneOptions{IO: ios, DataDir: dir, Before: before}); err != nil {
			t.Fatalf("prune: %v", err)
		}
		if deleted := out.String() != "deleted 0 events before 2015-01-01T00:00:00Z\n"; deleted != want {
			t.Errorf("prune %d: stdout %q", i+1, out)
		}
	}

	err = ImportRun(ctx, &ImportOptions{IO: ios, DataDir: dir, Paths: []string{dataset(t, "aws-kms-docs-examples")}})
	if err == nil || !strings.Contains(err.Error(), "a running kmsim server") {
		t.Errorf("import beside the server: error = %v, want one naming the server", err)
	}
}
