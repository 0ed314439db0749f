package trail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// row is one record ready for insertion: its eventID, JSON text, source
// and the typed columns derived from the JSON (derive.go).
type row struct {
	id        string
	json      string
	source    string
	eventTime time.Time
	text      [numTextColumns]string // "" is NULL
	// readOnly and managementEvent: 0 NULL, 1 false, 2 true.
	readOnly, managementEvent int8
	// The record's userIdentity, requestParameters and resources JSON; "" is NULL.
	userIdentity, requestParameters, resources string
}

// newRow marshals rec and checks it; it returns the JSON too.
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
	r, err := checkRecord(b, SourceSimulator)
	return r, b, err
}

// rowFromJSON checks a record already marshalled (a journal line), keeping
// its bytes as they are.
func rowFromJSON(b []byte) (row, error) {
	return checkRecord(b, SourceSimulator)
}

// checkRecord checks one record's JSON in a single pass and returns the row
// to store: the bytes as they are, compacted when the record spans lines.
// A record must be a JSON object with an eventID and an RFC 3339 eventTime.
func checkRecord(raw []byte, source string) (row, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return row{}, fmt.Errorf("%w: not a JSON object", ErrInvalidRecord)
	}
	if !utf8.Valid(raw) {
		return row{}, fmt.Errorf("%w: not valid UTF-8", ErrInvalidRecord)
	}
	if bytes.IndexByte(raw, '\n') >= 0 {
		var b bytes.Buffer
		b.Grow(len(raw))
		if err := json.Compact(&b, raw); err != nil {
			return row{}, err
		}
		raw = b.Bytes()
	}
	var f topFields
	end, err := walkObject(raw, 0, 0, f.set)
	if err == nil && end != len(raw) {
		err = syntaxErr(raw, end, "after top-level value")
	}
	if err != nil {
		return row{}, err
	}
	eventID := jsonText(f.id)
	if eventID == "" {
		return row{}, fmt.Errorf("%w: eventID is missing", ErrInvalidRecord)
	}
	when := f.time
	if when == nil || when[0] == 'n' {
		return row{}, fmt.Errorf("%w: eventTime is missing", ErrInvalidRecord)
	}
	t, err := time.Parse(time.RFC3339Nano, jsonText(when))
	if err != nil || when[0] != '"' {
		return row{}, fmt.Errorf("%w: eventTime %s is not an RFC 3339 time", ErrInvalidRecord, when)
	}
	r := row{id: eventID, json: string(raw), source: source, eventTime: eventTimeUTC(t)}
	r.derive(&f)
	return r, nil
}

// jsonText reads a checked JSON value as DuckDB's from_json reads it as
// VARCHAR: a string's text, "" for null or absent, else the JSON itself.
func jsonText(v []byte) string {
	switch {
	case v == nil || v[0] == 'n':
		return ""
	case v[0] != '"':
		return string(v)
	case bytes.IndexByte(v, '\\') < 0:
		return string(v[1 : len(v)-1])
	}
	var s string
	json.Unmarshal(v, &s) //nolint:errcheck // v is a checked string
	return s
}
