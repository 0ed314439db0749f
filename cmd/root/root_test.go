package root

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
)

func decodeBase64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// testFactory returns a factory with captured output.
func testFactory() (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	f := cmdutil.NewFactory()
	var out, errOut bytes.Buffer
	f.IO = &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	return f, &out, &errOut
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		want cmdutil.ExitCode
	}{
		{[]string{"--help"}, cmdutil.ExitOK},
		{[]string{"no-such-command"}, cmdutil.ExitUsage},
		{[]string{"serve", "--no-such-flag"}, cmdutil.ExitUsage},
		{[]string{"trail", "query"}, cmdutil.ExitUsage},
		{[]string{"trail", "query", "--output", "xml", "SELECT 1"}, cmdutil.ExitUsage},
		{[]string{"rego", "translate", "--kind", "nope", "x.json"}, cmdutil.ExitUsage},
		{[]string{"rego", "translate", "/no/such/file.json"}, cmdutil.ExitError},
		{[]string{"trail", "query", "--data", "/no/such/dir", "SELECT 1"}, cmdutil.ExitError},
	}
	for _, tc := range cases {
		f, _, errOut := testFactory()
		if got := Execute(context.Background(), f, tc.args); got != tc.want {
			t.Errorf("%v: exit %d, want %d (stderr %s)", tc.args, got, tc.want, errOut)
		}
	}
}

func TestRegoTranslate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key-policy.json")
	os.WriteFile(path, []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`), 0o600)
	f, out, errOut := testFactory()
	if code := Execute(context.Background(), f, []string{"rego", "translate", path}); code != cmdutil.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"package ", `Enable IAM User Permissions`} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("translation lacks %q:\n%s", want, out)
		}
	}
}
