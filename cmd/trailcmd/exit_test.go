package trailcmd_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/root"
)

// The root maps detect's findings to exit 3, distinct from failures (1) and usage errors (2).
func TestTrailExitCodes(t *testing.T) {
	examples := filepath.Join("..", "..", "..", "shared", "datasets", "cloudtrail", "aws-kms-docs-examples")
	if _, err := os.Stat(examples); err != nil {
		t.Skip("dataset not available")
	}
	dir := t.TempDir()
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("not json"), 0o644)
	tests := []struct {
		args []string
		want cmdutil.ExitCode
	}{
		{[]string{"trail", "import", "--data", dir, examples}, cmdutil.ExitOK},
		{[]string{"trail", "import", "--data", dir, bad}, cmdutil.ExitError},
		{[]string{"trail", "detect", "--data", dir}, cmdutil.ExitOK},
		{[]string{"trail", "detect", "--data", dir, "--fail-on", "high"}, cmdutil.ExitFindings},
		{[]string{"trail", "detect", "--data", dir, "--fail-on", "critical"}, cmdutil.ExitOK},
		{[]string{"trail", "detect", "--fail-on", "severe"}, cmdutil.ExitUsage},
		{[]string{"trail", "report", "--data", dir, "key-usage", "--output", "json"}, cmdutil.ExitOK},
		{[]string{"trail", "report", "nope"}, cmdutil.ExitUsage},
		{[]string{"trail", "prune", "--data", dir}, cmdutil.ExitUsage},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}}
		if got := root.Execute(context.Background(), f, tt.args); got != tt.want {
			t.Errorf("%v: exit %d, want %d\nstderr: %s", tt.args, got, tt.want, errOut.String())
		}
	}
}
