package trail

import (
	"errors"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

var (
	// ErrLocked is returned by Open and OpenReadOnly when another process
	// (usually a running simulator) holds the database file.
	ErrLocked = errors.New("trail: database is in use by another process")

	// ErrReadOnly is returned when a write reaches a Store opened with OpenReadOnly.
	ErrReadOnly = errors.New("trail: database is open read-only")

	// ErrNotMigrated is returned by OpenReadOnly when the file lacks migrations
	// this build knows; opening it once with Open applies them.
	ErrNotMigrated = errors.New("trail: database schema is not up to date")

	// ErrSchemaTooNew is returned when the file was migrated by a newer build
	// than this one.
	ErrSchemaTooNew = errors.New("trail: database schema is newer than this build")

	// ErrInvalidRecord is returned by Insert and Writer.Write for a record
	// without an eventID or with an eventTime that is not RFC 3339.
	ErrInvalidRecord = errors.New("trail: invalid record")

	// ErrJournalInUse is returned by NewWriter when another Writer, in this
	// process or another, has the journal open.
	ErrJournalInUse = errors.New("trail: journal is in use by another writer")

	// ErrClosed is returned by Writer methods after Close.
	ErrClosed = errors.New("trail: writer is closed")

	// ErrUnknownFormat is returned by Result.Write for a format other than
	// FormatTable, FormatJSON or FormatCSV.
	ErrUnknownFormat = errors.New("trail: unknown output format")
)

// wrapError maps DuckDB driver errors onto the package sentinels; the driver
// error stays in the chain for its message.
func wrapError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var de *duckdb.Error
	isDuck := errors.As(err, &de)
	switch {
	case strings.Contains(msg, "Could not set lock on file") || strings.Contains(msg, "Conflicting lock"):
		return fmt.Errorf("%w: %w", ErrLocked, err)
	case strings.Contains(msg, "read-only mode") || (isDuck && de.Type == duckdb.ErrorTypeInvalidInput && strings.Contains(msg, "read-only")):
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}
