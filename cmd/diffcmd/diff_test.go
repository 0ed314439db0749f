package diffcmd_test

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

func TestDiffFailOnGainExits3(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "open.json")
	os.WriteFile(pol, []byte(`{"Version":"2012-10-17","Statement":[
{"Sid":"KeyAdmin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Describe*","kms:PutKeyPolicy","kms:GetKeyPolicy"],"Resource":"*"},
{"Sid":"BillingDecrypt","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Billing"},"Action":"kms:Decrypt","Resource":"*"}]}`), 0o644)
	world := filepath.Join("..", "..", "fixtures", "worlds", "ec-constrained-decrypt", "world.yaml")
	run := func(args ...string) (cmdutil.ExitCode, string) {
		var out, errOut bytes.Buffer
		f := &cmdutil.Factory{IO: &cmdutil.IOStreams{Out: &out, ErrOut: &errOut}, LoadWorld: cmdutil.LoadWorld}
		code := root.Execute(context.Background(), f, args)
		return code, out.String() + errOut.String()
	}
	code, out := run("diff", "--world", world, "--key", "alias/billing", "--key-policy", pol, "--action", "decrypt", "--fail-on-gain")
	if code != cmdutil.ExitFindings || !strings.Contains(out, "arn:aws:iam::111122223333:role/Billing  changed") {
		t.Errorf("exit %d, want 3:\n%s", code, out)
	}
	code, out = run("diff", "--world", world, "--key", "alias/billing", "--key-policy", pol, "--action", "decrypt")
	if code != cmdutil.ExitOK {
		t.Errorf("without --fail-on-gain: exit %d\n%s", code, out)
	}
	code, out = run("who-can", "DECRYPT", "alias/billing", "--world", world)
	if code != cmdutil.ExitOK || !strings.Contains(out, "kms:EncryptionContext:app = billing") {
		t.Errorf("who-can: exit %d\n%s", code, out)
	}
	code, out = run("can", "arn:aws:iam::111122223333:role/Billing", "--world", world, "--output", "json")
	if code != cmdutil.ExitOK || !strings.Contains(out, `"kms:EncryptionContext:app = billing"`) {
		t.Errorf("can: exit %d\n%s", code, out)
	}
	if code, _ := run("diff", "--key", "k"); code != cmdutil.ExitUsage {
		t.Errorf("missing --key-policy: exit %d", code)
	}
}
