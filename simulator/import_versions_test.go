package simulator

import (
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Key material ids and the versions of imported symmetric key material: new material imported for
// rotation (NEW_KEY_MATERIAL), made current by RotateKeyOnDemand, and each version deleted and
// imported back by its id.

var materialIDFormat = regexp.MustCompile(`^[a-f0-9]{64}$`)

// ctImportAs imports material with an import type and, if given, the key material id.
func ctImportAs(t *testing.T, h *harness, id string, material []byte, importType types.ImportType, materialID string) error {
	t.Helper()
	p := ctImportParams(t, h, id)
	in := &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapForImport(t, p, types.AlgorithmSpecRsaesOaepSha256, material),
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire, ImportType: importType}
	if materialID != "" {
		in.KeyMaterialId = &materialID
	}
	_, err := h.kms(adminCreds).ImportKeyMaterial(ctx, in)
	return err
}

var (
	// ctExternalSigner is an ECC_NIST_P256 signing key waiting for imported material.
	ctExternalSigner keySetup = func(t *testing.T, h *harness) string {
		return ctCreate(t, h, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	}
	// ctImportedSigner is an ECC_NIST_P256 signing key with imported material.
	ctImportedSigner keySetup = func(t *testing.T, h *harness) string {
		id := ctExternalSigner(t, h)
		must(t, importInto(t, h.kms(adminCreds), id, types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa3072, newLocalKey(t, "ECC_NIST_P256").pkcs8))
		return id
	}
)

func TestImportedMaterialVersions(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	id := ctExternal(t, h)
	first, second := randomBytes(32), randomBytes(32)
	p := ctImportParams(t, h, id)
	imp, err := c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapForImport(t, p, types.AlgorithmSpecRsaesOaepSha256, first),
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire, KeyMaterialDescription: aws.String("first material")})
	must(t, err)
	firstID := aws.ToString(imp.KeyMaterialId)
	if !materialIDFormat.MatchString(firstID) {
		t.Fatalf("KeyMaterialId %q", firstID)
	}
	current := func() string {
		t.Helper()
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
		must(t, err)
		return aws.ToString(d.KeyMetadata.CurrentKeyMaterialId)
	}
	if current() != firstID {
		t.Fatal("CurrentKeyMaterialId is not the imported material")
	}
	old, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("under the first material")})
	must(t, err)

	// New material waits for rotation; the key keeps encrypting under the first.
	p = ctImportParams(t, h, id)
	imp, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapForImport(t, p, types.AlgorithmSpecRsaesOaepSha256, second),
		ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire, ImportType: types.ImportTypeNewKeyMaterial})
	must(t, err)
	secondID := aws.ToString(imp.KeyMaterialId)
	if secondID == firstID || current() != firstID {
		t.Fatalf("after importing new material: ids %s %s, current %s", firstID, secondID, current())
	}
	err = ctImportAs(t, h, id, randomBytes(32), types.ImportTypeNewKeyMaterial, "")
	if msg := wantAPIError[*types.KMSInvalidStateException](t, err); !regexp.MustCompile(`^New key material \(id: [a-f0-9]{64}\) cannot be imported into KMS key ` + id + `, because another key material \(id: ` + secondID + `\) is pending rotation\.$`).MatchString(msg) {
		t.Fatalf("message %q", msg)
	}
	list := func(include types.IncludeKeyMaterial) []types.RotationsListEntry {
		t.Helper()
		out, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, IncludeKeyMaterial: include})
		must(t, err)
		return out.Rotations
	}
	all := list(types.IncludeKeyMaterialAllKeyMaterial)
	if len(all) != 2 || aws.ToString(all[0].KeyMaterialId) != firstID || all[0].KeyMaterialState != types.KeyMaterialStateCurrent || all[0].ImportState != types.ImportStateImported ||
		aws.ToString(all[0].KeyMaterialDescription) != "first material" || all[0].RotationDate != nil ||
		aws.ToString(all[1].KeyMaterialId) != secondID || all[1].KeyMaterialState != types.KeyMaterialStatePendingRotation || all[1].ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire {
		t.Fatalf("ALL_KEY_MATERIAL before rotation: %s", mustJSON(t, all))
	}
	if r := list(""); len(r) != 0 {
		t.Fatalf("rotations before any: %s", mustJSON(t, r))
	}

	// Rotation makes the new material current; old ciphertext still decrypts, naming its material.
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	must(t, err)
	if current() != secondID {
		t.Fatal("RotateKeyOnDemand did not make the pending material current")
	}
	rotations := list("")
	if len(rotations) != 1 || aws.ToString(rotations[0].KeyMaterialId) != secondID || rotations[0].RotationType != types.RotationTypeOnDemand ||
		rotations[0].RotationDate == nil || rotations[0].KeyMaterialState != types.KeyMaterialStateCurrent {
		t.Fatalf("rotations: %s", mustJSON(t, rotations))
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old.CiphertextBlob})
	must(t, err)
	if aws.ToString(dec.KeyMaterialId) != firstID {
		t.Fatalf("Decrypt KeyMaterialId %v, want the first material", dec.KeyMaterialId)
	}
	gdk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &id, NumberOfBytes: aws.Int32(32)})
	must(t, err)
	if aws.ToString(gdk.KeyMaterialId) != secondID {
		t.Fatalf("GenerateDataKey KeyMaterialId %v", gdk.KeyMaterialId)
	}
	re, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: old.CiphertextBlob, DestinationKeyId: &id})
	must(t, err)
	if aws.ToString(re.SourceKeyMaterialId) != firstID || aws.ToString(re.DestinationKeyMaterialId) != secondID {
		t.Fatalf("ReEncrypt material ids %v %v", re.SourceKeyMaterialId, re.DestinationKeyMaterialId)
	}

	// Deleting the old material by id: the key waits for it; it comes back only by its id.
	del, err := c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: &id, KeyMaterialId: &firstID})
	must(t, err)
	if aws.ToString(del.KeyMaterialId) != firstID {
		t.Fatalf("deleted %v", del.KeyMaterialId)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
	must(t, err)
	if d.KeyMetadata.KeyState != types.KeyStatePendingImport || aws.ToString(d.KeyMetadata.CurrentKeyMaterialId) != secondID {
		t.Fatalf("after deleting old material: %s current %v", d.KeyMetadata.KeyState, d.KeyMetadata.CurrentKeyMaterialId)
	}
	if all := list(types.IncludeKeyMaterialAllKeyMaterial); all[0].ImportState != types.ImportStatePendingImport || all[1].ImportState != types.ImportStateImported {
		t.Fatalf("import states: %s", mustJSON(t, all))
	}
	err = ctImportAs(t, h, id, second, types.ImportTypeExistingKeyMaterial, firstID)
	if msg := wantAPIError[*types.IncorrectKeyMaterialException](t, err); msg != "The key material in the request does not match the key material ID "+firstID+"." {
		t.Fatalf("message %q", msg)
	}
	must(t, ctImportAs(t, h, id, first, types.ImportTypeExistingKeyMaterial, firstID))
	if all := list(types.IncludeKeyMaterialAllKeyMaterial); all[0].ImportState != types.ImportStateImported || aws.ToString(all[0].KeyMaterialDescription) != "first material" {
		t.Fatalf("after re-import: %s", mustJSON(t, all))
	}
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
	must(t, err)
	if d.KeyMetadata.KeyState != types.KeyStateEnabled {
		t.Fatalf("after re-import: %s", d.KeyMetadata.KeyState)
	}

	// Expiring material: ValidTo is the earliest expiry; past it the key waits for import again.
	validTo := h.sim.Now().Add(48 * time.Hour).Truncate(time.Second)
	p = ctImportParams(t, h, id)
	_, err = c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapForImport(t, p, types.AlgorithmSpecRsaesOaepSha256, first),
		ValidTo: &validTo, KeyMaterialId: &firstID})
	must(t, err)
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
	must(t, err)
	if d.KeyMetadata.ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires || !aws.ToTime(d.KeyMetadata.ValidTo).Equal(validTo) {
		t.Fatalf("expiration %s %v", d.KeyMetadata.ExpirationModel, d.KeyMetadata.ValidTo)
	}
	must(t, h.sim.Advance(ctx, 72*time.Hour))
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
	must(t, err)
	if d.KeyMetadata.KeyState != types.KeyStatePendingImport {
		t.Fatalf("after the first material expired: %s", d.KeyMetadata.KeyState)
	}
	if n := len(h.serviceEvents("DeleteExpiredKeyMaterial")); n != 1 {
		t.Fatalf("%d DeleteExpiredKeyMaterial events", n)
	}
}

