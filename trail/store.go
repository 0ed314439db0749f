package trail

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Store is the DuckDB database holding the events table, usually
// DIR/kmsim.duckdb. It is safe for concurrent use.
//
// DuckDB lets one process hold a file read-write; while a simulator has it
// open, other processes can open it neither read-write nor read-only.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool

	// insertMu serialises inserts: concurrent INSERT OR IGNORE transactions
	// on one key would conflict at commit instead of skipping.
	insertMu sync.Mutex
}

// Open opens the database at path read-write, creating the file (and its
// directory) if needed, and applies the embedded migrations it lacks.
func Open(path string) (*Store, error) {
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("trail: open %s: %w", path, err)
		}
	}
	s, err := open(path, false)
	if err != nil {
		return nil, err
	}
	if err := migrate(context.Background(), s.db, time.Now()); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// OpenReadOnly opens an existing database for queries. It fails with
// ErrLocked while another process holds the file, and with ErrNotMigrated
// when the file lacks migrations this build knows (Open applies them).
func OpenReadOnly(path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("trail: open %s: %w", path, err)
	}
	s, err := open(path, true)
	if err != nil {
		return nil, err
	}
	pending, err := checkSchema(context.Background(), s.db)
	if err == nil && len(pending) > 0 {
		err = fmt.Errorf("%w: %s lacks migration %04d_%s", ErrNotMigrated, path, pending[0].Version, pending[0].Name)
	}
	if err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func open(path string, readOnly bool) (*Store, error) {
	dsn := path
	if readOnly {
		dsn += "?access_mode=read_only"
	}
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("trail: open %s: %w", path, wrapError(err))
	}
	return &Store{db: sql.OpenDB(connector), path: path, readOnly: readOnly}, nil
}

// Close closes the database. Queries in flight fail.
func (s *Store) Close() error {
	return wrapError(s.db.Close())
}

// Insert stores records, one events row each. A record whose eventID is
// already stored (or repeats an earlier one in records) is skipped, so
// inserting the same records again changes nothing. Records are checked
// first: one without an eventID or with an eventTime that is not RFC 3339
// fails the call with ErrInvalidRecord and nothing is stored.
func (s *Store) Insert(ctx context.Context, records []Record) error {
	rows := make([]row, 0, len(records))
	for i := range records {
		r, _, err := newRow(&records[i])
		if err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		rows = append(rows, r)
	}
	return s.insertRows(ctx, rows)
}

// insertRows stores rows (see appendRows), all from the simulator;
// duplicates within rows are dropped here first.
func (s *Store) insertRows(ctx context.Context, rows []row) error {
	if len(rows) == 0 {
		return nil
	}
	if s.readOnly {
		return ErrReadOnly
	}
	rows = dedupe(rows)
	s.insertMu.Lock()
	defer s.insertMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return wrapError(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error { return appendRows(ctx, dc.(driver.Conn), rows) })
	if err != nil {
		return fmt.Errorf("trail: insert: %w", wrapError(err))
	}
	return nil
}

// appendRows inserts rows, their columns derived already, into
// stored_events in one statement: a DuckDB query appender whose query is an
// INSERT OR IGNORE, so rows whose eventID is stored already, or repeats an
// earlier row's, are skipped. The simulator's small batches take this way;
// imports, which need to know how many rows were new, insertBatch.
func appendRows(ctx context.Context, dc driver.Conn, rows []row) error {
	types, err := appenderTypes()
	if err != nil {
		return err
	}
	a, err := duckdb.NewQueryAppender(dc, insertSQL("appended_data"), "appended_data", types, storedColumns)
	if err != nil {
		return err
	}
	return appendAll(ctx, a, rows)
}

// appendAll appends rows to a and closes it, flushing them.
func appendAll(ctx context.Context, a *duckdb.Appender, rows ...[]row) error {
	vals := make([]driver.Value, 0, len(storedColumns))
	for _, rs := range rows {
		for i := range rs {
			if err := a.AppendRow(rs[i].values(vals[:0])...); err != nil {
				return errors.Join(err, a.Close())
			}
		}
	}
	return a.CloseWithCancel(ctx)
}

