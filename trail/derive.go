package trail

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
)

// Sources of events rows (the events.source column).
const (
	// SourceSimulator marks records the simulator wrote (Writer, Insert).
	SourceSimulator = "simulator"
	// SourceImportPrefix starts the source of imported records, followed by
	// the file path: "import:/logs/AWSLogs/.../x.json.gz".
	SourceImportPrefix = "import:"
)

// eventColumns lists the events columns in table order with the type a
// derived value is handed to DuckDB as; JSON columns go as VARCHAR text
// and are cast on insert.
//
// The values are derived in Go by deriveRow, for the simulator's writes
// and for imports alike. Migration 0002 derives the same columns in SQL to
// backfill rows written before it (TestDeriveMatchesSQL keeps the two
// equal over the real data sets); a change here that must reach stored
// rows needs a new migration.
var eventColumns = []struct{ Name, Type string }{
	{"eventID", "VARCHAR"},
	{"eventTime", "TIMESTAMP"},
	{"eventVersion", "VARCHAR"},
	{"eventSource", "VARCHAR"},
	{"eventName", "VARCHAR"},
	{"awsRegion", "VARCHAR"},
	{"sourceIPAddress", "VARCHAR"},
	{"userAgent", "VARCHAR"},
	{"errorCode", "VARCHAR"},
	{"errorMessage", "VARCHAR"},
	{"requestID", "VARCHAR"},
	{"readOnly", "BOOLEAN"},
	{"eventType", "VARCHAR"},
	{"managementEvent", "BOOLEAN"},
	{"recipientAccountId", "VARCHAR"},
	{"eventCategory", "VARCHAR"},
	{"sharedEventID", "VARCHAR"},
	{"vpcEndpointId", "VARCHAR"},
	{"userIdentityType", "VARCHAR"},
	{"principalArn", "VARCHAR"},
	{"callerArn", "VARCHAR"},
	{"sessionIssuerArn", "VARCHAR"},
	{"callerAccountId", "VARCHAR"},
	{"keyArn", "VARCHAR"},
	{"keyAccountId", "VARCHAR"},
	{"userIdentity", "VARCHAR"},
	{"requestParameters", "VARCHAR"},
	{"responseElements", "VARCHAR"},
	{"additionalEventData", "VARCHAR"},
	{"resources", resourcesType},
	{"tlsDetails", tlsDetailsType},
	{"source", "VARCHAR"},
	{"record", "VARCHAR"},
}

const (
	resourcesType  = `STRUCT(accountId VARCHAR, "type" VARCHAR, ARN VARCHAR)[]`
	tlsDetailsType = `STRUCT(tlsVersion VARCHAR, cipherSuite VARCHAR, clientProvidedHostHeader VARCHAR)`
)

// columnNames lists the events columns in table order.
func columnNames() []string {
	names := make([]string, len(eventColumns))
	for i, c := range eventColumns {
		names[i] = c.Name
	}
	return names
}

// columnDefs is eventColumns as a column list for CREATE TABLE.
func columnDefs() string {
	defs := make([]string, len(eventColumns))
	for i, c := range eventColumns {
		defs[i] = fmt.Sprintf("%q %s", c.Name, c.Type)
	}
	return strings.Join(defs, ", ")
}

// columnTypes is eventColumns as appender types.
var columnTypes = sync.OnceValues(func() ([]duckdb.TypeInfo, error) {
	varchar, err := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	if err != nil {
		return nil, err
	}
	structOf := func(names ...string) (duckdb.TypeInfo, error) {
		entries := make([]duckdb.StructEntry, len(names))
		for i, n := range names {
			if entries[i], err = duckdb.NewStructEntry(varchar, n); err != nil {
				return nil, err
			}
		}
		return duckdb.NewStructInfo(entries[0], entries[1:]...)
	}
	resource, err := structOf("accountId", "type", "ARN")
	if err != nil {
		return nil, err
	}
	resources, err := duckdb.NewListInfo(resource)
	if err != nil {
		return nil, err
	}
	tls, err := structOf("tlsVersion", "cipherSuite", "clientProvidedHostHeader")
	if err != nil {
		return nil, err
	}
	byType := map[string]duckdb.TypeInfo{"VARCHAR": varchar, resourcesType: resources, tlsDetailsType: tls}
	for _, t := range []duckdb.Type{duckdb.TYPE_TIMESTAMP, duckdb.TYPE_BOOLEAN} {
		info, err := duckdb.NewTypeInfo(t)
		if err != nil {
			return nil, err
		}
		byType[map[duckdb.Type]string{duckdb.TYPE_TIMESTAMP: "TIMESTAMP", duckdb.TYPE_BOOLEAN: "BOOLEAN"}[t]] = info
	}
	types := make([]duckdb.TypeInfo, len(eventColumns))
	for i, c := range eventColumns {
		types[i] = byType[c.Type]
	}
	return types, nil
})

