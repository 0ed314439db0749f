package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The state snapshot, through the admin endpoint while the server runs and read from the data
// directory after it stopped: a key a client created, with its alias, tags, policy, a constrained
// grant, its on-demand rotation (the material id ListKeyRotations names) and its disabled state;
// no key material or grant tokens.
func TestSnapshotLiveAndOffline(t *testing.T) {
	dir := t.TempDir()
	admin := &Admin{Token: "secret"}
	h := newHarnessWith(t, dir, func(c *Config) { c.Admin = admin })
	admin.State = h.sim.Snapshot
	ctx := t.Context()
	c := h.kms(adminCreds)

	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("orders"),
		Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("payments")}}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.KeyMetadata.KeyId)
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	steps := []func() error{
		func() error {
			_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/orders"), TargetKeyId: aws.String(id)})
			return err
		},
		func() error {
			_, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default"), Policy: aws.String(policy)})
			return err
		},
		func() error {
			_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(id), Name: aws.String("orders-app"),
				GranteePrincipal: aws.String("arn:aws:iam::111122223333:role/AppRole"), Operations: []types.GrantOperation{types.GrantOperationDecrypt},
				Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "orders"}}})
			return err
		},
		func() error {
			_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(id)})
			return err
		},
		func() error {
			_, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	rots, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}

	get := func(token string) *http.Response {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.http.URL+"/_kmsim/state", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if resp := get("wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong token: %s", resp.Status)
	}
	resp := get("secret")
	var live Snapshot
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &live); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	for _, secret := range []string{`"material"`, `"tokens"`, "AQpAM2"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the snapshot holds %s", secret)
		}
	}
	k := findSnapshotKey(t, &live, id)
	if k.State != "Disabled" || k.Description != "orders" || k.Tags["team"] != "payments" || !reflect.DeepEqual(k.Aliases, []string{"alias/orders"}) ||
		k.Policy != policy || k.Origin != "AWS_KMS" || k.ARN != "arn:aws:kms:us-east-1:111122223333:key/"+id {
		t.Errorf("key %+v", k)
	}
	if len(k.Grants) != 1 || k.Grants[0].Name != "orders-app" || !reflect.DeepEqual(k.Grants[0].Operations, []string{"Decrypt"}) ||
		k.Grants[0].EncryptionContextSubset["app"] != "orders" {
		t.Errorf("grants %+v", k.Grants)
	}
	if len(k.Rotations) != 1 || len(rots.Rotations) != 1 || k.Rotations[0].RotationType != "ON_DEMAND" ||
		k.Rotations[0].KeyMaterialID == "" || k.Rotations[0].KeyMaterialID != aws.ToString(rots.Rotations[0].KeyMaterialId) ||
		!k.Rotations[0].RotationDate.Truncate(time.Millisecond).Equal(aws.ToTime(rots.Rotations[0].RotationDate)) {
		t.Errorf("rotations %+v, ListKeyRotations %+v", k.Rotations, rots.Rotations)
	}
	if live.Seeded != "demo" || len(findSnapshotKey(t, &live, appDataKey).Aliases) == 0 {
		t.Errorf("the seeded keys: seeded %q", live.Seeded)
	}

	h.close()
	offline, err := ReadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(offline, &live) {
		t.Errorf("ReadState after the server stopped differs from the live snapshot:\n%s\n%s", mustJSON(t, offline), mustJSON(t, &live))
	}
	if s, err := ReadState(t.TempDir()); s != nil || err != nil {
		t.Errorf("an empty directory: %v, %v", s, err)
	}
}

func findSnapshotKey(t *testing.T, s *Snapshot, id string) SnapshotKey {
	t.Helper()
	for _, k := range s.Keys {
		if k.ID == id {
			return k
		}
	}
	t.Fatalf("no key %s in the snapshot", id)
	return SnapshotKey{}
}

// snapshotBenchHarness is the demo world with 100 keys more, each with a grant and a rotation.
func snapshotBenchHarness(b *testing.B) *harness {
	h := newHarness(b)
	c := h.kms(adminCreds)
	for range 100 {
		out, err := c.CreateKey(b.Context(), &kms.CreateKeyInput{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.CreateGrant(b.Context(), &kms.CreateGrantInput{KeyId: out.KeyMetadata.KeyId,
			GranteePrincipal: aws.String("arn:aws:iam::111122223333:role/AppRole"), Operations: []types.GrantOperation{types.GrantOperationDecrypt}}); err != nil {
			b.Fatal(err)
		}
		if _, err := c.RotateKeyOnDemand(b.Context(), &kms.RotateKeyOnDemandInput{KeyId: out.KeyMetadata.KeyId}); err != nil {
			b.Fatal(err)
		}
	}
	return h
}

// BenchmarkSnapshotServer measures the snapshot a running server answers GET /_kmsim/state with.
func BenchmarkSnapshotServer(b *testing.B) {
	h := snapshotBenchHarness(b)
	for b.Loop() {
		if s := h.sim.Snapshot(); len(s.Keys) < 100 {
			b.Fatal(len(s.Keys))
		}
	}
}

// BenchmarkSnapshotReadState measures reading the same state from the data directory.
func BenchmarkSnapshotReadState(b *testing.B) {
	h := snapshotBenchHarness(b)
	for b.Loop() {
		if s, err := ReadState(h.dir); err != nil || len(s.Keys) < 100 {
			b.Fatal(err)
		}
	}
}
