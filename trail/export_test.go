package trail

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func allRecords(t testing.TB, s *Store) [][]any {
	t.Helper()
	res, err := s.Query(context.Background(), "SELECT eventID, record::VARCHAR FROM events ORDER BY eventID")
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows
}

// Export as CloudTrail delivers, import into a fresh store: the same rows.
func TestExportCloudTrailRoundTrip(t *testing.T) {
	s, _ := openTestStore(t)
	importPaths(t, s, dataset(t, "invictus-sigma-aws"), dataset(t, "aws-kms-docs-examples"))
	if err := s.Insert(context.Background(), analysisRecords()); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	sum, err := s.Export(context.Background(), out, ExportOptions{Format: ExportCloudTrail, Rand: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		t.Fatal(err)
	}
	n := countEvents(t, s)
	if sum.Records != n || sum.Files == 0 {
		t.Errorf("export summary %+v, want %d records", sum, n)
	}
	name := regexp.MustCompile(`^AWSLogs/(\d{12}|unknown)/CloudTrail/([a-z0-9-]+)/\d{4}/\d{2}/\d{2}/(\d{12}|unknown)_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)
	files := 0
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		files++
		rel, _ := filepath.Rel(out, p)
		if !name.MatchString(filepath.ToSlash(rel)) {
			t.Errorf("file %s does not follow CloudTrail's layout", rel)
		}
		return nil
	})
	if files != sum.Files {
		t.Errorf("%d files on disk, summary says %d", files, sum.Files)
	}

	fresh, _ := openTestStore(t)
	isum := importPaths(t, fresh, out)
	if isum.Imported != n {
		t.Errorf("re-imported %d, want %d", isum.Imported, n)
	}
	if a, b := allRecords(t, s), allRecords(t, fresh); !reflect.DeepEqual(a, b) {
		t.Errorf("round trip changed the records (%d vs %d rows)", len(a), len(b))
	}
}

func TestExportJSONLAndParquet(t *testing.T) {
	s, _ := openTestStore(t)
	importPaths(t, s, dataset(t, "aws-kms-docs-examples"))
	out := t.TempDir()
	sum, err := s.Export(context.Background(), out, ExportOptions{Format: ExportJSONL, Scope: Scope{Region: "us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := queryOne(t, s, "SELECT count(*) FROM events WHERE awsRegion = 'us-east-1'").(int64)
	if sum.Records != want || sum.Files != 1 {
		t.Errorf("jsonl summary %+v, want %d records", sum, want)
	}
	fresh, _ := openTestStore(t)
	if got := importPaths(t, fresh, filepath.Join(out, "events.jsonl")); got.Imported != want {
		t.Errorf("jsonl re-import %d, want %d", got.Imported, want)
	}

	pq := filepath.Join(t.TempDir(), "parquet")
	sum, err = s.Export(context.Background(), pq, ExportOptions{Format: ExportParquet})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Records != countEvents(t, s) || sum.Files == 0 {
		t.Errorf("parquet summary %+v", sum)
	}
	got := queryOne(t, s, "SELECT count(*) FROM read_parquet('"+pq+"/**/*.parquet', hive_partitioning = true) WHERE account = '111122223333' AND year = '2014'")
	if got.(int64) == 0 {
		t.Errorf("no 2014 events of 111122223333 in the partitioned parquet")
	}
}

// TestExportKeepsFilesInside: an imported record's account and Region name folders of the S3
// layout; values that are not an account id or a Region name go to "unknown" instead of leaving
// the export directory.
func TestExportKeepsFilesInside(t *testing.T) {
	s, _ := openTestStore(t)
	rec := call(1, "Encrypt", map[string]any{"keyId": testKey}, func(r *Record) {
		r.AWSRegion = "../../../escape"
		r.RecipientAccountID = "../../owner"
	})
	if err := s.Insert(context.Background(), []Record{rec}); err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "a", "b", "out")
	sum, err := s.Export(context.Background(), out, ExportOptions{Format: ExportCloudTrail})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 1 {
		t.Fatalf("export wrote %d files, want 1", sum.Files)
	}
	filepath.WalkDir(parent, func(p string, d os.DirEntry, err error) error {
		if !d.IsDir() && !strings.HasPrefix(p, filepath.Join(out, "AWSLogs", "unknown", "CloudTrail", "unknown")+string(filepath.Separator)) {
			t.Errorf("export wrote %s, outside %s/AWSLogs/unknown/CloudTrail/unknown", p, out)
		}
		return nil
	})
}
