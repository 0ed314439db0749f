package trail

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// The SQL below is the derivation the columns had before it moved to Go
// (deriveRow), as migration 0002 still holds it: the reference the Go
// derivation must equal.

// recordShape is the part of a CloudTrail record the typed columns read,
// as a DuckDB from_json structure. Parsing a record once into it is much
// cheaper than one json_extract per column. from_json is lenient: a field
// of an unexpected JSON type becomes NULL.
const recordShape = `{"eventVersion":"VARCHAR","userIdentity":"JSON","eventTime":"VARCHAR",` +
	`"eventSource":"VARCHAR","eventName":"VARCHAR","awsRegion":"VARCHAR","sourceIPAddress":"VARCHAR",` +
	`"userAgent":"VARCHAR","errorCode":"VARCHAR","errorMessage":"VARCHAR","requestParameters":"JSON",` +
	`"responseElements":"JSON","additionalEventData":"JSON","requestID":"VARCHAR","eventID":"VARCHAR",` +
	`"readOnly":"BOOLEAN","resources":[{"accountId":"VARCHAR","type":"VARCHAR","ARN":"VARCHAR"}],` +
	`"eventType":"VARCHAR","managementEvent":"BOOLEAN","recipientAccountId":"VARCHAR",` +
	`"sharedEventID":"VARCHAR","vpcEndpointId":"VARCHAR","eventCategory":"VARCHAR",` +
	`"tlsDetails":{"tlsVersion":"VARCHAR","cipherSuite":"VARCHAR","clientProvidedHostHeader":"VARCHAR"}}`

// identityShape is the part of userIdentity the typed columns read.
const identityShape = `{"type":"VARCHAR","arn":"VARCHAR","accountId":"VARCHAR","invokedBy":"VARCHAR",` +
	`"sessionContext":{"sessionIssuer":{"arn":"VARCHAR"}}}`

// derivedColumns lists the events columns and the expression computing each
// from the parsed record r, the parsed identity u, the record text and
// source. Migration 0002 holds a copy of these expressions to backfill
// existing rows (TestMigration0002MatchesInsert keeps them equal); a change
// here that must reach stored rows needs a new migration.
var derivedColumns = []struct{ Name, Expr string }{
	{"eventID", "r.eventID"},
	{"eventTime", "CAST(try_cast(r.eventTime AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)"},
	{"eventVersion", "nullif(r.eventVersion, '')"},
	{"eventSource", "nullif(r.eventSource, '')"},
	{"eventName", "nullif(r.eventName, '')"},
	{"awsRegion", "nullif(r.awsRegion, '')"},
	{"sourceIPAddress", "nullif(r.sourceIPAddress, '')"},
	{"userAgent", "nullif(r.userAgent, '')"},
	{"errorCode", "nullif(r.errorCode, '')"},
	{"errorMessage", "nullif(r.errorMessage, '')"},
	{"requestID", "nullif(r.requestID, '')"},
	{"readOnly", "r.readOnly"},
	{"eventType", "nullif(r.eventType, '')"},
	{"managementEvent", "r.managementEvent"},
	{"recipientAccountId", "nullif(r.recipientAccountId, '')"},
	{"eventCategory", "nullif(r.eventCategory, '')"},
	{"sharedEventID", "nullif(r.sharedEventID, '')"},
	{"vpcEndpointId", "nullif(r.vpcEndpointId, '')"},
	{"userIdentityType", "nullif(u.type, '')"},
	{"principalArn", "CASE WHEN u.type = 'AssumedRole' AND nullif(u.sessionContext.sessionIssuer.arn, '') IS NOT NULL " +
		"THEN u.sessionContext.sessionIssuer.arn ELSE coalesce(nullif(u.arn, ''), nullif(u.invokedBy, '')) END"},
	{"callerArn", "nullif(u.arn, '')"},
	{"sessionIssuerArn", "nullif(u.sessionContext.sessionIssuer.arn, '')"},
	{"callerAccountId", "nullif(u.accountId, '')"},
	{"keyArn", keyArnExpr},
	{"keyAccountId", "nullif(split_part(" + keyArnExpr + ", ':', 5), '')"},
	{"userIdentity", "r.userIdentity"},
	{"requestParameters", "r.requestParameters"},
	{"responseElements", "r.responseElements"},
	{"additionalEventData", "r.additionalEventData"},
	{"resources", "r.resources"},
	{"tlsDetails", "r.tlsDetails"},
	{"source", "source"},
	{"record", "record::JSON"},
}

