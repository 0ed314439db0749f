package trail

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// datasets is the shared folder of real CloudTrail data (see its SOURCES.md).
const datasets = "../../shared/datasets/cloudtrail"

func dataset(t testing.TB, name string) string {
	t.Helper()
	dir := filepath.Join(datasets, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("dataset %s not available: %v", name, err)
	}
	return dir
}

func importPaths(t testing.TB, s *Store, paths ...string) ImportSummary {
	t.Helper()
	sum, err := s.Import(context.Background(), paths, ImportOptions{})
	if err != nil {
		t.Fatalf("Import(%v): %v (errors %v)", paths, err, sum.Errors)
	}
	return sum
}

func TestImportDatasets(t *testing.T) {
	tests := []struct {
		dataset        string
		files, records int64
		stored, kms    int64 // unique eventIDs, of which KMS
	}{
		{"invictus-sigma-aws", 55, 2900, 2900, 240},
		{"stratus-red-team-detonation-logs", 35, 310, 310, 0},
		// The guide's examples reuse eventIDs: 62 records, 50 distinct.
		{"aws-kms-docs-examples", 1, 62, 50, 48},
	}
	for _, tt := range tests {
		t.Run(tt.dataset, func(t *testing.T) {
			s, _ := openTestStore(t)
			dir := dataset(t, tt.dataset)
			sum := importPaths(t, s, dir)
			if int64(sum.Files) != tt.files || sum.Records != tt.records || sum.Imported != tt.stored ||
				sum.Duplicates != tt.records-tt.stored {
				t.Errorf("summary = %+v, want %d files, %d records, %d imported", sum, tt.files, tt.records, tt.stored)
			}
			if n := countEvents(t, s); n != tt.stored {
				t.Errorf("events = %d, want %d", n, tt.stored)
			}
			if n := queryOne(t, s, "SELECT count(*) FROM events WHERE eventSource = 'kms.amazonaws.com'"); n != tt.kms {
				t.Errorf("kms events = %v, want %d", n, tt.kms)
			}
			if n := queryOne(t, s, "SELECT count(*) FROM events WHERE source NOT LIKE 'import:%'"); n != int64(0) {
				t.Errorf("%v events without an import source", n)
			}
			// Importing again adds nothing.
			again := importPaths(t, s, dir)
			if again.Imported != 0 || again.Duplicates != tt.records || countEvents(t, s) != tt.stored {
				t.Errorf("re-import summary = %+v, want 0 imported, %d duplicates", again, tt.records)
			}
		})
	}
}

// The invictus KMS records are data-plane calls services make for a user:
// Decrypt has no requestParameters.keyId, so keyArn comes from resources.
func TestImportDerivesKeyAndPrincipal(t *testing.T) {
	s, _ := openTestStore(t)
	importPaths(t, s, dataset(t, "invictus-sigma-aws"))
	if n := queryOne(t, s, `SELECT count(*) FROM events WHERE eventSource = 'kms.amazonaws.com' AND keyArn IS NULL`); n != int64(0) {
		t.Errorf("%v KMS events without keyArn", n)
	}
	if n := queryOne(t, s, `SELECT count(*) FROM events WHERE eventName = 'Decrypt' AND keyArn LIKE 'arn:aws:kms:%:key/%'`); n != int64(178) {
		t.Errorf("Decrypt events with a keyArn = %v, want 178", n)
	}
	// Records whose userIdentity lacks a type are kept, with a NULL type.
	if n := queryOne(t, s, `SELECT count(*) FROM events WHERE userIdentityType IS NULL`); n != int64(42) {
		t.Errorf("events without userIdentity.type = %v, want 42", n)
	}
	// principalArn is the role for assumed roles; callerArn the session.
	res, err := s.Query(context.Background(), `SELECT DISTINCT principalArn, callerArn FROM events
		WHERE userIdentityType = 'AssumedRole' AND sessionIssuerArn IS NOT NULL LIMIT 5`)
	if err != nil || len(res.Rows) == 0 {
		t.Fatalf("assumed-role rows: %v %v", res, err)
	}
	for _, r := range res.Rows {
		if !strings.Contains(r[0].(string), ":role/") || !strings.Contains(r[1].(string), ":assumed-role/") {
			t.Errorf("principalArn %v, callerArn %v: want the role and the session", r[0], r[1])
		}
	}
}

