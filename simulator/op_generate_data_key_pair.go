package simulator

import (
	"context"

	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// GenerateDataKeyPairInput is the GenerateDataKeyPair request (GenerateDataKeyPairWithoutPlaintext
// takes the same members but Recipient).
type GenerateDataKeyPairInput struct {
	EncryptionContext map[string]string `json:"EncryptionContext,omitempty"`
	KeyId             string            `json:"KeyId"`
	KeyPairSpec       string            `json:"KeyPairSpec"`
	GrantTokens       []string          `json:"GrantTokens,omitempty"`
	Recipient         *RecipientInfo    `json:"Recipient,omitempty"`
	DryRun            *bool             `json:"DryRun,omitempty"`
}

// GenerateDataKeyPairOutput is the GenerateDataKeyPair response.
type GenerateDataKeyPairOutput struct {
	PrivateKeyCiphertextBlob []byte `json:"PrivateKeyCiphertextBlob"`
	PrivateKeyPlaintext      []byte `json:"PrivateKeyPlaintext"`
	PublicKey                []byte `json:"PublicKey"`
	KeyId                    string `json:"KeyId"`
	KeyPairSpec              string `json:"KeyPairSpec"`
	KeyMaterialId            string `json:"KeyMaterialId,omitempty"`
}

// generateDataKeyPair implements GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext
// (c.op tells them apart): a fresh key pair whose private key (PKCS#8 DER) comes back encrypted
// under the symmetric KMS key, as an ordinary symmetric ciphertext blob that Decrypt opens, and in
// plaintext for the former.
func (s *Server) generateDataKeyPair(ctx context.Context, c *call, in *GenerateDataKeyPairInput) (*GenerateDataKeyPairOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("keyPairSpec", in.KeyPairSpec != "")
	v.enum("keyPairSpec", in.KeyPairSpec, keyspec.DataKeyPairSpecs)
	validateGrantTokens(&v, in.GrantTokens)
	validateRecipient(&v, in.Recipient)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := refuseRecipient(in.Recipient); err != nil {
		return nil, err
	}
	if err := checkSM2Region(c.region, in.KeyPairSpec); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	extra := encryptionContextKeys(in.EncryptionContext)
	extra["kms:DataKeyPairSpec"] = []string{in.KeyPairSpec}
	extra["kms:EncryptionAlgorithm"] = []string{keyspec.AlgSymmetricDefault}
	if err := s.authorize(ctx, c, "kms:"+c.op, ref, extra); err != nil {
		return nil, err
	}
	if err := requireSymmetric(k, c.op, keyspec.AlgSymmetricDefault); err != nil {
		return nil, err
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	private, public, err := keyspec.GenerateDataKeyPair(in.KeyPairSpec)
	if err != nil {
		return nil, cryptoError(err)
	}
	blob, err := s.sealData(k, private, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyPairOutput{PrivateKeyCiphertextBlob: blob, PrivateKeyPlaintext: private, PublicKey: public,
		KeyId: k.ARN(), KeyPairSpec: in.KeyPairSpec, KeyMaterialId: s.currentMaterialID(k)}, nil
}
