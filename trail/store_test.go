package trail

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"testing"
)

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	s, path := openTestStore(t)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 || ms[0].Name != "events" {
		t.Fatalf("migrations = %+v, want 0001_events first", ms)
	}
	applied := func(s *Store) *Result {
		res, err := s.Query(context.Background(), "SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := applied(s)
	if len(first.Rows) != len(ms) {
		t.Fatalf("schema_migrations has %d rows, want %d", len(first.Rows), len(ms))
	}
	cols, err := s.Query(context.Background(),
		"SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'events' ORDER BY column_index")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, r := range cols.Rows {
		got[r[0].(string)] = r[1]
	}
	for name, typ := range map[string]string{
		"eventID": "VARCHAR", "eventTime": "TIMESTAMP", "readOnly": "BOOLEAN", "managementEvent": "BOOLEAN",
		"recipientAccountId": "VARCHAR", "principalArn": "VARCHAR", "sessionIssuerArn": "VARCHAR",
		"keyArn": "VARCHAR", "record": "VARCHAR", "requestParameters": "JSON",
	} {
		if got[name] != typ {
			t.Errorf("events.%s type = %v, want %s", name, got[name], typ)
		}
	}
	for _, name := range storedColumns {
		if _, ok := got[name]; !ok {
			t.Errorf("storedColumns names %s, which events lacks", name)
		}
	}
	for _, name := range []string{"userIdentity", "requestParameters", "responseElements", "additionalEventData", "resources", "tlsDetails"} {
		if _, ok := got[name]; !ok {
			t.Errorf("events lacks the virtual column %s", name)
		}
	}
	if err := s.Insert(context.Background(), []Record{testRecord(1)}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Re-opening applies nothing and keeps the data.
	s2, err := Open(path)
	if err != nil {
		t.Fatalf("re-Open: %v", err)
	}
	defer s2.Close()
	if second := applied(s2); !reflect.DeepEqual(first, second) {
		t.Errorf("schema_migrations changed on re-open:\n%v\n%v", first.Rows, second.Rows)
	}
	if n := countEvents(t, s2); n != 1 {
		t.Errorf("events after re-open = %d, want 1", n)
	}
}

func TestOpenReadOnly(t *testing.T) {
	_, err := OpenReadOnly(filepath.Join(t.TempDir(), "missing.duckdb"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenReadOnly(missing) error = %v, want fs.ErrNotExist", err)
	}

	s, path := openTestStore(t)
	if err := s.Insert(context.Background(), []Record{testRecord(1)}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatalf("OpenReadOnly: %v", err)
	}
	defer ro.Close()
	if n := countEvents(t, ro); n != 1 {
		t.Errorf("count = %d, want 1", n)
	}
	if err := ro.Insert(context.Background(), []Record{testRecord(2)}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Insert on read-only store error = %v, want ErrReadOnly", err)
	}
	if _, err := ro.Query(context.Background(), "DELETE FROM stored_events"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("DELETE on read-only store error = %v, want ErrReadOnly", err)
	}
	if _, err := NewWriter(ro, filepath.Join(t.TempDir(), "trail.journal")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("NewWriter on read-only store error = %v, want ErrReadOnly", err)
	}
}

func TestInsertFillsColumns(t *testing.T) {
	s, _ := openTestStore(t)
	assumed := testRecord(7)
	assumed.Resources = []Resource{
		{AccountID: "111122223333", Type: "AWS::KMS::Alias", ARN: "arn:aws:kms:us-east-1:111122223333:alias/app"},
		{AccountID: "111122223333", Type: "AWS::KMS::Key", ARN: "arn:aws:kms:us-east-1:111122223333:key/first"},
		{AccountID: "111122223333", Type: "AWS::KMS::Key", ARN: "arn:aws:kms:us-east-1:111122223333:key/second"},
	}
	assumed.EventTime = "2024-05-01T14:30:00+02:00" // stored in UTC

	failed := testRecord(8)
	failed.UserIdentity = &UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/Alice", UserName: "Alice"}
	failed.ErrorCode = "NotFoundException"
	failed.ErrorMessage = "Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found."
	failed.Resources = nil
	failed.ReadOnly = false
	failed.ManagementEvent = false

	if err := s.Insert(context.Background(), []Record{assumed, failed}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(context.Background(), `SELECT eventID, eventTime, eventVersion, eventSource, eventName,
		awsRegion, sourceIPAddress, userAgent, errorCode, errorMessage, requestID, readOnly, eventType,
		managementEvent, recipientAccountId, eventCategory, userIdentityType, principalArn, sessionIssuerArn, keyArn,
		callerArn, callerAccountId, keyAccountId, source
		FROM events ORDER BY eventID`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{testEventID(7), "2024-05-01T12:30:00Z", "1.08", "kms.amazonaws.com", "Encrypt",
			"us-east-1", "192.0.2.0", "aws-sdk-go-v2/1.36.0", nil, nil, "req-7", true, "AwsApiCall",
			true, "111122223333", "Management", "AssumedRole", "arn:aws:iam::111122223333:role/Admin",
			"arn:aws:iam::111122223333:role/Admin", "arn:aws:kms:us-east-1:111122223333:key/first",
			"arn:aws:sts::111122223333:assumed-role/Admin/alice", "111122223333", "111122223333", "simulator"},
		{testEventID(8), "2024-05-01T12:00:08Z", "1.08", "kms.amazonaws.com", "Encrypt",
			"us-east-1", "192.0.2.0", "aws-sdk-go-v2/1.36.0", "NotFoundException", failed.ErrorMessage, "req-8", false, "AwsApiCall",
			false, "111122223333", "Management", "IAMUser", "arn:aws:iam::111122223333:user/Alice",
			nil, nil, "arn:aws:iam::111122223333:user/Alice", nil, nil, "simulator"},
	}
	for i := range want {
		for j, col := range res.Columns {
			if got := res.Rows[i][j]; got != want[i][j] {
				t.Errorf("row %d %s = %#v, want %#v", i, col, got, want[i][j])
			}
		}
	}
	// The JSON column is queryable with DuckDB's JSON functions.
	if got := queryOne(t, s, `SELECT record->>'$.requestParameters.keyId' FROM events WHERE eventID = '`+testEventID(7)+`'`); got != "alias/app" {
		t.Errorf("record->>'$.requestParameters.keyId' = %v", got)
	}
}

func TestInsertSkipsStoredEventIDs(t *testing.T) {
	s, _ := openTestStore(t)
	ctx := context.Background()
	first := testRecord(1)
	if err := s.Insert(ctx, []Record{first, testRecord(2)}); err != nil {
		t.Fatal(err)
	}
	changed := testRecord(1)
	changed.EventName = "Decrypt" // same eventID: skipped, the stored record wins
	if err := s.Insert(ctx, []Record{changed, testRecord(3), testRecord(3), testRecord(2)}); err != nil {
		t.Fatalf("Insert with stored and repeated eventIDs: %v", err)
	}
	if n := countEvents(t, s); n != 3 {
		t.Errorf("count = %d, want 3", n)
	}
	if got := queryOne(t, s, `SELECT eventName FROM events WHERE eventID = '`+testEventID(1)+`'`); got != "Encrypt" {
		t.Errorf("eventName of the re-inserted eventID = %v, want the first record's Encrypt", got)
	}

	// The record column holds exactly the JSON the Record marshals to.
	want, err := json.Marshal(first)
	if err != nil {
		t.Fatal(err)
	}
	got := queryOne(t, s, `SELECT record::VARCHAR FROM events WHERE eventID = '`+testEventID(1)+`'`)
	if got != string(want) {
		t.Errorf("record column:\n got %s\nwant %s", got, want)
	}
	var back Record
	if err := json.Unmarshal([]byte(got.(string)), &back); err != nil || !reflect.DeepEqual(back.UserIdentity, first.UserIdentity) {
		t.Errorf("record column does not unmarshal to the Record: %v", err)
	}
}

func TestInsertRejectsInvalidRecords(t *testing.T) {
	s, _ := openTestStore(t)
	noID := testRecord(1)
	noID.EventID = ""
	badTime := testRecord(2)
	badTime.EventTime = "yesterday"
	for _, rec := range []Record{noID, badTime} {
		err := s.Insert(context.Background(), []Record{testRecord(3), rec})
		if !errors.Is(err, ErrInvalidRecord) {
			t.Errorf("Insert(%q, %q) error = %v, want ErrInvalidRecord", rec.EventID, rec.EventTime, err)
		}
	}
	if n := countEvents(t, s); n != 0 {
		t.Errorf("count = %d, want 0: a rejected call stores nothing", n)
	}
}
