package lint

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/fixtures"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.golden")

func demoWorld(t testing.TB) *fixtures.World {
	t.Helper()
	w, err := fixtures.Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// testdataFiles lists the inputs in testdata/ (not the goldens).
func testdataFiles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestGolden lints every file in testdata/ and compares the text output with testdata/golden/NAME.golden.
// Files named KMSnnn-* must produce code KMSnnn; files named clean-* must produce nothing. Files whose
// name contains "world" are linted with the demo world.
func TestGolden(t *testing.T) {
	w := demoWorld(t)
	for _, name := range testdataFiles(t) {
		t.Run(name, func(t *testing.T) {
			var opts []Option
			if strings.Contains(name, "world") {
				opts = append(opts, WithWorld(w))
			}
			fs, err := New(opts...).LintFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteText(&buf, fs); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("output differs from %s (go test -update to refresh)\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
			for _, f := range fs {
				if f.Line < 1 || f.Column < 1 {
					t.Errorf("finding without a position: %v", f)
				}
				if _, ok := RuleByID(f.Code); !ok {
					t.Errorf("finding with an undocumented code: %v", f)
				}
			}
			switch {
			case strings.HasPrefix(name, "clean-"):
				if len(fs) != 0 {
					t.Errorf("want no findings, got:\n%s", buf.String())
				}
			case regexp.MustCompile(`^KMS\d{3}-`).MatchString(name):
				code := name[:6]
				if !hasCode(fs, code) {
					t.Errorf("want a %s finding, got:\n%s", code, buf.String())
				}
			}
		})
	}
}

func hasCode(fs []Finding, code string) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

// TestEveryCodeHasTestdata keeps one positive testdata file per rule.
func TestEveryCodeHasTestdata(t *testing.T) {
	files := strings.Join(testdataFiles(t), "\n")
	for i, r := range Rules {
		if !strings.Contains(files, r.ID+"-") {
			t.Errorf("no testdata/%s-*.json", r.ID)
		}
		if i > 0 && Rules[i-1].ID >= r.ID {
			t.Errorf("Rules not sorted at %s", r.ID)
		}
		if r.Name == "" || r.Short == "" || r.Full == "" || r.Help == "" || r.Severity.Rank() == 0 {
			t.Errorf("rule %s is incomplete", r.ID)
		}
	}
}

// TestDemoPolicies pins what the demo world's policies produce: only the intended cross-account
// access of the two keys shared with the partner account, with or without the world.
func TestDemoPolicies(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "worlds", "demo", "policies")
	files, err := Files([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 8 {
		t.Fatalf("found %d demo policies", len(files))
	}
	want := []string{
		"ams-enforced.key-policy.json:20:11 KMS011",
		"ams-enforced.key-policy.json:52:11 KMS011",
		"partner-shared.key-policy.json:58:16 KMS011",
	}
	for _, withWorld := range []bool{false, true} {
		var opts []Option
		if withWorld {
			opts = append(opts, WithWorld(demoWorld(t)))
		}
		l := New(opts...)
		var got []string
		for _, f := range files {
			fs, err := l.LintFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range fs {
				got = append(got, fmt.Sprintf("%s:%d:%d %s", filepath.Base(x.File), x.Line, x.Column, x.Code))
			}
		}
		sort.Strings(got)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("world=%v: got\n%s\nwant\n%s", withWorld, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func codes(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return strings.Join(out, ",")
}

const root = `{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}`

func policy(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// TestChecks holds the negative cases the testdata files do not (and a few more positive ones).
func TestChecks(t *testing.T) {
	app := `"Principal":{"AWS":"arn:aws:iam::111122223333:role/App"}`
	tests := []struct {
		name string
		doc  string
		kind Kind
		want string // comma-separated codes, in output order
	}{
		{"wildcard actions are known", policy(root, `{"Effect":"Allow",`+app+`,"Action":["kms:ReEncrypt*","kms:GenerateDataKey*","KMS:Decrypt","kms:encrypt"],"Resource":"*"}`), KindAuto, ""},
		{"new actions are known", policy(root, `{"Effect":"Allow",`+app+`,"Action":["kms:DeriveSharedSecret","kms:GetKeyLastUsage","kms:ReEncryptFrom"],"Resource":"*"}`), KindAuto, ""},
		{"other services are shape-checked only", policy(`{"Effect":"Allow","Action":["s3:GetObjct","dynamodb:*"],"Resource":"*"}`), KindAuto, ""},
		{"condition key applies through a wildcard", policy(root, `{"Effect":"Allow",`+app+`,"Action":"kms:Gen*","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}}}`), KindAuto, ""},
		{"condition key applicability ignores NotAction", policy(root, `{"Effect":"Deny","Principal":"*","NotAction":"kms:Describe*","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"false"}}}`), KindAuto, ""},
		{"encryption context key is a known prefix", policy(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::b"}}}`), KindAuto, ""},
		{"global keys with slashes locate", policy(`{"Effect":"Allow","Action":"kms:TagResource","Resource":"*","Condition":{"NumericEquals":{"aws:RequestTag/Project":"1"}}}`), KindAuto, "KMS009"},
		{"policy variables are not type-checked", policy(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"${aws:TokenIssueTime}"}}}`), KindAuto, ""},
		{"epoch seconds are dates", policy(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"DateGreaterThan":{"aws:EpochTime":"1700000000"},"NumericLessThan":{"aws:EpochTime":"1800000000"}}}`), KindAuto, ""},
		{"Bool true as JSON boolean", policy(root, `{"Effect":"Allow",`+app+`,"Action":"kms:CreateGrant","Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":true}}}`), KindAuto, ""},
		{"IfExists does not restrict Principal *", policy(root, `{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:CallerAccount":"111122223333"}}}`), KindAuto, "KMS010"},
		{"negated operator does not restrict Principal *", policy(root, `{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-x"}}}`), KindAuto, "KMS010"},
		{"wildcard-only value does not restrict Principal *", policy(root, `{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringLike":{"kms:CallerAccount":"*"}}}`), KindAuto, "KMS010"},
		{"Principal * on a Deny is fine", policy(root, `{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`), KindAuto, ""},
		{"NotPrincipal on a Deny is fine", policy(root, `{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}`), KindAuto, ""},
		{"same-account principals are not external", policy(root, `{"Effect":"Allow",`+app+`,"Action":"kms:Decrypt","Resource":"*"}`), KindAuto, ""},
		{"account given explicitly", policy(`{"Effect":"Allow",` + app + `,"Action":"kms:PutKeyPolicy","Resource":"*"}`), KindAuto, ""},
		{"admin with kms:Put* is not locked out", policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":["kms:Put*","kms:Describe*"],"Resource":"*"}`), KindAuto, ""},
		{"unconditional Deny of PutKeyPolicy locks out", policy(root, `{"Effect":"Deny","Principal":"*","Action":"kms:PutKeyPolicy","Resource":"*"}`), KindAuto, "KMS014"},
		{"conditional Deny of PutKeyPolicy does not lock out", policy(root, `{"Effect":"Deny","Principal":"*","Action":"kms:PutKeyPolicy","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`), KindAuto, ""},
		{"lockout is a key-policy check", policy(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}`), KindIdentity, ""},
		{"kms:* to root is fine", policy(root), KindAuto, ""},
		{"kms:* to Principal * restricted", policy(root, `{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}`), KindAuto, "KMS012"},
		{"admin and usage in one statement", policy(root, `{"Effect":"Allow",`+app+`,"Action":["kms:ScheduleKeyDeletion","kms:Decrypt"],"Resource":"*"}`), KindAuto, "KMS013"},
		{"CreateGrant from kms:Create* is left to admins", policy(root, `{"Effect":"Allow",`+app+`,"Action":["kms:Create*"],"Resource":"*"}`), KindAuto, ""},
		{"CreateGrant to root only", policy(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["kms:CreateGrant","kms:PutKeyPolicy"],"Resource":"*"}`), KindAuto, ""},
		{"ForAllValues on Deny is fine", policy(root, `{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAllValues:StringNotEquals":{"kms:EncryptionContextKeys":"Dept"}}}`), KindAuto, ""},
		{"ForAllValues in an identity policy", policy(`{"Effect":"Allow","Action":"kms:TagResource","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["Project"]}}}`), KindAuto, "KMS016"},
		{"conditional statements are not redundant", policy(root, `{"Effect":"Allow",`+app+`,"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}`, `{"Effect":"Allow",`+app+`,"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"ec2.us-east-1.amazonaws.com"}}}`), KindAuto, ""},
		{"identical statements: the later is redundant", policy(root, `{"Sid":"A","Effect":"Allow",`+app+`,"Action":"kms:Decrypt","Resource":"*"}`, `{"Sid":"B","Effect":"Allow",`+app+`,"Action":"kms:Decrypt","Resource":"*"}`), KindAuto, "KMS018"},
		{"root kms:* does not cover other principals", policy(root, `{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"}`), KindAuto, "KMS018"},
		{"identity statements compare without principals", policy(`{"Effect":"Allow","Action":"kms:*","Resource":"*"}`, `{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/*"}`), KindAuto, "KMS018"},
		{"Deny of other resources does not shadow", policy(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}`, `{"Effect":"Deny","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/1"}`), KindAuto, ""},
		{"Deny of everyone shadows an app", policy(root, `{"Effect":"Allow",`+app+`,"Action":"kms:Decrypt","Resource":"*"}`, `{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}`), KindAuto, "KMS019"},
		{"trust policies are inferred", policy(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), KindAuto, ""},
		{"principal in an identity policy is a grammar error", policy(root), KindIdentity, "KMS002"},
		{"SCP kind", policy(`{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"}`), KindSCP, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []Option{WithKind(tt.kind)}
			if tt.name == "account given explicitly" {
				opts = append(opts, WithKeyAccount("111122223333"))
			}
			fs := New(opts...).Lint("p.json", []byte(tt.doc))
			if got := codes(fs); got != tt.want {
				var buf bytes.Buffer
				_ = WriteText(&buf, fs)
				t.Errorf("codes = %q, want %q\n%s", got, tt.want, buf.String())
			}
		})
	}
}

// TestPositions checks line:column for the formats where positions are computed differently.
func TestPositions(t *testing.T) {
	tests := []struct {
		name, file, data, want string
	}{
		{"json multi-byte column", "p.json", "{\"Version\":\"2012-10-17\",\"Id\":\"é\",\n \"Statement\":[" + root + `,{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/A"},"Action":"kms:Decrpyt","Resource":"*"}]}`,
			"p.json:2:214: ERROR KMS004"},
		{"json syntax error", "p.json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [}\n", "p.json:3:17: ERROR KMS001"},
		{"json truncated", "p.json", "{\n  \"Statement\": [\n", "p.json:3:1: ERROR KMS001"},
		{"yaml syntax error", "t.yaml", "Resources:\n  K:\n    Type: [\n", "t.yaml:3:1: ERROR KMS001"},
		{"yaml tagged scalars", "t.yaml", "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:root'}\n            Action: [kms:PutKeyPolicy, !Sub 'kms:${Op}']\n            Resource: '*'\n",
			"t.yaml:9:40: ERROR KMS004"},
		{"embedded string policy", "plan.json", `{"resource_changes":[{"address":"aws_kms_key.k","type":"aws_kms_key","change":{"after":{"policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"}}}]}`,
			"plan.json:1:98: SECURITY_WARNING KMS010"},
		{"embedded invalid JSON", "plan.json", `{"resource_changes":[{"address":"aws_kms_key.k","type":"aws_kms_key","change":{"after":{"policy":"{oops"}}}]}`,
			"plan.json:1:98: ERROR KMS001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := New().Lint(tt.file, []byte(tt.data))
			if len(fs) == 0 {
				t.Fatal("no findings")
			}
			got := fs[0].String()
			if !strings.HasPrefix(got, tt.want) {
				var buf bytes.Buffer
				_ = WriteText(&buf, fs)
				t.Errorf("got %s\nwant prefix %s", buf.String(), tt.want)
			}
		})
	}
}

func TestLookupPointer(t *testing.T) {
	n, _, err := parseJSON([]byte(`{"Statement":[{"Condition":{"StringEquals":{"aws:RequestTag/a~b":"x"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := n.lookup("/Statement/0/Condition/StringEquals/aws:RequestTag/a~0b")
	if got.kind != 's' || got.str != "x" {
		t.Errorf("lookup = %+v", got)
	}
	if got := n.lookup("/Statement/7"); got.kind != 'a' {
		t.Errorf("out of range lookup = %+v, want the array", got)
	}
}

func TestSuggestions(t *testing.T) {
	for in, want := range map[string]string{
		"Decrpyt": "Decrypt", "encrypt": "Encrypt", "GenerateDatakey": "GenerateDataKey",
		"PutKeyPolcy": "PutKeyPolicy", "ScheduleKeyDeleteion": "ScheduleKeyDeletion", "Zzzzzz": "",
	} {
		if got := closest(in, kmsActions); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]Severity{"error": SeverityError, "SECURITY": SeveritySecurity, "security_warning": SeveritySecurity, "warning": SeverityWarning, "suggestion": SeveritySuggestion} {
		if got, err := ParseSeverity(in); err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseSeverity("info"); err == nil {
		t.Error("ParseSeverity(info) did not fail")
	}
}

// TestDocsCoverEveryCode keeps docs/lint.md in step with Rules.
func TestDocsCoverEveryCode(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "lint.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules {
		heading := "## " + r.ID + " " + r.Name
		i := bytes.Index(doc, []byte(heading))
		if i < 0 {
			t.Errorf("docs/lint.md has no heading %q", heading)
			continue
		}
		section := string(doc[i:])
		if j := strings.Index(section[3:], "\n## "); j >= 0 {
			section = section[:j+3]
		}
		for _, want := range []string{"Severity: " + string(r.Severity), "```json", "Fix:"} {
			if !strings.Contains(section, want) {
				t.Errorf("docs/lint.md %s lacks %q", r.ID, want)
			}
		}
	}
}

func BenchmarkLint(b *testing.B) {
	dir := filepath.Join("..", "..", "fixtures", "worlds", "demo", "policies")
	files, err := Files([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	data := make([][]byte, len(files))
	for i, f := range files {
		if data[i], err = os.ReadFile(f); err != nil {
			b.Fatal(err)
		}
	}
	l := New(WithWorld(demoWorld(b)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i, f := range files {
			l.Lint(f, data[i])
		}
	}
}
