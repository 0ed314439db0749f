package simulator

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func TestTags(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("red")}}})
	must(t, err)
	id := key.KeyMetadata.KeyId
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []types.Tag{
		{TagKey: aws.String("env"), TagValue: aws.String("prod")}, {TagKey: aws.String("team"), TagValue: aws.String("blue")}}})
	must(t, err)
	var got []string
	p := kms.NewListResourceTagsPaginator(c, &kms.ListResourceTagsInput{KeyId: id, Limit: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		must(t, err)
		for _, tag := range page.Tags {
			got = append(got, *tag.TagKey+"="+*tag.TagValue)
		}
	}
	if strings.Join(got, ",") != "env=prod,team=blue" {
		t.Fatalf("tags %v", got)
	}
	_, err = c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: id, TagKeys: []string{"team"}})
	must(t, err)
	list, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id})
	must(t, err)
	if len(list.Tags) != 1 || *list.Tags[0].TagKey != "env" {
		t.Fatalf("tags after untag %+v", list.Tags)
	}
	for _, tc := range []struct {
		tags []types.Tag
		msg  string
	}{
		{[]types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("y")}}, "Tags beginning with aws: are reserved"},
		{[]types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("1")}, {TagKey: aws.String("a"), TagValue: aws.String("2")}}, "Duplicate tag keys"},
	} {
		_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: tc.tags})
		if msg := wantAPIError[*types.TagException](t, err); msg != tc.msg {
			t.Errorf("message %q, want %q", msg, tc.msg)
		}
	}
	many := make([]types.Tag, 50)
	for i := range many {
		many[i] = types.Tag{TagKey: aws.String("k" + itoa(int64(i))), TagValue: aws.String("v")}
	}
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: many})
	if msg := wantAPIError[*types.TagException](t, err); msg != "Too many tags" {
		t.Fatalf("message %q", msg)
	}
	// Tags feed aws:ResourceTag conditions: the key is usable under a policy that requires env=prod.
	if _, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateAlias(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/app-data"), TargetKeyId: key.KeyMetadata.KeyId})
	must(t, err)
	desc, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/app-data")})
	must(t, err)
	if *desc.KeyMetadata.KeyId != *key.KeyMetadata.KeyId {
		t.Fatalf("alias points at %s", *desc.KeyMetadata.KeyId)
	}
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/missing"), TargetKeyId: key.KeyMetadata.KeyId})
	wantAPIError[*types.NotFoundException](t, err)
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/app-data"), TargetKeyId: aws.String("alias/legacy")})
	wantErrorCode(t, err, "ValidationException")
	other, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: other.KeyMetadata.KeyId})
	must(t, err)
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/app-data"), TargetKeyId: other.KeyMetadata.KeyId})
	wantAPIError[*types.KMSInvalidStateException](t, err)
}

func TestGenerateRandom(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	a, err := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32)})
	must(t, err)
	b, err := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32)})
	must(t, err)
	if len(a.Plaintext) != 32 || bytes.Equal(a.Plaintext, b.Plaintext) {
		t.Fatalf("random bytes %x %x", a.Plaintext, b.Plaintext)
	}
	for n, msg := range map[int32]string{
		0:    "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
		1025: "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
	} {
		_, err := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(n)})
		if got := wantErrorCode(t, err, "ValidationException"); got != msg {
			t.Errorf("%d: %q", n, got)
		}
	}
	_, err = c.GenerateRandom(ctx, &kms.GenerateRandomInput{})
	if got := wantErrorCode(t, err, "ValidationException"); got != "NumberOfBytes is required." {
		t.Errorf("missing: %q", got)
	}
}

func TestReEncrypt(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	src, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	dst, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: src.KeyMetadata.KeyId, Plaintext: []byte("move me"), EncryptionContext: map[string]string{"a": "1"}})
	must(t, err)
	re, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: map[string]string{"a": "1"},
		DestinationKeyId: dst.KeyMetadata.KeyId, DestinationEncryptionContext: map[string]string{"b": "2"}})
	must(t, err)
	if *re.SourceKeyId != *src.KeyMetadata.Arn || *re.KeyId != *dst.KeyMetadata.Arn {
		t.Fatalf("re-encrypt %s → %s", *re.SourceKeyId, *re.KeyId)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob, EncryptionContext: map[string]string{"b": "2"}})
	must(t, err)
	if string(dec.Plaintext) != "move me" || *dec.KeyId != *dst.KeyMetadata.Arn {
		t.Fatalf("decrypted %q under %s", dec.Plaintext, *dec.KeyId)
	}
	_, err = c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: dst.KeyMetadata.KeyId})
	wantAPIError[*types.InvalidCiphertextException](t, err)
	// The EncryptionApp role may ReEncrypt* on app-data only: ReEncryptTo a key whose policy does not name it is denied.
	app := h.kms(h.session("EncryptionApp"))
	blob, err := app.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/app-data"), Plaintext: []byte("x")})
	must(t, err)
	_, err = app.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob.CiphertextBlob, DestinationKeyId: aws.String(explicitDenyKey)})
	if msg := wantErrorCode(t, err, "AccessDeniedException"); !strings.Contains(msg, "kms:ReEncryptTo") {
		t.Fatalf("message %q", msg)
	}
	if _, err := app.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob.CiphertextBlob, DestinationKeyId: aws.String("alias/app-data")}); err != nil {
		t.Fatalf("re-encrypt on the same key: %v", err)
	}
}

func TestGetKeyLastUsage(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	id := key.KeyMetadata.KeyId
	before, err := c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: id})
	must(t, err)
	if before.KeyLastUsage != nil || *before.KeyId != *key.KeyMetadata.Arn || before.TrackingStartDate == nil {
		t.Fatalf("unused key: %+v", before)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	must(t, err)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id}) // not a cryptographic use
	must(t, err)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("garbage-garbage-garbage-garbage-garbage")}) // a failed use does not count
	if err == nil {
		t.Fatal("garbage decrypted")
	}
	after, err := c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: id})
	must(t, err)
	u := after.KeyLastUsage
	if u == nil || u.Operation != types.KeyLastUsageTrackingOperationEncrypt || *u.KmsRequestId == "" {
		t.Fatalf("last usage %+v", u)
	}
	// The event id is the Encrypt record's.
	var encryptID string
	for _, r := range h.records() {
		if r.EventName == "Encrypt" && r.ErrorCode == "" && len(r.Resources) > 0 && r.Resources[0].ARN == *key.KeyMetadata.Arn {
			encryptID = r.EventID
		}
	}
	if *u.CloudTrailEventId != encryptID {
		t.Fatalf("event %s, trail has %s", *u.CloudTrailEventId, encryptID)
	}
}

// TestKeyQuota: the "AWS KMS keys" resource quota (100,000 per account and Region) refuses one more key.
func TestKeyQuota(t *testing.T) {
	h := newHarness(t)
	h.sim.state.mu.Lock()
	for i := h.sim.state.countKeys(prodAccount, "us-east-1"); i < maxKeysPerRegion; i++ {
		k := &keyRecord{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Account: prodAccount, Region: "us-east-1", State: stateEnabled}
		h.sim.state.keys[k.index()] = k
	}
	h.sim.state.mu.Unlock()
	_, err := h.kms(adminCreds).CreateKey(ctx, &kms.CreateKeyInput{})
	wantAPIError[*types.LimitExceededException](t, err)
	// Another Region has its own quota.
	cfg := h.config(adminCreds)
	cfg.Region = "eu-west-1"
	if _, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
		t.Fatal(err)
	}
}
