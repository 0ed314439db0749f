package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// GenerateDataKeyInput is the GenerateDataKey request (GenerateDataKeyWithoutPlaintext takes the same members).
type GenerateDataKeyInput struct {
	KeyId             string            `json:"KeyId"`
	EncryptionContext map[string]string `json:"EncryptionContext,omitempty"`
	NumberOfBytes     *int32            `json:"NumberOfBytes,omitempty"`
	KeySpec           string            `json:"KeySpec,omitempty"`
	GrantTokens       []string          `json:"GrantTokens,omitempty"`
	DryRun            *bool             `json:"DryRun,omitempty"`
	Recipient         *RecipientInfo    `json:"Recipient,omitempty"` // GenerateDataKey only
}

// GenerateDataKeyOutput is the GenerateDataKey response.
type GenerateDataKeyOutput struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	Plaintext      []byte `json:"Plaintext"`
	KeyId          string `json:"KeyId"`
	KeyMaterialId  string `json:"KeyMaterialId,omitempty"`
}

func (s *Server) generateDataKey(ctx context.Context, c *call, in *GenerateDataKeyInput) (*GenerateDataKeyOutput, error) {
	return s.dataKey(ctx, c, in, "GenerateDataKey")
}

// dataKey implements GenerateDataKey and GenerateDataKeyWithoutPlaintext: a fresh random key
// returned encrypted under the KMS key (and in plaintext for the former).
func (s *Server) dataKey(ctx context.Context, c *call, in *GenerateDataKeyInput, op string) (*GenerateDataKeyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.intRange("numberOfBytes", in.NumberOfBytes, 1, 1024)
	v.enum("keySpec", in.KeySpec, []string{"AES_256", "AES_128"})
	validateGrantTokens(&v, in.GrantTokens)
	validateRecipient(&v, in.Recipient)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := refuseRecipient(in.Recipient); err != nil {
		return nil, err
	}
	var size int
	switch {
	case in.NumberOfBytes != nil && in.KeySpec != "":
		return nil, errValidation("Please specify either number of bytes or key spec.")
	case in.NumberOfBytes != nil:
		size = int(*in.NumberOfBytes)
	case in.KeySpec == "AES_256":
		size = 32
	case in.KeySpec == "AES_128":
		size = 16
	default:
		return nil, errValidation("Please specify either number of bytes or key spec.")
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	if err := s.authorize(ctx, c, "kms:"+op, ref, encryptionContextKeys(in.EncryptionContext)); err != nil {
		return nil, err
	}
	if err := requireSymmetric(k, op, "SYMMETRIC_DEFAULT"); err != nil {
		return nil, err
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	plaintext := randomBytes(size)
	blob, err := s.sealData(k, plaintext, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyOutput{CiphertextBlob: blob, Plaintext: plaintext, KeyId: k.ARN(), KeyMaterialId: s.currentMaterialID(k)}, nil
}