// An imported record is stored as it was: no field added, none lost.
func TestImportKeepsRecordBytes(t *testing.T) {
	s, _ := openTestStore(t)
	dir := t.TempDir()
	rec := `{"eventVersion":"1.0","userIdentity":{"accountId":"111122223333","invokedBy":"kms.amazonaws.com"},` +
		`"eventTime":"2014-11-05T00:00:00Z","eventSource":"kms.amazonaws.com","eventName":"RotateKey",` +
		`"awsRegion":"us-east-1","eventID":"old-1","futureField":{"x":[1,2.50]},"eventType":"AwsServiceEvent"}`
	path := filepath.Join(dir, "old.json")
	if err := os.WriteFile(path, []byte(`{"Records":[`+rec+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	importPaths(t, s, path)
	if got := queryOne(t, s, `SELECT record::VARCHAR FROM events`); got != rec {
		t.Errorf("record column:\n got %s\nwant %s", got, rec)
	}
	res, err := s.Query(context.Background(), `SELECT readOnly, managementEvent, userIdentityType, principalArn, source FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{nil, nil, nil, "kms.amazonaws.com", "import:" + path}
	for i, w := range want {
		if res.Rows[0][i] != w {
			t.Errorf("%s = %#v, want %#v", res.Columns[i], res.Rows[0][i], w)
		}
	}
}

// writeGzip writes data gzip-compressed to path, creating its directory.
func writeGzip(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readRecords returns the records of a {"Records":[...]} file.
func readRecords(t testing.TB, path string) []json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var w struct{ Records []json.RawMessage }
	if err := json.Unmarshal(data, &w); err != nil {
		t.Fatal(err)
	}
	return w.Records
}

// The invictus files laid out as CloudTrail delivers them to S3, gzipped,
// next to digest and insight files that must be skipped.
func TestImportS3Layout(t *testing.T) {
	src := dataset(t, "invictus-sigma-aws")
	root := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(src, "*.json"))
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, "AWSLogs", "218007301253", "CloudTrail", "us-east-1", "2023", "07", "10")
		if i%2 == 1 { // organization trails add the organization ID
			dir = filepath.Join(root, "AWSLogs", "o-exampleorg", "218007301253", "CloudTrail", "us-east-1", "2023", "07", "10")
		}
		writeGzip(t, filepath.Join(dir, filepath.Base(f)+".gz"), data)
	}
	writeGzip(t, filepath.Join(root, "AWSLogs", "218007301253", "CloudTrail-Digest", "us-east-1", "2023", "07", "10", "digest.json.gz"),
		[]byte(`{"awsAccountId":"218007301253","digestStartTime":"2023-07-10T11:00:00Z"}`))
	writeGzip(t, filepath.Join(root, "AWSLogs", "218007301253", "CloudTrail-Insight", "us-east-1", "2023", "07", "10", "insight.json.gz"),
		[]byte(`{"Records":[{"eventVersion":"1.08","eventType":"AwsCloudTrailInsight"}]}`))

	s, _ := openTestStore(t)
	sum := importPaths(t, s, filepath.Join(root, "AWSLogs"))
	if sum.Files != 55 || sum.Imported != 2900 {
		t.Errorf("summary = %+v, want 55 files, 2900 records", sum)
	}
}

func TestImportFormats(t *testing.T) {
	examples := readRecords(t, filepath.Join(dataset(t, "aws-kms-docs-examples"), "kms_doc_examples.json"))
	dir := t.TempDir()

	var jsonl bytes.Buffer
	for _, r := range examples {
		var c bytes.Buffer
		json.Compact(&c, r)
		jsonl.Write(c.Bytes())
		jsonl.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(dir, "records.jsonl"), jsonl.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	writeGzip(t, filepath.Join(dir, "records.jsonl.gz"), jsonl.Bytes())

	// aws cloudtrail lookup-events output: each record is a JSON string.
	type lookupEvent struct {
		EventID         string
		EventName       string
		CloudTrailEvent string
	}
	var out struct {
		Events    []lookupEvent
		NextToken string
	}
	for _, r := range examples {
		var id struct{ EventID, EventName string }
		json.Unmarshal(r, &id)
		var c bytes.Buffer
		json.Compact(&c, r)
		out.Events = append(out.Events, lookupEvent{id.EventID, id.EventName, c.String()})
	}
	out.NextToken = "abc"
	lookup, _ := json.MarshalIndent(out, "", "    ")

	arr, _ := json.Marshal(examples)
	tests := []struct {
		name, file string
		data       []byte
	}{
		{"json lines", "records.jsonl", nil},
		{"json lines gzip", "records.jsonl.gz", nil},
		{"lookup-events", "lookup.json", lookup},
		{"bare array", "array.json", arr},
		{"array gzip without .gz", "array.bin", nil},
	}
	writeGzip(t, filepath.Join(dir, "array.bin"), arr)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			if tt.data != nil {
				if err := os.WriteFile(path, tt.data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, _ := openTestStore(t)
			sum := importPaths(t, s, path)
			if sum.Records != 62 || sum.Imported != 50 {
				t.Errorf("summary %+v, want 62 records, 50 distinct eventIDs imported", sum)
			}
			// Stored compact, key order and numbers as written.
			var want bytes.Buffer
			json.Compact(&want, examples[5])
			var id struct{ EventID string }
			json.Unmarshal(examples[5], &id)
			if got := queryOne(t, s, `SELECT record::VARCHAR FROM events WHERE eventID = '`+id.EventID+`'`); got != want.String() {
				t.Errorf("record:\n got %s\nwant %s", got, want.String())
			}
		})
	}
}

func TestImportBadFileAmongGood(t *testing.T) {
	src := dataset(t, "invictus-sigma-aws")
	dir := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(src, "*.json"))
	for _, f := range files[:3] {
		data, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644)
	}
	good := readRecords(t, files[3])
	// Truncated JSON: record 2 cannot be read.
	truncated := `{"Records":[` + string(good[0]) + "," + string(good[1]) + "," + string(good[2][:40])
	os.WriteFile(filepath.Join(dir, "b-truncated.json"), []byte(truncated), 0o644)
	// A record without an eventTime at index 1: the file's other records must not land.
	var noTime map[string]any
	json.Unmarshal(good[1], &noTime)
	delete(noTime, "eventTime")
	b, _ := json.Marshal(noTime)
	os.WriteFile(filepath.Join(dir, "c-no-time.json"), []byte(`{"Records":[`+string(good[0])+","+string(b)+"]}"), 0o644)
	os.WriteFile(filepath.Join(dir, "d-not-json.json"), []byte("hello"), 0o644)

	s, _ := openTestStore(t)
	sum, err := s.Import(context.Background(), []string{dir}, ImportOptions{})
	if !errors.Is(err, ErrImportFailed) {
		t.Fatalf("Import error = %v, want ErrImportFailed", err)
	}
	var want int64
	for _, f := range files[:3] {
		want += int64(len(readRecords(t, f)))
	}
	if sum.Files != 6 || sum.Imported != want || len(sum.Errors) != 3 {
		t.Fatalf("summary = %+v, want 6 files, %d imported, 3 errors", sum, want)
	}
	wantErrs := []struct {
		file   string
		record int
		text   string
	}{
		{"b-truncated.json", 2, "unexpected EOF"},
		{"c-no-time.json", 1, "eventTime is missing"},
		{"d-not-json.json", -1, "not CloudTrail JSON"},
	}
	for i, w := range wantErrs {
		e := sum.Errors[i]
		if filepath.Base(e.Path) != w.file || e.Record != w.record || !strings.Contains(e.Error(), w.text) {
			t.Errorf("error %d = %q (record %d), want %s record %d containing %q", i, e, e.Record, w.file, w.record, w.text)
		}
	}
	if n := countEvents(t, s); n != want {
		t.Errorf("events = %d, want %d (nothing of the bad files)", n, want)
	}
	if n := queryOne(t, s, fmt.Sprintf(`SELECT count(*) FROM events WHERE eventID = '%s'`, eventIDOf(t, good[0]))); n != int64(0) {
		t.Errorf("a record of a bad file landed")
	}
}

func eventIDOf(t testing.TB, raw []byte) string {
	var id struct{ EventID string }
	if err := json.Unmarshal(raw, &id); err != nil {
		t.Fatal(err)
	}
	return id.EventID
}

// Batches commit side by side; one that shares eventIDs with a batch
// committing beside it is committed again alone: every record lands once,
// the others count as duplicates, and nothing is reported.
func TestImportConcurrentBatchesShareEventIDs(t *testing.T) {
	tpl := loadTemplates(t)
	src, dir := t.TempDir(), t.TempDir()
	const perFile, files = 50, 40
	writeCorpus(t, src, tpl, 0, perFile*files, perFile, false)
	// Each file twice, the copies next to each other; one file per batch.
	names, _ := filepath.Glob(filepath.Join(src, "*.json"))
	for _, name := range names {
		data, _ := os.ReadFile(name)
		for _, copy := range []string{"-1.json", "-2.json"} {
			os.WriteFile(filepath.Join(dir, strings.TrimSuffix(filepath.Base(name), ".json")+copy), data, 0o644)
		}
	}
	s, _ := openTestStore(t)
	sum, err := s.Import(context.Background(), []string{dir}, ImportOptions{BatchRecords: 1, Committers: 4})
	if err != nil {
		t.Fatalf("Import: %v (%+v)", err, sum.Errors)
	}
	const n = perFile * files
	if sum.Records != 2*n || sum.Imported != n || sum.Duplicates != n || len(sum.Errors) != 0 {
		t.Errorf("summary = %+v, want %d records, %d imported, %d duplicates", sum, 2*n, n, n)
	}
	if got := countEvents(t, s); got != n {
		t.Errorf("events = %d, want %d", got, n)
	}
}

// The counts of batches committed side by side are their own: a batch
// committing beside others counts only the rows it added.
func TestImportCountsBatchesCommittedSideBySide(t *testing.T) {
	dir := t.TempDir()
	const n = 40000
	writeCorpus(t, dir, loadTemplates(t), 0, n, 1000, true)
	s, _ := openTestStore(t)
	for _, want := range []struct{ imported, duplicates int64 }{{n, 0}, {0, n}} {
		sum, err := s.Import(context.Background(), []string{dir}, ImportOptions{BatchRecords: 1000, Committers: 3})
		if err != nil || sum.Imported != want.imported || sum.Duplicates != want.duplicates {
			t.Errorf("summary = %+v (%v), want %d imported, %d duplicates", sum, err, want.imported, want.duplicates)
		}
	}
	if got := countEvents(t, s); got != n {
		t.Errorf("events = %d, want %d", got, n)
	}
}
