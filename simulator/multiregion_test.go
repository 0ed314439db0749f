package simulator

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// kmsIn is an admin client for another Region.
func (h *harness) kmsIn(region string) *kms.Client {
	cfg := h.config(adminCreds)
	cfg.Region = region
	return kms.NewFromConfig(cfg)
}

func TestMultiRegionKeys(t *testing.T) {
	h := newHarness(t)
	east, west := h.kms(adminCreds), h.kmsIn("us-west-2")
	primary, err := east.CreateKey(ctx, &kms.CreateKeyInput{MultiRegion: aws.Bool(true), Description: aws.String("mrk")})
	must(t, err)
	id := *primary.KeyMetadata.KeyId
	if id[:4] != "mrk-" || primary.KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypePrimary {
		t.Fatalf("primary %s %+v", id, primary.KeyMetadata.MultiRegionConfiguration)
	}
	rep, err := east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: aws.String(id), ReplicaRegion: aws.String("us-west-2"), Description: aws.String("replica")})
	must(t, err)
	if *rep.ReplicaKeyMetadata.Arn != "arn:aws:kms:us-west-2:111122223333:key/"+id || rep.ReplicaKeyMetadata.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypeReplica {
		t.Fatalf("replica %+v", rep.ReplicaKeyMetadata)
	}
	_, err = east.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: aws.String(id), ReplicaRegion: aws.String("us-west-2")})
	wantAPIError[*types.AlreadyExistsException](t, err)
	_, err = west.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: aws.String(id), ReplicaRegion: aws.String("eu-west-1")})
	if msg := wantAPIError[*types.UnsupportedOperationException](t, err); msg != "arn:aws:kms:us-west-2:111122223333:key/"+id+" is not a multi-region primary key." {
		t.Fatalf("message %q", msg)
	}
	// Shared material: a ciphertext from one Region decrypts in the other, also after rotation.
	enc, err := east.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("everywhere")})
	must(t, err)
	dec, err := west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	must(t, err)
	if string(dec.Plaintext) != "everywhere" || *dec.KeyId != *rep.ReplicaKeyMetadata.Arn {
		t.Fatalf("decrypted %q under %s", dec.Plaintext, *dec.KeyId)
	}
	_, err = east.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(id)})
	must(t, err)
	rotated, err := east.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("new material")})
	must(t, err)
	if _, err := west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: rotated.CiphertextBlob}); err != nil {
		t.Fatalf("replica cannot decrypt after the primary rotated: %v", err)
	}
	_, err = west.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(id)})
	wantAPIError[*types.UnsupportedOperationException](t, err)
	sync := 0
	for _, r := range h.records() {
		if r.EventName == "SynchronizeMultiRegionKey" && r.AWSRegion == "us-west-2" {
			sync++
			compareWithExample(t, "SynchronizeMultiRegionKey", asMap(t, r))
		}
	}
	if sync != 1 {
		t.Fatalf("%d SynchronizeMultiRegionKey events", sync)
	}
	for _, r := range h.records() {
		if r.EventName == "ReplicateKey" && r.ErrorCode == "" {
			compareWithExample(t, "ReplicateKey", asMap(t, r))
		}
	}
	// The replica becomes the primary.
	_, err = east.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: aws.String(id), PrimaryRegion: aws.String("us-west-2")})
	must(t, err)
	d, err := west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	must(t, err)
	if d.KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType != types.MultiRegionKeyTypePrimary || *d.KeyMetadata.MultiRegionConfiguration.ReplicaKeys[0].Region != "us-east-1" {
		t.Fatalf("after UpdatePrimaryRegion: %+v", d.KeyMetadata.MultiRegionConfiguration)
	}
	// A primary with replicas waits for them: PendingReplicaDeletion, then its own waiting period.
	sched, err := west.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)})
	must(t, err)
	if sched.KeyState != types.KeyStatePendingReplicaDeletion || sched.DeletionDate != nil {
		t.Fatalf("primary scheduled: %+v", sched)
	}
	_, err = east.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)})
	must(t, err)
	must(t, h.sim.Advance(ctx, 8*day))
	_, err = east.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	wantAPIError[*types.NotFoundException](t, err)
	d, err = west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	must(t, err)
	if d.KeyMetadata.KeyState != types.KeyStatePendingDeletion || d.KeyMetadata.DeletionDate == nil {
		t.Fatalf("primary after its replica's deletion: %s", d.KeyMetadata.KeyState)
	}
	must(t, h.sim.Advance(ctx, 8*day))
	_, err = west.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	wantAPIError[*types.NotFoundException](t, err)
}
