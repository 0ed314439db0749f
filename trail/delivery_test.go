package trail

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeliveryWriterLayout: records land in CloudTrail's bucket layout, one file per account,
// Region and 5-minute window, and import back into a store unchanged.
func TestDeliveryWriterLayout(t *testing.T) {
	dir := t.TempDir()
	d := NewDeliveryWriter(dir, 0)
	at := func(i int, eventTime, account, region string) Record {
		r := testRecord(i)
		r.EventTime, r.RecipientAccountID, r.AWSRegion = eventTime, account, region
		return r
	}
	recs := []Record{
		at(1, "2025-03-01T10:01:00Z", "111122223333", "us-east-1"),
		at(2, "2025-03-01T10:04:59Z", "111122223333", "us-east-1"),
		at(3, "2025-03-01T10:05:00Z", "111122223333", "us-east-1"),
		at(4, "2025-03-01T10:01:00Z", "444455556666", "eu-west-1"),
	}
	for i := range recs {
		if err := (Tee{d}).Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return nil
	})
	if len(files) != 3 {
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		if !strings.HasPrefix(f, "AWSLogs/") || !strings.HasSuffix(f, ".json.gz") || strings.Contains(f, ".tmp") {
			t.Errorf("file %s", f)
		}
	}
	if !containsPrefix(files, "AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/01/111122223333_CloudTrail_us-east-1_20250301T1000Z_") ||
		!containsPrefix(files, "AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/01/111122223333_CloudTrail_us-east-1_20250301T1005Z_") {
		t.Errorf("window names %v", files)
	}
	s, err := Open(filepath.Join(t.TempDir(), "kmsim.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sum, err := s.Import(context.Background(), []string{dir}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != int64(len(recs)) {
		t.Fatalf("imported %+v", sum)
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
