package trail

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// A file written before 0002 is re-derived from its records by 0002's SQL:
// its rows equal those the current insert path derives in Go, for the
// simulator's records, every record of the datasets and records crafted to
// hold what real ones rarely do.
func TestMigrationsMatchInsert(t *testing.T) {
	ctx := context.Background()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.duckdb")
	old, err := open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.db.ExecContext(ctx, createMigrationsTable); err != nil {
		t.Fatal(err)
	}
	if err := applyMigration(ctx, old.db, ms[0], time.Now()); err != nil {
		t.Fatal(err)
	}
	recs := analysisRecords()[:12]
	for i := range recs {
		b, _ := json.Marshal(&recs[i])
		if _, err := old.db.ExecContext(ctx, `INSERT INTO events (eventID, eventTime, record) VALUES (?, ?, ?)`,
			recs[i].EventID, time.Now(), string(b)); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := importFiles([]string{datasets})
	files = append(files, filepath.Join("testdata", "derive-edge-cases.jsonl"))
	var imported []string
	for _, f := range files {
		var rows []row
		err := scanFile(f, func(raw []byte) error {
			r, err := checkRecord(raw, SourceImportPrefix+f)
			rows = append(rows, r)
			return err
		})
		if err != nil {
			continue // files of invalid records, for other tests
		}
		imported = append(imported, f)
		for _, r := range rows {
			if _, err := old.db.ExecContext(ctx, `INSERT OR IGNORE INTO events (eventID, eventTime, record) VALUES (?, ?, ?)`,
				r.id, time.Now(), r.json); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(imported) < 10 {
		t.Fatalf("only %d dataset files read", len(imported))
	}
	old.Close()

	migrated, err := Open(path)
	if err != nil {
		t.Fatalf("Open applies 0002: %v", err)
	}
	defer migrated.Close()
	fresh, _ := openTestStore(t)
	if err := fresh.Insert(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Import(ctx, imported, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	q := "SELECT * EXCLUDE (source) FROM events ORDER BY eventID" // 0002 took every row for the simulator's
	a, err := migrated.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fresh.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		for i := range a.Rows {
			for j := range a.Columns {
				if !reflect.DeepEqual(a.Rows[i][j], b.Rows[i][j]) {
					t.Errorf("row %d %s: migrated %v, inserted %v", i, a.Columns[j], a.Rows[i][j], b.Rows[i][j])
				}
			}
		}
	}
}
