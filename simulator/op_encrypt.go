package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// EncryptInput is the Encrypt request.
type EncryptInput struct {
	KeyId               string            `json:"KeyId"`
	Plaintext           []byte            `json:"Plaintext"`
	EncryptionContext   map[string]string `json:"EncryptionContext,omitempty"`
	GrantTokens         []string          `json:"GrantTokens,omitempty"`
	EncryptionAlgorithm string            `json:"EncryptionAlgorithm,omitempty"`
	DryRun              *bool             `json:"DryRun,omitempty"`
}

// EncryptOutput is the Encrypt response.
type EncryptOutput struct {
	CiphertextBlob      []byte `json:"CiphertextBlob"`
	KeyId               string `json:"KeyId"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
}

var encryptionAlgorithms = []string{"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"}

func (s *Server) encrypt(ctx context.Context, c *call, in *EncryptInput) (*EncryptOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("plaintext", in.Plaintext != nil)
	v.blobLength("plaintext", len(in.Plaintext), 1, 4096)
	v.enum("encryptionAlgorithm", in.EncryptionAlgorithm, encryptionAlgorithms)
	validateGrantTokens(&v, in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	in.EncryptionAlgorithm = orDefault(in.EncryptionAlgorithm, "SYMMETRIC_DEFAULT")
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	extra := encryptionContextKeys(in.EncryptionContext)
	extra["kms:EncryptionAlgorithm"] = []string{in.EncryptionAlgorithm}
	if err := s.authorize(ctx, c, "kms:Encrypt", ref, extra); err != nil {
		return nil, err
	}
	if err := requireSymmetric(k, "Encrypt", in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	blob, err := s.sealData(k, in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &EncryptOutput{CiphertextBlob: blob, KeyId: k.ARN(), EncryptionAlgorithm: in.EncryptionAlgorithm}, nil
}

// requireSymmetric checks that k can do symmetric encryption with algorithm, in AWS's order:
// key state, then key usage, then algorithm.
func requireSymmetric(k *keyRecord, op, algorithm string) error {
	if err := checkKeyState(op, k); err != nil {
		return err
	}
	if k.Usage != "ENCRYPT_DECRYPT" {
		return apiError("InvalidKeyUsageException", "%s key usage is %s which is not valid for %s.", k.ARN(), k.Usage, op)
	}
	if algorithm != "SYMMETRIC_DEFAULT" || k.Spec != "SYMMETRIC_DEFAULT" {
		return apiError("InvalidKeyUsageException", "Algorithm %s is incompatible with key spec %s.", algorithm, k.Spec)
	}
	return nil
}

// checkDryRun answers DryRunOperationException once every check has passed.
func checkDryRun(dryRun *bool) error {
	if dryRun != nil && *dryRun {
		return apiError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
	}
	return nil
}

// sealData encrypts plaintext under the key's newest material.
func (s *Server) sealData(k *keyRecord, plaintext []byte, ec map[string]string) ([]byte, error) {
	version := len(k.Material)
	material, err := s.seal.open(k.Material[version-1])
	if err != nil {
		return nil, err
	}
	return encryptSymmetric(material, k.ID, uint32(version), plaintext, ec)
}
