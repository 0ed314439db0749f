package trail

import (
	"encoding/json"
	"fmt"
	"time"
)

// newRow marshals rec, checks it and derives its events row; it returns
// the JSON too. A caller may reuse rec afterwards.
func newRow(rec *Record) (row, []byte, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return row{}, nil, fmt.Errorf("trail: marshal record %q: %w", rec.EventID, err)
	}
	if rec.EventID == "" {
		return row{}, nil, fmt.Errorf("%w: eventID is empty", ErrInvalidRecord)
	}
	if _, err := time.Parse(time.RFC3339Nano, rec.EventTime); err != nil {
		return row{}, nil, fmt.Errorf("%w: eventID %s: eventTime %q is not RFC 3339", ErrInvalidRecord, rec.EventID, rec.EventTime)
	}
	e, err := deriveRow(b, SourceSimulator)
	return e, b, err
}

// rowFromJSON derives the events row of a record already marshalled (a
// journal line), keeping its bytes as they are.
func rowFromJSON(b []byte) (row, error) {
	return deriveRow(b, SourceSimulator)
}
