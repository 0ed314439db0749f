package trail

import (
	"fmt"
	"strings"
)

// Sources of events rows (the events.source column).
const (
	// SourceSimulator marks records the simulator wrote (Writer, Insert).
	SourceSimulator = "simulator"
	// SourceImportPrefix starts the source of imported records, followed by
	// the file path: "import:/logs/AWSLogs/.../x.json.gz".
	SourceImportPrefix = "import:"
)

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

// columnNames lists the events columns in table order.
func columnNames() []string {
	names := make([]string, len(derivedColumns))
	for i, c := range derivedColumns {
		names[i] = c.Name
	}
	return names
}

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