// appenderTypes are the types of storedColumns as appended: the JSON ones
// as text.
var appenderTypes = sync.OnceValues(func() ([]duckdb.TypeInfo, error) {
	types := make([]duckdb.TypeInfo, len(storedColumns))
	for i, c := range storedColumns {
		t := duckdb.TYPE_VARCHAR
		switch c {
		case "eventTime":
			t = duckdb.TYPE_TIMESTAMP
		case "readOnly", "managementEvent":
			t = duckdb.TYPE_BOOLEAN
		}
		info, err := duckdb.NewTypeInfo(t)
		if err != nil {
			return nil, fmt.Errorf("trail: appender types: %w", err)
		}
		types[i] = info
	}
	return types, nil
})

// insertBatch stores rows, their columns derived already, in one
// transaction on conn and returns how many were new. The rows are appended
// to the connection's temporary table staged_events, then moved into
// stored_events by one INSERT OR IGNORE, which skips rows whose eventID is
// stored already or repeats an earlier row's; its count is this statement's
// own, whatever other connections commit meanwhile.
func insertBatch(ctx context.Context, conn *sql.Conn, rows ...[]row) (inserted int64, err error) {
	if _, err := conn.ExecContext(ctx, createStagingSQL); err != nil {
		return 0, wrapError(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return 0, wrapError(err)
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.Background(), "ROLLBACK") //nolint:errcheck // reporting err
		}
	}()
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "staged_events")
		if err != nil {
			return err
		}
		return appendAll(ctx, a, rows...)
	})
	if err != nil {
		return 0, wrapError(err)
	}
	res, err := conn.ExecContext(ctx, insertSQL("temp.main.staged_events"))
	if err != nil {
		return 0, wrapError(err)
	}
	if inserted, err = res.RowsAffected(); err != nil {
		return 0, wrapError(err)
	}
	if _, err := conn.ExecContext(ctx, "DELETE FROM temp.main.staged_events"); err != nil {
		return 0, wrapError(err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return 0, wrapError(err)
	}
	return inserted, nil
}

// createStagingSQL makes a connection's staging table: stored_events'
// columns without its key, the JSON ones as text (the appender would
// encode a string for a JSON column as a JSON string).
var createStagingSQL = func() string {
	cols := make([]string, len(storedColumns))
	for i, c := range storedColumns {
		cols[i] = c
		if c == "userIdentity" || c == "requestParameters" || c == "resources" {
			cols[i] = "NULL::VARCHAR AS " + c
		}
	}
	return "CREATE TEMP TABLE IF NOT EXISTS staged_events AS SELECT " + strings.Join(cols, ", ") + " FROM stored_events LIMIT 0"
}()

// insertSQL moves rows of storedColumns, the JSON ones as text, from a
// relation into stored_events (the events view's table), skipping stored
// eventIDs; resources become their structure.
func insertSQL(from string) string {
	cols := make([]string, len(storedColumns))
	for i, c := range storedColumns {
		cols[i] = c
		if c == "resources" {
			cols[i] = `from_json(resources, '[{"accountId":"VARCHAR","type":"VARCHAR","ARN":"VARCHAR"}]')`
		}
	}
	return "INSERT OR IGNORE INTO stored_events (" + strings.Join(storedColumns, ", ") + ") SELECT " +
		strings.Join(cols, ", ") + " FROM " + from
}

// dedupe keeps the first row of each eventID.
func dedupe(rows []row) []row {
	seen := make(map[string]struct{}, len(rows))
	out := rows[:0:0]
	for _, r := range rows {
		if _, ok := seen[r.id]; ok {
			continue
		}
		seen[r.id] = struct{}{}
		out = append(out, r)
	}
	return out
}
