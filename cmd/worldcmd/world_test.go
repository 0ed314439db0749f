package worldcmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/root"
	"github.com/kmsim/kmsim/fixtures"
)

const (
	testdata = "../../fixtures/importer/testdata/"
	demo     = "../../fixtures/worlds/demo/world.yaml"
)

// run runs kmsim with args and returns its exit code, stdout and stderr.
func run(t *testing.T, args ...string) (cmdutil.ExitCode, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := cmdutil.NewFactory()
	f.IO = &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code := root.Execute(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func TestWorldImport(t *testing.T) {
	importTo := func(dir string) []byte {
		t.Helper()
		out := filepath.Join(dir, "world.yaml")
		code, stdout, stderr := run(t, "world", "import",
			"--gaad", testdata+"gaad-prod.json", "--gaad", testdata+"gaad-dev.json",
			"--keys", testdata+"keys", "--key-policies", testdata+"key-policies", "--aliases", testdata+"aliases",
			"--grants", testdata+"grants", "--scps", testdata+"scps", "--organization", testdata+"organization.json",
			"--out", out, "--credentials", filepath.Join(dir, "creds.csv"), "--seed", "round-trip")
		if code != cmdutil.ExitOK {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		if stdout != "" {
			t.Errorf("stdout = %q, want nothing (the summary goes to stderr)", stdout)
		}
		for _, want := range []string{
			"imported 2 accounts, 5 users, 3 groups, 4 roles, 6 managed policies, 3 SCPs, 5 keys, 5 aliases, 2 grants",
			"alias/aws/ebs: AWS managed alias",
			"wrote " + out + " and 1 file next to it",
			"credentials in " + filepath.Join(dir, "creds.csv"),
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		w, err := fixtures.LoadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		// The imported grants authorize: who-can sees the EBS grant to EC2 (the payments role's
		// grant is there too, but the exported SCPs leave its OU without an Allow).
		code, stdout, stderr = run(t, "who-can", "decrypt", "arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "--world", out)
		if code != cmdutil.ExitOK || !regexp.MustCompile(`ec2\.us-east-1\.amazonaws\.com\s+service\s+always\s+grant\s+always\s+grant 0a1b2c3d`).MatchString(stdout) {
			t.Errorf("who-can on the imported world: exit %d\n%s%s", code, stdout, stderr)
		}
		creds, err := os.ReadFile(filepath.Join(dir, "creds.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(creds), "\n"); n != len(w.Credentials())+1 {
			t.Errorf("creds.csv has %d lines for %d credentials", n, len(w.Credentials()))
		}
		first := strings.Split(strings.Split(string(creds), "\n")[1], ",")
		if c, ok := w.FindAccessKey(first[1]); !ok || c.SecretAccessKey != first[2] || c.ARN != first[0] {
			t.Errorf("creds.csv row %q does not authenticate in the world", first)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a, b := importTo(t.TempDir()), importTo(t.TempDir())
	if !bytes.Equal(a, b) {
		t.Errorf("two imports with the same --seed wrote different worlds")
	}
}

func TestWorldImportErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "gaad.json")
	if err := os.WriteFile(bad, []byte(`{"UserDetailList": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code cmdutil.ExitCode
		want string
	}{
		{"missing --gaad", []string{"--out", filepath.Join(dir, "w.yaml")}, cmdutil.ExitUsage, "--gaad is required"},
		{"malformed JSON", []string{"--gaad", bad, "--out", filepath.Join(dir, "w.yaml")}, cmdutil.ExitUsage,
			bad + ": line 1, column 20: invalid JSON: unexpected end of JSON input"},
		{"missing file", []string{"--gaad", filepath.Join(dir, "nope.json"), "--out", filepath.Join(dir, "w.yaml")}, cmdutil.ExitUsage,
			filepath.Join(dir, "nope.json") + ": no such file or directory"},
		{"unwritable output", []string{"--gaad", testdata + "gaad-prod.json", "--out", filepath.Join(bad, "w.yaml")}, cmdutil.ExitError,
			"not a directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"world", "import"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant %q", code, tc.code, stderr, tc.want)
			}
		})
	}
}

func TestWorldValidate(t *testing.T) {
	code, stdout, stderr := run(t, "world", "validate", demo)
	if code != cmdutil.ExitOK || !strings.Contains(stdout, `world "demo" is valid: 2 accounts, 3 users`) {
		t.Errorf("demo: exit %d\n%s%s", code, stdout, stderr)
	}

	dir := t.TempDir()
	broken := filepath.Join(dir, "world.yaml")
	text := `accounts: [{id: "111122223333"}]
users:
  - {account: "999999999999", name: bob}
keys:
  - {account: "111122223333", id: 1234abcd-12ab-34cd-56ef-1234567890ab, spec: AES_256, policy: {file: missing.json}}
`
	if err := os.WriteFile(broken, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, "world", "validate", broken)
	if code != cmdutil.ExitError || stdout != "" {
		t.Errorf("broken: exit %d, stdout %q", code, stdout)
	}
	for _, want := range []string{
		"3 errors occurred:",
		`world.yaml: keys[0].policy: file "missing.json": does not exist`,
		`world.yaml: keys[0].spec: unknown key spec "AES_256"`,
		`world.yaml: users[0].account: account "999999999999" is not declared in accounts`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	if code, _, _ := run(t, "world", "validate", filepath.Join(dir, "nope.yaml")); code != cmdutil.ExitUsage {
		t.Errorf("missing file: exit %d, want %d", code, cmdutil.ExitUsage)
	}
	if code, _, _ := run(t, "world", "validate"); code != cmdutil.ExitUsage {
		t.Errorf("no argument: exit %d, want %d", code, cmdutil.ExitUsage)
	}
}

func TestWorldShow(t *testing.T) {
	code, stdout, stderr := run(t, "world", "show")
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(stdout, "\n")
	if !strings.HasPrefix(lines[0], "kind ") || !strings.Contains(lines[0], "arn") {
		t.Errorf("header = %q", lines[0])
	}
	for _, want := range []string{
		"arn:aws:iam::111122223333:user/developer",
		"groups Developers; access keys AKIAI44QH8DHBEXAMPLE",
		"arn:aws:iam::444455556666:role/PartnerDecryptRole",
		"sessions demo-partner (ASIAPARTNERDCEXAMPLE)",
		"arn:aws:kms:us-east-1:111122223333:key/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
		"Disabled; SYMMETRIC_DEFAULT/ENCRYPT_DECRYPT; aliases alias/legacy; default key policy",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}

	code, stdout, stderr = run(t, "world", "show", "--world", demo, "--output", "json")
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	kinds := map[any]int{}
	for _, r := range rows {
		kinds[r["kind"]]++
	}
	if kinds["account"] != 2 || kinds["user"] != 3 || kinds["group"] != 1 || kinds["role"] != 4 || kinds["key"] != 5 {
		t.Errorf("rows by kind = %v", kinds)
	}

	// Grants are listed under their key.
	grantWorld := filepath.Join("..", "..", "fixtures", "worlds", "cross-account-grant", "world.yaml")
	code, stdout, stderr = run(t, "world", "show", "--world", grantWorld)
	if code != cmdutil.ExitOK || !regexp.MustCompile(`grant +111122223333 +us-east-1 +partner-app-billing +id [0-9a-f]{64}; key 44444444-4444-4444-4444-444444444444; `+
		`grantee arn:aws:iam::444455556666:role/PartnerApp; operations Decrypt, Encrypt; encryption context includes app=billing`).MatchString(stdout) {
		t.Errorf("grants: exit %d\n%s%s", code, stdout, stderr)
	}

	// VPC endpoints, and the origin of each credential that has one.
	vpceWorld := filepath.Join("..", "..", "fixtures", "worlds", "vpc-endpoint", "world.yaml")
	code, stdout, stderr = run(t, "world", "show", "--world", vpceWorld, "--output", "json")
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	rows = nil
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	want := map[string]string{
		"vpc-endpoint vpce-0a1b2c3d4e5f60718 arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0a1b2c3d4e5f60718": "vpc vpc-0a1b2c3d4e5f60718; endpoint policy",
		"origin AKIAVPCEAPP00EXAMPLE arn:aws:iam::111122223333:user/app":                                             "vpc endpoint vpce-0a1b2c3d4e5f60718; source ip 10.0.1.15",
		"origin AKIALAPTOP000EXAMPLE arn:aws:iam::111122223333:user/laptop-admin":                                    "source ip 203.0.113.10",
	}
	got := map[string]string{}
	for _, r := range rows {
		if r["kind"] == "vpc-endpoint" || r["kind"] == "origin" {
			got[fmt.Sprintf("%v %v %v", r["kind"], r["name"], r["arn"])] = fmt.Sprint(r["details"])
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("endpoints and origins = %v, want %v", got, want)
	}
}
