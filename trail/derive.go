package trail

import (
	"bytes"
	"database/sql/driver"
	"strings"
	"time"
)

// Sources of events rows (the events.source column).
const (
	// SourceSimulator marks records the simulator wrote (Writer, Insert).
	SourceSimulator = "simulator"
	// SourceImportPrefix starts the source of imported records, followed by
	// the file path: "import:/logs/AWSLogs/.../x.json.gz".
	SourceImportPrefix = "import:"
)

// The typed columns of events are derived here, in Go, from the record's
// JSON as it is checked: one pass over its bytes, while the record is in
// the CPU's cache. Migration 0002 holds the same derivation in SQL, to
// backfill rows stored before; TestMigrationsMatchInsert keeps the two
// equal. Of the JSON columns, userIdentity and requestParameters are stored
// as they are in the record and resources as its structure; the others are
// read from record by the queries that ask for them (migration 0003).

// Text columns of a row, in storedColumns order after eventTime.
const (
	colEventVersion = iota
	colEventSource
	colEventName
	colAwsRegion
	colSourceIPAddress
	colUserAgent
	colErrorCode
	colErrorMessage
	colRequestID
	colEventType
	colRecipientAccountID
	colEventCategory
	colSharedEventID
	colVpcEndpointID
	colUserIdentityType
	colPrincipalArn
	colCallerArn
	colSessionIssuerArn
	colCallerAccountID
	colKeyArn
	colKeyAccountID
	numTextColumns
)

// storedColumns are the events columns an insert writes, in the order of
// row.values; the others are generated from record.
var storedColumns = []string{
	"eventID", "eventTime",
	"eventVersion", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
	"errorCode", "errorMessage", "requestID", "eventType", "recipientAccountId", "eventCategory",
	"sharedEventID", "vpcEndpointId", "userIdentityType", "principalArn", "callerArn",
	"sessionIssuerArn", "callerAccountId", "keyArn", "keyAccountId",
	"readOnly", "managementEvent", "userIdentity", "requestParameters", "resources", "source", "record",
}

// topFields are the record's top-level fields the columns read.
type topFields struct {
	id, time                                  []byte
	text                                      [colUserIdentityType][]byte // eventVersion .. vpcEndpointId
	readOnly, managementEvent                 []byte
	identity, resources, request, responseEls []byte
}

// textField maps a top-level key (with its quotes) to its text column.
var textField = map[string]int{
	`"eventVersion"`: colEventVersion, `"eventSource"`: colEventSource, `"eventName"`: colEventName,
	`"awsRegion"`: colAwsRegion, `"sourceIPAddress"`: colSourceIPAddress, `"userAgent"`: colUserAgent,
	`"errorCode"`: colErrorCode, `"errorMessage"`: colErrorMessage, `"requestID"`: colRequestID,
	`"eventType"`: colEventType, `"recipientAccountId"`: colRecipientAccountID,
	`"eventCategory"`: colEventCategory, `"sharedEventID"`: colSharedEventID,
	`"vpcEndpointId"`: colVpcEndpointID,
}

// set keeps the first value of each field the columns read.
func (f *topFields) set(key, val []byte) {
	first := func(dst *[]byte) { firstOf(dst, val) }
	switch string(key) {
	case `"eventID"`:
		first(&f.id)
	case `"eventTime"`:
		first(&f.time)
	case `"readOnly"`:
		first(&f.readOnly)
	case `"managementEvent"`:
		first(&f.managementEvent)
	case `"userIdentity"`:
		first(&f.identity)
	case `"resources"`:
		first(&f.resources)
	case `"requestParameters"`:
		first(&f.request)
	case `"responseElements"`:
		first(&f.responseEls)
	default:
		if c, ok := textField[string(key)]; ok {
			first(&f.text[c])
		}
	}
}

// derive fills the row's columns from the record's fields; eventTime is
// parsed already.
func (r *row) derive(f *topFields) {
	for c, v := range f.text {
		r.text[c] = jsonText(v)
	}
	r.readOnly = jsonBool(f.readOnly)
	r.managementEvent = jsonBool(f.managementEvent)
	r.userIdentity = jsonObjectText(f.identity)
	r.requestParameters = jsonObjectText(f.request)
	r.resources = jsonObjectText(f.resources)

	var uType, arn, account, invokedBy, session []byte
	walkFields(f.identity, func(key, val []byte) {
		switch string(key) {
		case `"type"`:
			firstOf(&uType, val)
		case `"arn"`:
			firstOf(&arn, val)
		case `"accountId"`:
			firstOf(&account, val)
		case `"invokedBy"`:
			firstOf(&invokedBy, val)
		case `"sessionContext"`:
			firstOf(&session, val)
		}
	})
	issuer := jsonText(field(field(session, `"sessionIssuer"`), `"arn"`))
	r.text[colUserIdentityType] = jsonText(uType)
	r.text[colCallerArn] = jsonText(arn)
	r.text[colSessionIssuerArn] = issuer
	r.text[colCallerAccountID] = jsonText(account)
	switch {
	case r.text[colUserIdentityType] == "AssumedRole" && issuer != "":
		r.text[colPrincipalArn] = issuer
	case r.text[colCallerArn] != "":
		r.text[colPrincipalArn] = r.text[colCallerArn]
	default:
		r.text[colPrincipalArn] = jsonText(invokedBy)
	}
	key := keyArn(f)
	r.text[colKeyArn] = key
	if parts := strings.SplitN(key, ":", 6); len(parts) >= 5 {
		r.text[colKeyAccountID] = parts[4]
	}
}

