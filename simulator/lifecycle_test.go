package simulator

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

const day = 24 * time.Hour

// serviceEvents returns the AwsServiceEvent records named name.
func (h *harness) serviceEvents(name string) []map[string]any {
	var out []map[string]any
	for _, r := range h.records() {
		if r.EventType == "AwsServiceEvent" && r.EventName == name {
			out = append(out, asMap(h.t.(*testing.T), r))
		}
	}
	return out
}

func TestClockDrivenDeletion(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	id := key.KeyMetadata.KeyId
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/doomed"), TargetKeyId: id})
	must(t, err)
	sched, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)})
	must(t, err)
	must(t, h.sim.Advance(ctx, 6*day))
	if _, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id}); err != nil {
		t.Fatalf("key gone before its deletion date: %v", err)
	}
	if n := len(h.serviceEvents("DeleteKey")); n != 0 {
		t.Fatalf("%d DeleteKey events before the deletion date", n)
	}
	must(t, h.sim.Advance(ctx, day+time.Minute))
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	wantAPIError[*types.NotFoundException](t, err)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/doomed")})
	wantAPIError[*types.NotFoundException](t, err)
	events := h.serviceEvents("DeleteKey")
	if len(events) != 1 {
		t.Fatalf("%d DeleteKey events, want 1", len(events))
	}
	ev := events[0]
	if ev["eventTime"] != sched.DeletionDate.UTC().Format(time.RFC3339) {
		t.Errorf("DeleteKey at %v, deletion date %v", ev["eventTime"], sched.DeletionDate)
	}
	ui := ev["userIdentity"].(map[string]any)
	if ui["invokedBy"] != "AWS Internal" || ui["accountId"] != prodAccount {
		t.Errorf("userIdentity %v", ui)
	}
	compareWithExample(t, "DeleteKey", ev)
}

func TestClockDrivenRotation(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	id := key.KeyMetadata.KeyId
	old, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("before rotation")})
	must(t, err)
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(90)})
	must(t, err)
	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	must(t, err)
	if !st.KeyRotationEnabled || *st.RotationPeriodInDays != 90 || st.NextRotationDate == nil {
		t.Fatalf("rotation status %+v", st)
	}
	firstDue := *st.NextRotationDate
	// 200 days: two automatic rotations, at 90 and 180 days.
	must(t, h.sim.Advance(ctx, 200*day))
	rots, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: id})
	must(t, err)
	if len(rots.Rotations) != 2 || rots.Rotations[0].RotationType != types.RotationTypeAutomatic {
		t.Fatalf("rotations %+v", rots.Rotations)
	}
	if !rots.Rotations[0].RotationDate.Equal(firstDue.Truncate(time.Millisecond)) && rots.Rotations[0].RotationDate.Sub(firstDue).Abs() > time.Second {
		t.Errorf("first rotation at %v, due %v", rots.Rotations[0].RotationDate, firstDue)
	}
	events := h.serviceEvents("RotateKey")
	if len(events) != 2 {
		t.Fatalf("%d RotateKey events, want 2", len(events))
	}
	compareWithExample(t, "RotateKey", events[0])
	if d := events[0]["serviceEventDetails"].(map[string]any); d["rotationType"] != "AUTOMATIC" || d["keyId"] != *id {
		t.Errorf("serviceEventDetails %v", d)
	}
	// Old ciphertexts still decrypt; new ones use the newest material.
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old.CiphertextBlob})
	must(t, err)
	if string(dec.Plaintext) != "before rotation" {
		t.Fatalf("plaintext %q", dec.Plaintext)
	}
	fresh, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("after")})
	must(t, err)
	if h, _, _, _ := parseCiphertext(fresh.CiphertextBlob); h.Version != 3 {
		t.Fatalf("new ciphertext uses material version %d, want 3", h.Version)
	}
	_, err = c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: id})
	must(t, err)
	st, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	must(t, err)
	if st.KeyRotationEnabled {
		t.Fatal("rotation still enabled")
	}
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(30)})
	if msg := wantErrorCode(t, err, "ValidationException"); msg != "1 validation error detected: Value '30' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90" {
		t.Fatalf("message %q", msg)
	}
}

func TestRotateKeyOnDemandLimit(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	id := key.KeyMetadata.KeyId
	for i := 0; i < 10; i++ {
		_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: id})
		must(t, err)
	}
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: id})
	if msg := wantAPIError[*types.LimitExceededException](t, err); msg != "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: "+*key.KeyMetadata.Arn {
		t.Fatalf("message %q", msg)
	}
	var n int
	p := kms.NewListKeyRotationsPaginator(c, &kms.ListKeyRotationsInput{KeyId: id, Limit: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		must(t, err)
		for _, r := range page.Rotations {
			if r.RotationType != types.RotationTypeOnDemand {
				t.Fatalf("rotation type %s", r.RotationType)
			}
			n++
		}
	}
	if n != 10 {
		t.Fatalf("listed %d rotations, want 10", n)
	}
	if got := len(h.serviceEvents("RotateKey")); got != 10 {
		t.Fatalf("%d RotateKey events, want 10", got)
	}
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(legacyKey)})
	wantAPIError[*types.DisabledException](t, err)
}

func TestClockSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	h := newHarnessIn(t, dir)
	must(t, h.sim.Advance(ctx, 400*day))
	before := h.sim.Now()
	h.close()
	h2 := newHarnessIn(t, dir)
	if after := h2.sim.Now(); after.Sub(before) < 0 || after.Sub(before) > time.Minute {
		t.Fatalf("clock %v before restart, %v after", before, after)
	}
	if err := h2.sim.Advance(ctx, -time.Hour); err == nil {
		t.Fatal("the clock moved backwards")
	}
}