// TestCurrentKeyMaterialIDOfGeneratedKeys: symmetric keys with AWS-generated material name their
// current material, which rotation changes; ciphertexts name the material they were sealed under.
func TestCurrentKeyMaterialIDOfGeneratedKeys(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	id := *out.KeyMetadata.KeyId
	before := aws.ToString(out.KeyMetadata.CurrentKeyMaterialId)
	if !materialIDFormat.MatchString(before) {
		t.Fatalf("CreateKey CurrentKeyMaterialId %q", before)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("x")})
	must(t, err)
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	must(t, err)
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
	must(t, err)
	after := aws.ToString(d.KeyMetadata.CurrentKeyMaterialId)
	if after == before || !materialIDFormat.MatchString(after) {
		t.Fatalf("CurrentKeyMaterialId %q after rotation (was %q)", after, before)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	must(t, err)
	if aws.ToString(dec.KeyMaterialId) != before {
		t.Fatalf("Decrypt KeyMaterialId %v, want %s", dec.KeyMaterialId, before)
	}
	all, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	must(t, err)
	if len(all.Rotations) != 2 || aws.ToString(all.Rotations[0].KeyMaterialId) != before || all.Rotations[0].KeyMaterialState != types.KeyMaterialStateNonCurrent ||
		all.Rotations[0].ImportState != "" || aws.ToString(all.Rotations[1].KeyMaterialId) != after {
		t.Fatalf("ALL_KEY_MATERIAL: %s", mustJSON(t, all.Rotations))
	}
	// Seeded keys have ids too, and asymmetric keys none.
	seeded, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(appDataKey)})
	must(t, err)
	if !materialIDFormat.MatchString(aws.ToString(seeded.KeyMetadata.CurrentKeyMaterialId)) {
		t.Fatalf("seeded key CurrentKeyMaterialId %v", seeded.KeyMetadata.CurrentKeyMaterialId)
	}
	signer, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	must(t, err)
	if signer.KeyMetadata.CurrentKeyMaterialId != nil {
		t.Fatal("an asymmetric key reports CurrentKeyMaterialId")
	}
}