// keyArnExpr picks the KMS key of a record: the first resource of type
// AWS::KMS::Key, else the first resource whose ARN names a key (some real
// records' resources lack "type"), else requestParameters.keyId when it is a
// key ARN, else the created key's ARN in responseElements (CreateKey).
const keyArnExpr = "coalesce(" +
	"list_filter(r.resources, lambda x: x.\"type\" = 'AWS::KMS::Key' AND nullif(x.ARN, '') IS NOT NULL)[1].ARN, " +
	"list_filter(r.resources, lambda x: x.ARN LIKE 'arn:%:kms:%:key/%')[1].ARN, " +
	"CASE WHEN r.requestParameters->>'$.keyId' LIKE 'arn:%:kms:%:key/%' THEN r.requestParameters->>'$.keyId' END, " +
	"CASE WHEN r.responseElements->>'$.keyMetadata.arn' LIKE 'arn:%:kms:%:key/%' THEN r.responseElements->>'$.keyMetadata.arn' END)"

// deriveSQL selects the events columns, in table order, from relation from,
// which has the columns record (VARCHAR, the record's JSON text) and source,
// plus any others named in extra (kept as the leading columns).
func deriveSQL(from string, extra ...string) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for _, e := range extra {
		b.WriteString(e + ", ")
	}
	for i, c := range derivedColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s AS %q", c.Expr, c.Name)
	}
	fmt.Fprintf(&b, " FROM (SELECT *, from_json(r.userIdentity, '%s') AS u FROM "+
		"(SELECT *, from_json(record, '%s') AS r FROM %s))", identityShape, recordShape, from)
	return b.String()
}

// The Go derivation gives every column the SQL derivation gives, for every
// record of every real data set file.
func TestDeriveMatchesSQL(t *testing.T) {
	ctx := context.Background()
	var paths []string
	for _, name := range []string{"invictus-sigma-aws", "stratus-red-team-detonation-logs", "aws-kms-docs-examples"} {
		paths = append(paths, dataset(t, name))
	}
	paths = append(paths, "testdata")
	s, _ := openTestStore(t)
	sum := importPaths(t, s, paths...)
	if sum.Imported < 3000 {
		t.Fatalf("imported %d records", sum.Imported)
	}
	if _, err := s.db.ExecContext(ctx, "CREATE TABLE ref AS "+
		deriveSQL("(SELECT record::VARCHAR AS record, source FROM events)")); err != nil {
		t.Fatal(err)
	}
	cols := strings.Join(quoted(columnNames()), ", ")
	for _, asText := range []bool{false, true} {
		sel := cols
		// Query results hold JSON columns as values. The record's text is
		// kept byte for byte; the other JSON columns hold the record's own
		// text of their value, where the SQL derivation re-serialized it
		// (1.68890570862E9 as 1688905708.62, \u0026 as &).
		if asText {
			sel = "eventID, record::VARCHAR"
		}
		got, err := s.Query(ctx, "SELECT "+sel+" FROM events ORDER BY eventID")
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Query(ctx, "SELECT "+sel+" FROM ref ORDER BY eventID")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Rows) != len(want.Rows) {
			t.Fatalf("%d rows, want %d", len(got.Rows), len(want.Rows))
		}
		bad := 0
		for i := range got.Rows {
			for j, c := range got.Columns {
				if !reflect.DeepEqual(got.Rows[i][j], want.Rows[i][j]) {
					if bad++; bad <= 10 {
						t.Errorf("eventID %v: %s = %#v, SQL derives %#v", got.Rows[i][0], c, got.Rows[i][j], want.Rows[i][j])
					}
				}
			}
		}
		if bad > 0 {
			t.Errorf("%d values differ", bad)
		}
	}
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}