// keyArn picks the KMS key of a record: the first resource of type
// AWS::KMS::Key, else the first resource whose ARN names a key (some real
// records' resources lack "type"), else requestParameters.keyId when it is
// a key ARN, else the created key's ARN in responseElements (CreateKey).
func keyArn(f *topFields) string {
	if len(f.resources) > 0 && f.resources[0] == '[' {
		var byType, byArn string
		eachElement(f.resources, func(res []byte) {
			var typ, arn []byte
			walkFields(res, func(key, val []byte) {
				switch string(key) {
				case `"type"`:
					firstOf(&typ, val)
				case `"ARN"`:
					firstOf(&arn, val)
				}
			})
			a := jsonText(arn)
			if byType == "" && a != "" && jsonText(typ) == "AWS::KMS::Key" {
				byType = a
			}
			if byArn == "" && isKeyArn(a) {
				byArn = a
			}
		})
		if byType != "" {
			return byType
		}
		if byArn != "" {
			return byArn
		}
	}
	// Most records name no key: look for one only in those that may.
	if bytes.Contains(f.request, []byte(`"keyId"`)) {
		if id := jsonText(field(f.request, `"keyId"`)); isKeyArn(id) {
			return id
		}
	}
	if bytes.Contains(f.responseEls, []byte(`"keyMetadata"`)) {
		if arn := jsonText(field(field(f.responseEls, `"keyMetadata"`), `"arn"`)); isKeyArn(arn) {
			return arn
		}
	}
	return ""
}

// isKeyArn says whether s matches the SQL pattern 'arn:%:kms:%:key/%'.
func isKeyArn(s string) bool {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return false
	}
	i := strings.Index(rest, ":kms:")
	return i >= 0 && strings.Contains(rest[i+len(":kms:"):], ":key/")
}

func firstOf(dst *[]byte, val []byte) {
	if *dst == nil {
		*dst = val
	}
}

// walkFields calls fn with each key and value of obj, a checked JSON value;
// nothing when it is not an object.
func walkFields(obj []byte, fn func(key, val []byte)) {
	if len(obj) > 0 && obj[0] == '{' {
		walkObject(obj, 0, 0, fn) //nolint:errcheck // obj is checked
	}
}

// field returns the first value of key (with its quotes) in obj, a checked
// JSON value; nil when obj is not an object or lacks the key.
func field(obj []byte, key string) []byte {
	var v []byte
	walkFields(obj, func(k, val []byte) {
		if v == nil && string(k) == key {
			v = val
		}
	})
	return v
}

// eachElement calls fn with each element of arr, a checked JSON array.
func eachElement(arr []byte, fn func(val []byte)) {
	i := skipSpace(arr, 1)
	for i < len(arr) && arr[i] != ']' {
		end, err := skipValue(arr, i, 0)
		if err != nil {
			return
		}
		fn(arr[i:end])
		i = skipSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = skipSpace(arr, i+1)
		}
	}
}

// jsonObjectText returns a checked JSON value's text as a JSON column
// holds it: "" (NULL) for null or absent.
func jsonObjectText(v []byte) string {
	if len(v) == 0 || v[0] == 'n' {
		return ""
	}
	return string(v)
}

// jsonBool reads a checked JSON value as DuckDB's from_json reads it as
// BOOLEAN: 0 for NULL (absent, null or not a boolean), 1 false, 2 true.
func jsonBool(v []byte) int8 {
	switch s := jsonText(v); {
	case len(v) == 0:
		return 0
	case strings.EqualFold(s, "true") || s == "t" || s == "1":
		return 2
	case strings.EqualFold(s, "false") || s == "f" || s == "0":
		return 1
	}
	return 0
}

// values appends the row's stored columns, in storedColumns order, to dst;
// empty text is NULL.
func (r *row) values(dst []driver.Value) []driver.Value {
	nullable := func(s string) driver.Value {
		if s == "" {
			return nil
		}
		return s
	}
	dst = append(dst, r.id, r.eventTime)
	for _, s := range r.text {
		dst = append(dst, nullable(s))
	}
	for _, b := range [2]int8{r.readOnly, r.managementEvent} {
		if b == 0 {
			dst = append(dst, nil)
		} else {
			dst = append(dst, b == 2)
		}
	}
	for _, s := range [3]string{r.userIdentity, r.requestParameters, r.resources} {
		dst = append(dst, nullable(s))
	}
	return append(dst, r.source, r.json)
}

// eventTimeUTC is eventTime as the column holds it: UTC, microseconds.
func eventTimeUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
