package trail

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// A file written before 0002 is re-derived from its records: its rows
// equal those the current insert path makes.
func TestMigration0002MatchesInsert(t *testing.T) {
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
	q := "SELECT * FROM events ORDER BY eventID"
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