// Indexes of the VARCHAR columns of row.text, in table order.
const (
	colEventVersion = iota
	colEventSource
	colEventName
	colAWSRegion
	colSourceIPAddress
	colUserAgent
	colErrorCode
	colErrorMessage
	colRequestID
	colEventType
	colRecipientAccountID
	colEventCategory
	colSharedEventID
	colVPCEndpointID
	colUserIdentityType
	colPrincipalArn
	colCallerArn
	colSessionIssuerArn
	colCallerAccountID
	colKeyArn
	colKeyAccountID
	colUserIdentity
	colRequestParameters
	colResponseElements
	colAdditionalEventData
	numText
)

// row is one record's events row. An empty text is NULL (no derived
// VARCHAR is ever the empty string, as in SQL each is a NULLIF of it).
type row struct {
	id              string
	time            time.Time
	text            [numText]string
	readOnly        any // bool or nil
	managementEvent any
	resources       any // []any of map[string]any (or nil elements), or nil
	tlsDetails      any // map[string]any or nil
	source          string
	record          string
}

// values appends the row's column values, in table order, to dst.
func (e *row) values(dst []driver.Value) []driver.Value {
	str := func(s string) driver.Value {
		if s == "" {
			return nil
		}
		return s
	}
	dst = append(dst, e.id, e.time)
	for i := colEventVersion; i <= colRequestID; i++ {
		dst = append(dst, str(e.text[i]))
	}
	dst = append(dst, e.readOnly, str(e.text[colEventType]), e.managementEvent)
	for i := colRecipientAccountID; i < numText; i++ {
		dst = append(dst, str(e.text[i]))
	}
	return append(dst, e.resources, e.tlsDetails, e.source, e.record)
}

// topFields maps the record fields the columns read to their slot in
// recordFields.
var topFields = map[string]int{
	"eventID":             fEventID,
	"eventTime":           fEventTime,
	"userIdentity":        fUserIdentity,
	"readOnly":            fReadOnly,
	"managementEvent":     fManagementEvent,
	"resources":           fResources,
	"tlsDetails":          fTLSDetails,
	"requestParameters":   fRequestParameters,
	"responseElements":    fResponseElements,
	"additionalEventData": fAdditionalEventData,
	"eventVersion":        fText + colEventVersion,
	"eventSource":         fText + colEventSource,
	"eventName":           fText + colEventName,
	"awsRegion":           fText + colAWSRegion,
	"sourceIPAddress":     fText + colSourceIPAddress,
	"userAgent":           fText + colUserAgent,
	"errorCode":           fText + colErrorCode,
	"errorMessage":        fText + colErrorMessage,
	"requestID":           fText + colRequestID,
	"eventType":           fText + colEventType,
	"recipientAccountId":  fText + colRecipientAccountID,
	"eventCategory":       fText + colEventCategory,
	"sharedEventID":       fText + colSharedEventID,
	"vpcEndpointId":       fText + colVPCEndpointID,
}

const (
	fEventID = iota
	fEventTime
	fUserIdentity
	fReadOnly
	fManagementEvent
	fResources
	fTLSDetails
	fRequestParameters
	fResponseElements
	fAdditionalEventData
	fText     // + a text column index, for the plain string fields
	numFields = fText + colVPCEndpointID + 1
)

