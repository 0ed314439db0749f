package simulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmsim/kmsim/trail"
)

const examplesDir = "../../shared/reference/cloudtrail-examples"

// fieldsNewerThanExamples are top-level fields CloudTrail added after the guide's older examples
// were printed (eventVersion 1.02–1.05), which kmsim's 1.11 records carry.
var fieldsNewerThanExamples = map[string]bool{"managementEvent": true, "eventCategory": true}

// circumstantialFields depend on the call, not on the record's shape: whether it failed, and
// whether it came over TLS (the tests call kmsim over plain HTTP on loopback).
var circumstantialFields = []string{"errorCode", "errorMessage", "tlsDetails"}

// TestTrailMatchesGuideExamples makes one call of every operation and compares each record with the
// guide's example for that operation: the same top-level fields and the same
// userIdentity, requestParameters and responseElements keys.
func TestTrailMatchesGuideExamples(t *testing.T) {
	if _, err := os.Stat(examplesDir); err != nil {
		t.Skipf("reference examples not available: %v", err)
	}
	h := newHarness(t)
	c := h.kms(adminCreds)
	ec := map[string]string{"Department": "Engineering"}
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("")})
	must(t, err)
	id := key.KeyMetadata.KeyId
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	must(t, err)
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), EncryptionContext: ec})
	must(t, err)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{KeyId: id, CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
	must(t, err)
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: id, KeySpec: "AES_256", EncryptionContext: ec})
	must(t, err)
	_, err = c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: id, KeySpec: "AES_256", EncryptionContext: ec})
	must(t, err)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/ExampleAlias"), TargetKeyId: id})
	must(t, err)
	page, err := c.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(5)})
	must(t, err)
	_, err = c.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(5), Marker: page.NextMarker})
	must(t, err)
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/ExampleAlias")})
	must(t, err)
	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id, PolicyName: aws.String("default")})
	must(t, err)
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: id, PolicyName: aws.String("default"), Policy: pol.Policy})
	must(t, err)
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id})
	must(t, err)
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
	must(t, err)
	_, err = c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: id, Description: aws.String("d")})
	must(t, err)
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(30)})
	must(t, err)
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})
	must(t, err)
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
	must(t, err)
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []types.Tag{{TagKey: aws.String("Department"), TagValue: aws.String("IT")}}})
	must(t, err)
	_, err = c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: id, TagKeys: []string{"Department"}})
	must(t, err)
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(180)})
	must(t, err)
	_, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	must(t, err)
	_, err = c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: id})
	must(t, err)
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: id})
	must(t, err)
	_, err = c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: id})
	must(t, err)
	_, err = c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(16)})
	must(t, err)
	other, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/my_alias"), TargetKeyId: id})
	must(t, err)
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/my_alias"), TargetKeyId: other.KeyMetadata.KeyId})
	must(t, err)
	_, err = c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec,
		DestinationKeyId: other.KeyMetadata.KeyId, DestinationEncryptionContext: map[string]string{"Level": "3A"}})
	must(t, err)
	grant, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(developerARN),
		Operations:  []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationRetireGrant},
		Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"ContextKey1": "Value1"}}})
	must(t, err)
	second, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(developerARN), Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
	must(t, err)
	grants, err := c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: id, Limit: aws.Int32(1)})
	must(t, err)
	_, err = c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: id, Limit: aws.Int32(1), Marker: grants.NextMarker})
	must(t, err)
	_, err = c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: id, GrantId: second.GrantId})
	must(t, err)
	_, err = h.kms(developerCreds).RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: grant.GrantToken})
	must(t, err)
	store := createCloudHSMStore(t, c, "ExampleKeyStore", "cluster-234abcdefgh")
	_, err = c.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(store)})
	must(t, err)
	_, err = c.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(store)})
	must(t, err)
	_, err = c.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: aws.String(store), CloudHsmClusterId: aws.String("cluster-234abcdefgh")})
	must(t, err)
	_, err = c.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: aws.String(store)})
	must(t, err)
	_, err = c.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: aws.String(store)})
	must(t, err)

	// Asymmetric, HMAC, key agreement and ML-KEM keys.
	signing, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	must(t, err)
	sig, err := c.Sign(ctx, &kms.SignInput{KeyId: signing.KeyMetadata.KeyId, Message: []byte("x"), MessageType: types.MessageTypeRaw, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	must(t, err)
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: signing.KeyMetadata.KeyId, Message: []byte("x"), MessageType: types.MessageTypeRaw, Signature: sig.Signature, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	must(t, err)
	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: signing.KeyMetadata.KeyId})
	must(t, err)
	mac, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac512, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	must(t, err)
	tag, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: mac.KeyMetadata.KeyId, Message: []byte("x"), MacAlgorithm: types.MacAlgorithmSpecHmacSha512})
	must(t, err)
	_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: mac.KeyMetadata.Arn, Message: []byte("x"), Mac: tag.Mac, MacAlgorithm: types.MacAlgorithmSpecHmacSha512})
	must(t, err)
	_, err = c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: id, KeyPairSpec: types.DataKeyPairSpecEccNistP256, EncryptionContext: map[string]string{"Project": "Alpha"}})
	must(t, err)
	_, err = c.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: id, KeyPairSpec: types.DataKeyPairSpecEccNistP256, EncryptionContext: map[string]string{"Index": "5"}})
	must(t, err)
	agreement, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeKeyAgreement})
	must(t, err)
	peer, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: signing.KeyMetadata.KeyId})
	must(t, err)
	_, err = c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: agreement.KeyMetadata.KeyId, KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: peer.PublicKey})
	must(t, err)
	kemKey, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecMlKem768, KeyUsage: types.KeyUsageTypeEncapsulateDecapsulate})
	must(t, err)
	encap, err := c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: kemKey.KeyMetadata.KeyId, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
	must(t, err)
	_, err = c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: kemKey.KeyMetadata.KeyId, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, SharedSecretCiphertextBlob: encap.SharedSecretCiphertextBlob})
	must(t, err)

	// One record per operation: the one with the most request parameters where there are several.
	byName := map[string]trail.Record{}
	for _, r := range h.records() {
		if prev, ok := byName[r.EventName]; !ok || len(r.RequestParameters) > len(prev.RequestParameters) || prev.ErrorCode != "" && r.ErrorCode == "" {
			byName[r.EventName] = r
		}
	}
	if n := len(byName); n < 47 {
		t.Fatalf("records for %d operations, want 47", n)
	}
	for name, rec := range byName {
		exPath := filepath.Join(examplesDir, name+".json")
		raw, err := os.ReadFile(exPath)
		if err != nil {
			continue // no example for this operation (ListKeys, ListKeyPolicies)
		}
		t.Run(name, func(t *testing.T) {
			var example map[string]any
			must(t, json.Unmarshal(raw, &example))
			got := asMap(t, rec)
			if rec.ErrorCode != "" {
				t.Fatalf("call failed: %s %s", rec.ErrorCode, rec.ErrorMessage)
			}
			for _, f := range circumstantialFields {
				delete(example, f)
			}
			if r, ok := example["resources"].([]any); ok && len(r) == 0 {
				delete(example, "resources") // an empty list is the same as none
			}
			compareKeys(t, "top level", keysOf(example), keysOf(got), fieldsNewerThanExamples)
			for _, field := range []string{"userIdentity", "requestParameters", "responseElements", "additionalEventData"} {
				ex, _ := example[field].(map[string]any)
				gm, _ := got[field].(map[string]any)
				if field == "userIdentity" {
					delete(ex, "sessionContext") // the example's caller used a console session
				}
				if (ex == nil) != (gm == nil) {
					t.Errorf("%s: example %v, kmsim %v", field, example[field], got[field])
					continue
				}
				compareKeys(t, field, keysOf(ex), keysOf(gm), nil)
			}
			if wantType, _ := example["eventType"].(string); rec.EventVersion != "1.11" || rec.EventSource != "kms.amazonaws.com" || rec.EventType != wantType {
				t.Errorf("header fields %s %s %s", rec.EventVersion, rec.EventSource, rec.EventType)
			}
			if _, want := example["resources"]; want && len(rec.Resources) == 0 {
				t.Errorf("no resources")
			}
		})
	}
	// Nothing secret reaches the trail.
	all, err := json.Marshal(h.records())
	must(t, err)
	for _, secret := range []string{adminCreds.SecretAccessKey, "eA==" /* base64 of the plaintext "x" */} {
		if strings.Contains(string(all), secret) {
			t.Fatalf("trail contains %q", secret)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func asMap(t *testing.T, rec trail.Record) map[string]any {
	t.Helper()
	b, err := json.Marshal(rec)
	must(t, err)
	var m map[string]any
	must(t, json.Unmarshal(b, &m))
	return m
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// compareKeys fails when kmsim lacks a field the example has, or has one the example lacks
// (except those in extra).
func compareKeys(t *testing.T, where string, example, got []string, extra map[string]bool) {
	t.Helper()
	have := map[string]bool{}
	for _, k := range got {
		have[k] = true
	}
	want := map[string]bool{}
	for _, k := range example {
		want[k] = true
		if !have[k] {
			t.Errorf("%s: kmsim lacks %q (example has %v, kmsim %v)", where, k, example, got)
		}
	}
	for _, k := range got {
		if !want[k] && !extra[k] {
			t.Errorf("%s: kmsim has %q that the example lacks (example %v)", where, k, example)
		}
	}
}

// compareWithExample compares a record's keys with the guide's example record for name.
func compareWithExample(t *testing.T, name string, got map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(examplesDir, name+".json"))
	if err != nil {
		t.Skipf("no example for %s: %v", name, err)
	}
	var example map[string]any
	must(t, json.Unmarshal(raw, &example))
	for _, f := range circumstantialFields {
		delete(example, f)
	}
	compareKeys(t, name+" top level", keysOf(example), keysOf(got), fieldsNewerThanExamples)
	for _, field := range []string{"userIdentity", "serviceEventDetails", "requestParameters", "responseElements", "additionalEventData"} {
		ex, _ := example[field].(map[string]any)
		gm, _ := got[field].(map[string]any)
		if field == "userIdentity" {
			delete(ex, "sessionContext") // the example's caller used a console session
		}
		compareKeys(t, name+" "+field, keysOf(ex), keysOf(gm), nil)
	}
}
