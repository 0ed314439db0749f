package simulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// rawCall sends one signed JSON 1.1 request and returns the exception name ("" on success).
func (h *harness) rawCall(op string, body map[string]any) (string, string) {
	h.t.Helper()
	payload, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, h.http.URL+"/", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	sum := sha256.Sum256(payload)
	if err := v4.NewSigner().SignHTTP(ctx, adminCreds, req, hex.EncodeToString(sum[:]), "kms", "us-east-1", time.Now()); err != nil {
		h.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode == http.StatusOK {
		return "", ""
	}
	return out.Type, out.Message
}

// TestKeyStateTableEndToEnd puts a fresh key of the right kind into each key state and calls each
// operation of the guide's key state table on it through the server: every cell of
// ../shared/reference/key-states.json.
func TestKeyStateTableEndToEnd(t *testing.T) {
	ref := loadKeyStateReference(t)
	if testing.Short() {
		t.Skip("320 calls; run without -short")
	}
	h := newHarness(t)
	c := h.kms(adminCreds)
	newKey := func(in *kms.CreateKeyInput) *keyRecord {
		out, err := c.CreateKey(ctx, in)
		must(t, err)
		ref, err := h.sim.resolveKey(&call{caller: &caller{principal: h.sim.dir.callerFor(h.sim.dir.keys[adminCreds.AccessKeyID]).principal}, region: "us-east-1"}, *out.KeyMetadata.Arn)
		must(t, err)
		return ref.key
	}
	n := 0
	for op, row := range ref.Operations {
		for _, state := range keyStates {
			cell := row.States[state]
			if cell.Result == "not_applicable" {
				continue
			}
			n++
			spec := &kms.CreateKeyInput{}
			switch op {
			case "Sign", "Verify", "GetPublicKey":
				spec = &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify}
			case "GenerateMac", "VerifyMac":
				spec = &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac}
			case "GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial":
				spec = &kms.CreateKeyInput{Origin: types.OriginTypeExternal}
			case "ReplicateKey", "UpdatePrimaryRegion":
				spec = &kms.CreateKeyInput{MultiRegion: aws.Bool(true)}
			}
			k := newKey(spec)
			arn := k.ARN()
			body := map[string]any{"KeyId": arn}
			// Things some operations need, made while the key is still usable.
			switch op {
			case "Decrypt", "ReEncrypt":
				if k.State == stateEnabled {
					enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: []byte("x")})
					must(t, err)
					body = map[string]any{"CiphertextBlob": enc.CiphertextBlob}
					if op == "ReEncrypt" {
						body["DestinationKeyId"] = arn
					}
				}
			case "Encrypt":
				body["Plaintext"] = []byte("x")
			case "GenerateDataKey", "GenerateDataKeyWithoutPlaintext":
				body["KeySpec"] = "AES_256"
			case "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext":
				body["KeyPairSpec"] = "ECC_NIST_P256"
			case "GenerateMac":
				body["Message"], body["MacAlgorithm"] = []byte("x"), "HMAC_SHA_256"
			case "VerifyMac":
				mac, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: aws.String(arn), Message: []byte("x"), MacAlgorithm: types.MacAlgorithmSpecHmacSha256})
				must(t, err)
				body["Message"], body["MacAlgorithm"], body["Mac"] = []byte("x"), "HMAC_SHA_256", mac.Mac
			case "Sign":
				body["Message"], body["SigningAlgorithm"] = []byte("x"), "ECDSA_SHA_256"
			case "Verify":
				sig, err := c.Sign(ctx, &kms.SignInput{KeyId: aws.String(arn), Message: []byte("x"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
				must(t, err)
				body["Message"], body["SigningAlgorithm"], body["Signature"] = []byte("x"), "ECDSA_SHA_256", sig.Signature
			case "CreateAlias":
				body = map[string]any{"AliasName": fmt.Sprintf("alias/ks-%d", n), "TargetKeyId": arn}
			case "DeleteAlias", "UpdateAlias":
				alias := fmt.Sprintf("alias/ks-%d", n)
				target := arn
				if op == "UpdateAlias" {
					target = newKey(&kms.CreateKeyInput{}).ARN()
				}
				_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(target)})
				must(t, err)
				body = map[string]any{"AliasName": alias}
				if op == "UpdateAlias" {
					body["TargetKeyId"] = arn
				}
			case "CreateGrant":
				body["GranteePrincipal"], body["Operations"] = developerARN, []string{"Decrypt"}
			case "RetireGrant", "RevokeGrant":
				g, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(arn), GranteePrincipal: aws.String(developerARN),
					RetiringPrincipal: aws.String("arn:aws:iam::111122223333:user/admin"), Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
				must(t, err)
				body["GrantId"] = *g.GrantId
			case "PutKeyPolicy":
				body["Policy"] = k.Policy
			case "ReplicateKey":
				body["ReplicaRegion"] = "eu-west-1"
			case "UpdatePrimaryRegion":
				body["PrimaryRegion"] = "us-east-1"
			case "ScheduleKeyDeletion":
				body["PendingWindowInDays"] = 7
			case "TagResource":
				body["Tags"] = []map[string]string{{"TagKey": "a", "TagValue": "b"}}
			case "UntagResource":
				body["TagKeys"] = []string{"a"}
			case "UpdateKeyDescription":
				body["Description"] = "d"
			case "GetParametersForImport":
				body["WrappingAlgorithm"], body["WrappingKeySpec"] = "RSAES_OAEP_SHA_256", "RSA_2048"
			case "ImportKeyMaterial":
				body["ImportToken"], body["EncryptedKeyMaterial"], body["ExpirationModel"] = []byte("token"), []byte("material"), "KEY_MATERIAL_DOES_NOT_EXPIRE"
			}
			farFuture := h.sim.Now().AddDate(1, 0, 0) // read before mutateKey takes the state lock
			if _, err := h.sim.mutateKey(k, func(k *keyRecord) error {
				k.State = state
				if state == statePendingDeletion {
					k.DeletionDate = farFuture
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			code, msg := h.rawCall(op, body)
			stateError := code == "KMSInvalidStateException" || code == "DisabledException"
			switch cell.Result {
			case "succeeds":
				if stateError {
					t.Errorf("%s in %s: reference succeeds, kmsim %s: %s", op, state, code, msg)
				}
			case "fails":
				if !slices.Contains(cell.Exceptions, code) {
					t.Errorf("%s in %s: reference fails with %v, kmsim %q: %s", op, state, cell.Exceptions, code, msg)
				}
			case "conditional":
				if code != "" && !slices.Contains(cell.Exceptions, code) && stateError {
					t.Errorf("%s in %s: reference conditional on %v, kmsim %q: %s", op, state, cell.Exceptions, code, msg)
				}
			}
		}
	}
	t.Logf("%d cells called", n)
}
