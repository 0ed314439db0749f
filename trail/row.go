package trail

import (
	"encoding/json"
	"fmt"
	"time"
)

// row is one record ready for insertion: its eventID and JSON text. The
// typed columns are derived from the JSON by DuckDB on insert (derive.go),
// so a caller may reuse its Record afterwards.
type row struct {
	id   string
	json string
}

// newRow marshals rec and checks it; it returns the JSON too.
func newRow(rec *Record) (row, []byte, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return row{}, nil, fmt.Errorf("trail: marshal record %q: %w", rec.EventID, err)
	}
	r, err := rowFrom(rec, b)
	return r, b, err
}

// rowFromJSON checks a record already marshalled (a journal line), keeping
// its bytes as they are.
func rowFromJSON(b []byte) (row, error) {
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return row{}, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	return rowFrom(&rec, b)
}

func rowFrom(rec *Record, b []byte) (row, error) {
	if rec.EventID == "" {
		return row{}, fmt.Errorf("%w: eventID is empty", ErrInvalidRecord)
	}
	if _, err := time.Parse(time.RFC3339Nano, rec.EventTime); err != nil {
		return row{}, fmt.Errorf("%w: eventID %s: eventTime %q is not RFC 3339", ErrInvalidRecord, rec.EventID, rec.EventTime)
	}
	return row{id: rec.EventID, json: string(b)}, nil
}