// deriveRow checks one record's JSON and derives its events row. The
// record is stored as it is, compacted when it spans lines; every derived
// value is read from it. A record must be a JSON object with an eventID
// and an RFC 3339 eventTime.
func deriveRow(raw []byte, source string) (row, error) {
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
	var f [numFields][]byte
	end, err := walkObject(raw, 0, 0, func(key, val []byte) {
		if slot, ok := topFields[string(key[1:len(key)-1])]; ok && f[slot] == nil {
			f[slot] = val
		}
	})
	if err == nil && end != len(raw) {
		err = syntaxErr(raw, end, "after top-level value")
	}
	if err != nil {
		return row{}, err
	}

	rec := string(raw)
	// sub returns the text of v, a part of raw, sharing rec's memory.
	sub := func(v []byte) string {
		at := cap(raw) - cap(v)
		return rec[at : at+len(v)]
	}
	// text reads a value as DuckDB's from_json reads it as VARCHAR.
	text := func(v []byte) string {
		switch {
		case v == nil || v[0] == 'n':
			return ""
		case v[0] != '"':
			return sub(v)
		case bytes.IndexByte(v, '\\') < 0:
			return sub(v[1 : len(v)-1])
		}
		var s string
		json.Unmarshal(v, &s) //nolint:errcheck // v is a checked string
		return s
	}
	// field reads key of the object v (nil when v is not an object).
	field := func(v []byte, key string) []byte {
		if v == nil || v[0] != '{' {
			return nil
		}
		var out []byte
		fields(v, func(k, val []byte) {
			if out == nil && string(k) == key {
				out = val
			}
		})
		return out
	}
	// jsonText is a JSON column's text: compact, NULL for null.
	jsonText := func(v []byte) string {
		if v == nil || v[0] == 'n' {
			return ""
		}
		if bytes.IndexAny(v, " \t\r") < 0 {
			return sub(v)
		}
		var b bytes.Buffer
		json.Compact(&b, v) //nolint:errcheck // v is checked JSON
		return b.String()
	}

	e := row{source: source, record: rec}
	if e.id = text(f[fEventID]); e.id == "" {
		return row{}, fmt.Errorf("%w: eventID is missing", ErrInvalidRecord)
	}
	when := text(f[fEventTime])
	if when == "" {
		return row{}, fmt.Errorf("%w: eventTime is missing", ErrInvalidRecord)
	}
	if e.time, err = parseEventTime(when); err != nil {
		return row{}, fmt.Errorf("%w: eventTime %s is not an RFC 3339 time", ErrInvalidRecord, sub(f[fEventTime]))
	}
	for i := colEventVersion; i <= colVPCEndpointID; i++ {
		e.text[i] = text(f[fText+i])
	}
	e.readOnly = jsonBool(f[fReadOnly])
	e.managementEvent = jsonBool(f[fManagementEvent])

	u := f[fUserIdentity]
	issuer := text(field(field(field(u, "sessionContext"), "sessionIssuer"), "arn"))
	e.text[colUserIdentityType] = text(field(u, "type"))
	e.text[colCallerArn] = text(field(u, "arn"))
	e.text[colSessionIssuerArn] = issuer
	e.text[colCallerAccountID] = text(field(u, "accountId"))
	if e.text[colUserIdentityType] == "AssumedRole" && issuer != "" {
		e.text[colPrincipalArn] = issuer
	} else if e.text[colPrincipalArn] = e.text[colCallerArn]; e.text[colPrincipalArn] == "" {
		e.text[colPrincipalArn] = text(field(u, "invokedBy"))
	}

	var typedKey, namedKey string
	if r := f[fResources]; r != nil && r[0] == '[' {
		list := []any{}
		walkArray(r, 0, 0, func(v []byte) { //nolint:errcheck // r is checked
			if v[0] != '{' {
				list = append(list, nil)
				return
			}
			var acct, typ, arn []byte
			fields(v, func(k, val []byte) {
				switch {
				case string(k) == "accountId" && acct == nil:
					acct = val
				case string(k) == "type" && typ == nil:
					typ = val
				case string(k) == "ARN" && arn == nil:
					arn = val
				}
			})
			a := text(arn)
			if typedKey == "" && a != "" && typ != nil && text(typ) == "AWS::KMS::Key" {
				typedKey = a
			}
			if namedKey == "" && isKeyArn(a) {
				namedKey = a
			}
			list = append(list, map[string]any{"accountId": nullText(acct, text), "type": nullText(typ, text), "ARN": nullText(arn, text)})
		})
		e.resources = list
	}
	if t := f[fTLSDetails]; t != nil && t[0] == '{' {
		m := map[string]any{"tlsVersion": nil, "cipherSuite": nil, "clientProvidedHostHeader": nil}
		fields(t, func(k, val []byte) {
			if v, ok := m[string(k)]; ok && v == nil {
				m[string(k)] = nullText(val, text)
			}
		})
		e.tlsDetails = m
	}

	key := typedKey
	if key == "" {
		key = namedKey
	}
	if key == "" {
		if k := text(field(f[fRequestParameters], "keyId")); isKeyArn(k) {
			key = k
		}
	}
	if key == "" {
		if k := text(field(field(f[fResponseElements], "keyMetadata"), "arn")); isKeyArn(k) {
			key = k
		}
	}
	e.text[colKeyArn] = key
	if parts := strings.SplitN(key, ":", 6); len(parts) >= 5 {
		e.text[colKeyAccountID] = parts[4]
	}

	e.text[colUserIdentity] = jsonText(u)
	e.text[colRequestParameters] = jsonText(f[fRequestParameters])
	e.text[colResponseElements] = jsonText(f[fResponseElements])
	e.text[colAdditionalEventData] = jsonText(f[fAdditionalEventData])
	return e, nil
}

// nullText is text(v), or nil when v is absent or null (a struct field
// keeps an empty string).
func nullText(v []byte, text func([]byte) string) any {
	if v == nil || v[0] == 'n' {
		return nil
	}
	return text(v)
}

// jsonBool reads a BOOLEAN column: JSON true or false, else NULL.
func jsonBool(v []byte) any {
	switch {
	case v == nil:
		return nil
	case v[0] == 't':
		return true
	case v[0] == 'f':
		return false
	}
	return nil
}

// isKeyArn reports whether s matches the SQL pattern 'arn:%:kms:%:key/%'.
func isKeyArn(s string) bool {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return false
	}
	i := strings.Index(rest, ":kms:")
	return i >= 0 && strings.Contains(rest[i+len(":kms:"):], ":key/")
}

// parseEventTime parses an RFC 3339 time into UTC, quickly for the
// 2006-01-02T15:04:05Z form CloudTrail writes.
func parseEventTime(s string) (time.Time, error) {
	if len(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' {
		n := func(a, b int) int {
			v := 0
			for i := a; i < b; i++ {
				c := s[i]
				if c < '0' || c > '9' {
					return -1
				}
				v = v*10 + int(c-'0')
			}
			return v
		}
		y, mo, d, h, mi, sec := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)
		if y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && sec >= 0 && sec < 60 {
			t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
			if t.Day() == d { // not 31 February
				return t, nil
			}
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err
}
