package trail

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// testEventID is a deterministic UUID-shaped eventID.
func testEventID(i int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
}

// testRecord is an Encrypt call by an assumed role, the shape the simulator
// writes.
func testRecord(i int) Record {
	keyArn := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	return Record{
		EventVersion: "1.08",
		UserIdentity: &UserIdentity{
			Type:        "AssumedRole",
			PrincipalID: "AROAEXAMPLE:alice",
			ARN:         "arn:aws:sts::111122223333:assumed-role/Admin/alice",
			AccountID:   "111122223333",
			AccessKeyID: "ASIAEXAMPLE",
			SessionContext: &SessionContext{
				SessionIssuer: &SessionIssuer{
					Type:        "Role",
					PrincipalID: "AROAEXAMPLE",
					ARN:         "arn:aws:iam::111122223333:role/Admin",
					AccountID:   "111122223333",
					UserName:    "Admin",
				},
				Attributes: SessionAttribute{CreationDate: "2024-05-01T10:00:00Z", MFAAuthenticated: "false"},
			},
		},
		EventTime:       time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339),
		EventSource:     "kms.amazonaws.com",
		EventName:       "Encrypt",
		AWSRegion:       "us-east-1",
		SourceIPAddress: "192.0.2.0",
		UserAgent:       "aws-sdk-go-v2/1.36.0",
		RequestParameters: map[string]any{
			"keyId":               "alias/app",
			"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
			"encryptionContext":   map[string]any{"n": fmt.Sprint(i)},
		},
		RequestID:          fmt.Sprintf("req-%d", i),
		EventID:            testEventID(i),
		ReadOnly:           true,
		Resources:          []Resource{{AccountID: "111122223333", Type: "AWS::KMS::Key", ARN: keyArn}},
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: "111122223333",
		EventCategory:      "Management",
	}
}

// openTestStore opens a fresh database file in a temporary directory.
func openTestStore(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kmsim.duckdb")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// queryOne runs sql and returns its single value.
func queryOne(t testing.TB, s *Store, sql string) any {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("Query(%s): %v", sql, err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		t.Fatalf("Query(%s) = %v, want one value", sql, res.Rows)
	}
	return res.Rows[0][0]
}

func countEvents(t testing.TB, s *Store) int64 {
	t.Helper()
	n, ok := queryOne(t, s, "SELECT count(*) FROM events").(int64)
	if !ok {
		t.Fatalf("count(*) is not int64")
	}
	return n
}
