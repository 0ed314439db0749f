package simulator

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// TestAuthorization drives every authorization path of the demo world through the real SDK:
// the decision comes from the key policy and IAM policies, translated to Rego and evaluated by OPA.
func TestAuthorization(t *testing.T) {
	h := newHarness(t)
	arn := func(id string) string { return "arn:aws:kms:us-east-1:111122223333:key/" + id }
	denied := func(who, action, key, why string) string {
		return "User: " + who + " is not authorized to perform: " + action + " on resource: " + arn(key) + " " + why
	}
	cases := []struct {
		name    string
		creds   aws.Credentials
		action  string // Encrypt, Decrypt or DescribeKey
		key     string
		context map[string]string
		wantMsg string // "" = allowed
	}{
		{"IAM policy through the account principal", adminCreds, "Encrypt", appDataKey, nil, ""},
		{"key policy names the role directly", h.session("EncryptionApp"), "Encrypt", appDataKey, nil, ""},
		{"role session decrypts", h.session("EncryptionApp"), "Decrypt", appDataKey, nil, ""},
		{"account principal but no IAM allow", developerCreds, "Encrypt", appDataKey, nil,
			denied("arn:aws:iam::111122223333:user/developer", "kms:Encrypt", appDataKey, "because no identity-based policy allows the kms:Encrypt action")},
		{"group policy allows DescribeKey", developerCreds, "DescribeKey", appDataKey, nil, ""},
		{"explicit deny in the key policy wins", developerCreds, "Decrypt", explicitDenyKey, nil,
			denied("arn:aws:iam::111122223333:user/developer", "kms:Decrypt", explicitDenyKey, "with an explicit deny in a resource-based policy")},
		{"same key, action without the deny", developerCreds, "Encrypt", explicitDenyKey, nil, ""},
		{"cross-account: key policy and the caller's IAM policy", h.session("PartnerDecryptRole"), "Decrypt", partnerKey, nil, ""},
		{"cross-account: no IAM policy on the caller's side", partnerCreds, "Decrypt", partnerKey, nil,
			denied("arn:aws:iam::444455556666:user/partner-user", "kms:Decrypt", partnerKey, "because no identity-based policy allows the kms:Decrypt action")},
		{"cross-account: IAM allows but the key policy does not", h.session("PartnerDecryptRole"), "Decrypt", appDataKey, nil,
			denied("arn:aws:sts::444455556666:assumed-role/PartnerDecryptRole/demo-partner", "kms:Decrypt", appDataKey, "because no resource-based policy allows the kms:Decrypt action")},
		{"auditor reads through IAM", h.session("SecurityAuditor"), "DescribeKey", appDataKey, nil, ""},
		{"auditor cannot encrypt", h.session("SecurityAuditor"), "Encrypt", appDataKey, nil,
			denied("arn:aws:sts::111122223333:assumed-role/SecurityAuditor/demo-auditor", "kms:Encrypt", appDataKey, "because no identity-based policy allows the kms:Encrypt action")},
	}
	// Ciphertexts to decrypt, made by the admin beforehand.
	blobs := map[string][]byte{}
	for _, key := range []string{appDataKey, partnerKey, explicitDenyKey} {
		out, err := h.kms(adminCreds).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(key), Plaintext: []byte("p")})
		if err != nil {
			t.Fatalf("admin encrypt under %s: %v", key, err)
		}
		blobs[key] = out.CiphertextBlob
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := h.kms(tc.creds)
			var err error
			switch tc.action {
			case "Encrypt":
				_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn(tc.key)), Plaintext: []byte("p"), EncryptionContext: tc.context})
			case "Decrypt":
				_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobs[tc.key], EncryptionContext: tc.context})
			case "DescribeKey":
				_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn(tc.key))})
			}
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("want allowed, got %v", err)
				}
				return
			}
			if msg := wantErrorCode(t, err, "AccessDeniedException"); msg != tc.wantMsg {
				t.Fatalf("message %q\nwant    %q", msg, tc.wantMsg)
			}
		})
	}
}
