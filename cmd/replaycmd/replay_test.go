package replaycmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/trail"
)

func TestReplayRun(t *testing.T) {
	dir := t.TempDir()
	store, err := trail.Open(filepath.Join(dir, "kmsim.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	keyARN := "arn:aws:kms:us-east-1:111122223333:key/33333333-3333-3333-3333-333333333333"
	var rec trail.Record
	json.Unmarshal([]byte(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Billing/s","accountId":"111122223333",
"sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/Billing","accountId":"111122223333"},"attributes":{"creationDate":"","mfaAuthenticated":"false"}}},
"eventTime":"2025-01-01T00:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"x",
"requestParameters":{"encryptionContext":{"app":"billing"}},"responseElements":null,"eventID":"e1","readOnly":true,
"resources":[{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"`+keyARN+`"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`), &rec)
	if err := store.Insert(context.Background(), []trail.Record{rec}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	pol := filepath.Join(dir, "closed.json")
	os.WriteFile(pol, []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"AdminOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Describe*","Resource":"*"}]}`), 0o644)
	var out bytes.Buffer
	opts := &Options{IO: &cmdutil.IOStreams{Out: &out}, LoadWorld: cmdutil.LoadWorld, DataDir: dir,
		WorldPath: filepath.Join("..", "..", "fixtures", "worlds", "ec-constrained-decrypt", "world.yaml"),
		Key:       "alias/billing", KeyPolicy: pol, Output: "table"}
	if err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 calls on " + keyARN + ", 1 re-evaluated, 1 would change.",
		"arn:aws:iam::111122223333:role/Billing  Decrypt    allowed→denied", `no resource-based policy allows (allowed before by key/33333333-3333-3333-3333-333333333333#1 "BillingDecrypt")`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
