package lint

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchema compiles the SARIF 2.1.0 JSON schema kept in testdata/sarif (see its NOTICE).
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	const url = "sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSARIFSchema validates kmsim's SARIF logs against the SARIF 2.1.0 JSON schema: a log with
// findings of several kinds (JSON policy, CloudFormation template), and an empty log.
func TestSARIFSchema(t *testing.T) {
	schema := sarifSchema(t)
	for name, fs := range map[string][]Finding{"findings": sampleFindings(t), "empty": nil} {
		var buf bytes.Buffer
		if err := WriteSARIF(&buf, fs, "test"); err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(doc); err != nil {
			t.Errorf("%s: the SARIF log does not validate: %v", name, err)
		}
	}
}

// TestSARIFSchemaRejects makes sure the schema test can fail: a result level outside the
// SARIF enum and a missing message are invalid.
func TestSARIFSchemaRejects(t *testing.T) {
	schema := sarifSchema(t)
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, sampleFindings(t), "test"); err != nil {
		t.Fatal(err)
	}
	for _, mutate := range []func(string) string{
		func(s string) string { return strings.Replace(s, `"level": "error"`, `"level": "fatal"`, 1) },
		func(s string) string { return strings.Replace(s, `"message": {`, `"note": {`, 1) },
	} {
		bad := mutate(buf.String())
		if bad == buf.String() {
			t.Fatal("mutation did not apply")
		}
		var doc any
		if err := json.Unmarshal([]byte(bad), &doc); err != nil {
			t.Fatal(err)
		}
		if schema.Validate(doc) == nil {
			t.Errorf("mutated log validates:\n%.300s", bad)
		}
	}
}
