package diffcmd_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/root"
	"github.com/kmsim/kmsim/fixtures"
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

func TestDiffGrants(t *testing.T) {
	dir := t.TempDir()
	grant := filepath.Join(dir, "grant.json")
	os.WriteFile(grant, []byte(`{"GranteePrincipal": "arn:aws:iam::444455556666:user/partner-user", "Operations": ["Decrypt"],
 "Constraints": {"EncryptionContextSubset": {"app": "billing"}}}`), 0o644)
	world := filepath.Join("..", "..", "fixtures", "worlds", "cross-account-grant", "world.yaml")
	w, err := fixtures.LoadFile(world)
	if err != nil {
		t.Fatal(err)
	}
	appGrant := w.Keys[0].Grants[0].ID
	run := func(args ...string) (cmdutil.ExitCode, string) {
		var out, errOut bytes.Buffer
		f := &cmdutil.Factory{IO: &cmdutil.IOStreams{Out: &out, ErrOut: &errOut}, LoadWorld: cmdutil.LoadWorld}
		code := root.Execute(context.Background(), f, append([]string{"diff", "--world", world, "--key", "alias/partner-shared", "--action", "decrypt"}, args...))
		return code, out.String() + errOut.String()
	}
	code, out := run("--revoke-grant", appGrant, "--fail-on-gain")
	if code != cmdutil.ExitOK || !regexp.MustCompile(`role/PartnerApp\s+lost\s+grant: kms:EncryptionContext:app = billing\s+denied`).MatchString(out) {
		t.Errorf("revoke: exit %d\n%s", code, out)
	}
	code, out = run("--grant", grant, "--fail-on-gain")
	if code != cmdutil.ExitFindings || !regexp.MustCompile(`user/partner-user\s+gained\s+denied\s+grant: kms:EncryptionContext:app = billing`).MatchString(out) {
		t.Errorf("grant: exit %d, want 3\n%s", code, out)
	}
	if code, out := run("--revoke-grant", "nope"); code != cmdutil.ExitError || !strings.Contains(out, "no such grant") {
		t.Errorf("unknown grant: exit %d\n%s", code, out)
	}
}
