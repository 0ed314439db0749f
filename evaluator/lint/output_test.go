package lint

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func sampleFindings(t *testing.T) []Finding {
	t.Helper()
	var all []Finding
	for _, name := range []string{"KMS004-unknown-action.json", "KMS010-public.json", "KMS018-redundant.json", "cfn-template.yaml"} {
		fs, err := New().LintFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, fs...)
	}
	Sort(all)
	return all
}

// TestSARIFStructure validates the SARIF log against the essentials of the SARIF 2.1.0 schema that
// GitHub code scanning relies on (TestSARIFSchema validates against the schema itself).
func TestSARIFStructure(t *testing.T) {
	fs := sampleFindings(t)
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, fs, "test"); err != nil {
		t.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	obj := func(v any, where string) map[string]any {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: want an object, got %T", where, v)
		}
		return m
	}
	arr := func(v any, where string) []any {
		a, ok := v.([]any)
		if !ok {
			t.Fatalf("%s: want an array, got %T", where, v)
		}
		return a
	}
	str := func(v any, where string) string {
		s, ok := v.(string)
		if !ok || s == "" {
			t.Fatalf("%s: want a non-empty string, got %#v", where, v)
		}
		return s
	}
	num := func(v any, where string) int {
		f, ok := v.(float64)
		if !ok || f != float64(int(f)) {
			t.Fatalf("%s: want an integer, got %#v", where, v)
		}
		return int(f)
	}
	if v := str(log["version"], "version"); v != "2.1.0" {
		t.Errorf("version = %q", v)
	}
	if s := str(log["$schema"], "$schema"); !strings.Contains(s, "sarif-2.1.0") {
		t.Errorf("$schema = %q", s)
	}
	runs := arr(log["runs"], "runs")
	if len(runs) != 1 {
		t.Fatalf("%d runs, want 1", len(runs))
	}
	run := obj(runs[0], "runs[0]")
	driver := obj(obj(run["tool"], "tool")["driver"], "tool.driver")
	str(driver["name"], "driver.name")
	str(driver["informationUri"], "driver.informationUri")
	levels := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	rules := arr(driver["rules"], "driver.rules")
	ruleIDs := map[string]int{}
	for i, r := range rules {
		rule := obj(r, "rule")
		id := str(rule["id"], "rule.id")
		ruleIDs[id] = i
		str(rule["name"], id+".name")
		for _, k := range []string{"shortDescription", "fullDescription", "help"} {
			str(obj(rule[k], id+"."+k)["text"], id+"."+k+".text")
		}
		if l := str(obj(rule["defaultConfiguration"], id+".defaultConfiguration")["level"], id+".level"); !levels[l] {
			t.Errorf("%s: level %q not in the SARIF enum", id, l)
		}
		tags := arr(obj(rule["properties"], id+".properties")["tags"], id+".tags")
		for _, tag := range tags {
			str(tag, id+".tag")
		}
	}
	if len(ruleIDs) != len(Rules) {
		t.Errorf("%d rules, want %d", len(ruleIDs), len(Rules))
	}
	results := arr(run["results"], "results")
	if len(results) != len(fs) || len(results) == 0 {
		t.Fatalf("%d results for %d findings", len(results), len(fs))
	}
	for _, r := range results {
		res := obj(r, "result")
		id := str(res["ruleId"], "result.ruleId")
		idx, ok := ruleIDs[id]
		if !ok {
			t.Errorf("ruleId %s is not in driver.rules", id)
		}
		if ri, ok := res["ruleIndex"]; ok && num(ri, "ruleIndex") != idx {
			t.Errorf("%s: ruleIndex %v, want %d", id, ri, idx)
		}
		if l := str(res["level"], "result.level"); !levels[l] {
			t.Errorf("%s: level %q", id, l)
		}
		str(obj(res["message"], "message")["text"], "message.text")
		locs := arr(res["locations"], "locations")
		if len(locs) == 0 {
			t.Fatalf("%s: no locations", id)
		}
		pl := obj(obj(locs[0], "location")["physicalLocation"], "physicalLocation")
		uri := str(obj(pl["artifactLocation"], "artifactLocation")["uri"], "artifactLocation.uri")
		if strings.HasPrefix(uri, "/") || strings.Contains(uri, `\`) || strings.HasPrefix(uri, "./") {
			t.Errorf("uri %q is not a relative slash path", uri)
		}
		region := obj(pl["region"], "region")
		if num(region["startLine"], "startLine") < 1 || num(region["startColumn"], "startColumn") < 1 {
			t.Errorf("%s: region %v", id, region)
		}
	}
}

func TestSeverityLevels(t *testing.T) {
	for s, want := range map[Severity]string{SeverityError: "error", SeveritySecurity: "warning", SeverityWarning: "warning", SeveritySuggestion: "note"} {
		if got := s.Level(); got != want {
			t.Errorf("%s.Level() = %q, want %q", s, got, want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("no findings = %q, want []", buf.String())
	}
	buf.Reset()
	fs := sampleFindings(t)
	if err := WriteJSON(&buf, fs); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(fs) {
		t.Fatalf("%d findings, want %d", len(got), len(fs))
	}
	for _, k := range []string{"code", "severity", "message", "file", "line", "column", "pointer", "statement"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("JSON finding lacks %q: %v", k, got[0])
		}
	}
}