// TestImportedMultiRegionMaterial: a replica of a key with imported material waits for the same
// material; new material rotates in on the primary only once every replica holds it.
func TestImportedMultiRegionMaterial(t *testing.T) {
	h := newHarness(t)
	c, west := h.kms(adminCreds), h.kmsIn("us-west-2")
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal, MultiRegion: aws.Bool(true)})
	must(t, err)
	id := *out.KeyMetadata.KeyId
	first, second := randomBytes(32), randomBytes(32)
	must(t, ctImport(t, h, id, first))
	rep, err := c.ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: &id, ReplicaRegion: aws.String("us-west-2")})
	must(t, err)
	if rep.ReplicaKeyMetadata.KeyState != types.KeyStatePendingImport {
		t.Fatalf("replica of an EXTERNAL key: %s", rep.ReplicaKeyMetadata.KeyState)
	}
	must(t, importInto(t, west, id, types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048, first))
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("both regions")})
	must(t, err)
	dec, err := west.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	must(t, err)
	if string(dec.Plaintext) != "both regions" {
		t.Fatalf("replica decrypted %q", dec.Plaintext)
	}
	// A replica takes no material its primary does not have.
	err = importInto(t, west, id, types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048, second)
	wantAPIError[*types.IncorrectKeyMaterialException](t, err)
	must(t, ctImportAs(t, h, id, second, types.ImportTypeNewKeyMaterial, ""))
	all, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	must(t, err)
	if all.Rotations[len(all.Rotations)-1].KeyMaterialState != types.KeyMaterialStatePendingMultiRegionImportAndRotation {
		t.Fatalf("primary's new material: %s", mustJSON(t, all.Rotations))
	}
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	wantAPIError[*types.KMSInvalidStateException](t, err)
	must(t, importInto(t, west, id, types.AlgorithmSpecRsaesOaepSha256, types.WrappingKeySpecRsa2048, second))
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	must(t, err)
	enc, err = west.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("rotated")})
	must(t, err)
	dec, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	must(t, err)
	pd, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
	must(t, err)
	if aws.ToString(dec.KeyMaterialId) != aws.ToString(pd.KeyMetadata.CurrentKeyMaterialId) {
		t.Fatal("the replica's current material is not the primary's")
	}
}

// TestImportedMaterialSurvivesRestart: key material versions, their ids and import records, and
// pending material are journaled.
func TestImportedMaterialSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	h := newHarnessIn(t, dir)
	id := ctExternal(t, h)
	validTo := h.sim.Now().Add(100 * time.Hour).Truncate(time.Second)
	p := ctImportParams(t, h, id)
	_, err := h.kms(adminCreds).ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken,
		EncryptedKeyMaterial: wrapForImport(t, p, types.AlgorithmSpecRsaesOaepSha256, randomBytes(32)), ValidTo: &validTo})
	must(t, err)
	must(t, ctImportAs(t, h, id, randomBytes(32), types.ImportTypeNewKeyMaterial, ""))
	enc := ctEncrypt(t, h, id)
	before, err := h.kms(adminCreds).ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	must(t, err)
	h.close()

	h = newHarnessIn(t, dir)
	c := h.kms(adminCreds)
	after, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
	must(t, err)
	if mustJSON(t, after.Rotations) != mustJSON(t, before.Rotations) {
		t.Fatalf("after restart %s, before %s", mustJSON(t, after.Rotations), mustJSON(t, before.Rotations))
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
	must(t, err)
	if !aws.ToTime(d.KeyMetadata.ValidTo).Equal(validTo) {
		t.Fatalf("ValidTo %v after restart", d.KeyMetadata.ValidTo)
	}
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	must(t, err)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc})
	must(t, err)
}
