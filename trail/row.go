package trail

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// kmsKeyResourceType is the resources[].type whose ARN fills events.keyArn.
const kmsKeyResourceType = "AWS::KMS::Key"

// row is one events row, its values in eventColumns order. The values are
// computed when the row is made, so a caller may reuse its Record afterwards.
type row struct {
	id     string
	values []driver.Value
}

// source is what eventColumns read a row's values from.
type source struct {
	rec  *Record
	time time.Time
	json string // the record exactly as marshalled
}

// column is one typed column of events, filled from a row. To add a column:
// a new migration that adds it (and may backfill it from record), and one
// line here.
type column struct {
	Name  string
	Type  duckdb.Type
	Value func(r *source) driver.Value
}

// eventColumns lists the columns Insert fills, in any order.
var eventColumns = []column{
	{"eventID", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return r.rec.EventID }},
	{"eventTime", duckdb.TYPE_TIMESTAMP, func(r *source) driver.Value { return r.time }},
	{"eventVersion", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.EventVersion) }},
	{"eventSource", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.EventSource) }},
	{"eventName", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.EventName) }},
	{"awsRegion", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.AWSRegion) }},
	{"sourceIPAddress", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.SourceIPAddress) }},
	{"userAgent", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.UserAgent) }},
	{"errorCode", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.ErrorCode) }},
	{"errorMessage", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.ErrorMessage) }},
	{"requestID", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.RequestID) }},
	{"readOnly", duckdb.TYPE_BOOLEAN, func(r *source) driver.Value { return r.rec.ReadOnly }},
	{"eventType", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.EventType) }},
	{"managementEvent", duckdb.TYPE_BOOLEAN, func(r *source) driver.Value { return r.rec.ManagementEvent }},
	{"recipientAccountId", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.RecipientAccountID) }},
	{"eventCategory", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return nullable(r.rec.EventCategory) }},
	{"userIdentityType", duckdb.TYPE_VARCHAR, func(r *source) driver.Value {
		if r.rec.UserIdentity == nil {
			return nil
		}
		return nullable(r.rec.UserIdentity.Type)
	}},
	{"principalArn", duckdb.TYPE_VARCHAR, func(r *source) driver.Value {
		if r.rec.UserIdentity == nil {
			return nil
		}
		return nullable(r.rec.UserIdentity.ARN)
	}},
	{"sessionIssuerArn", duckdb.TYPE_VARCHAR, func(r *source) driver.Value {
		u := r.rec.UserIdentity
		if u == nil || u.SessionContext == nil || u.SessionContext.SessionIssuer == nil {
			return nil
		}
		return nullable(u.SessionContext.SessionIssuer.ARN)
	}},
	{"keyArn", duckdb.TYPE_VARCHAR, func(r *source) driver.Value {
		for _, res := range r.rec.Resources {
			if res.Type == kmsKeyResourceType {
				return nullable(res.ARN)
			}
		}
		return nil
	}},
	{"record", duckdb.TYPE_VARCHAR, func(r *source) driver.Value { return r.json }}, // cast to JSON on insert
}

// nullable stores an absent (empty) string field as NULL.
func nullable(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

// newRow marshals rec and derives its columns; it returns the JSON too.
func newRow(rec *Record) (row, []byte, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return row{}, nil, fmt.Errorf("trail: marshal record %q: %w", rec.EventID, err)
	}
	r, err := rowFrom(rec, b)
	return r, b, err
}

// rowFromJSON derives the columns of a record already marshalled (a journal
// line), keeping its bytes as they are.
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
	t, err := time.Parse(time.RFC3339Nano, rec.EventTime)
	if err != nil {
		return row{}, fmt.Errorf("%w: eventID %s: eventTime %q is not RFC 3339", ErrInvalidRecord, rec.EventID, rec.EventTime)
	}
	src := source{rec: rec, time: t.UTC(), json: string(b)}
	values := make([]driver.Value, len(eventColumns))
	for i, c := range eventColumns {
		values[i] = c.Value(&src)
	}
	return row{id: rec.EventID, values: values}, nil
}
