package simulator

import (
	"context"
	"slices"

	"github.com/kmsim/kmsim/simulator/keyspec"
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
	if err := requireEncryption(k, "Encrypt", in.EncryptionAlgorithm, in.EncryptionContext); err != nil {
		return nil, err
	}
	blob, err := s.encryptWith(k, in.EncryptionAlgorithm, in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	return &EncryptOutput{CiphertextBlob: blob, KeyId: k.ARN(), EncryptionAlgorithm: in.EncryptionAlgorithm}, nil
}

// requireUsage checks, in AWS's order, the key state for op and then that the key's usage is usage.
func requireUsage(op string, k *keyRecord, usage string) error {
	if err := checkKeyState(op, k); err != nil {
		return err
	}
	if k.Usage != usage {
		return apiError("InvalidKeyUsageException", "%s key usage is %s which is not valid for %s.", k.ARN(), k.Usage, op)
	}
	return nil
}

// requireAlgorithm checks that algorithm is one the key's spec supports.
func requireAlgorithm(k *keyRecord, algorithm string, supported []string) error {
	if !slices.Contains(supported, algorithm) {
		return apiError("InvalidKeyUsageException", "Algorithm %s is incompatible with key spec %s.", algorithm, k.Spec)
	}
	return nil
}

// requireEncryption checks that k can encrypt or decrypt with algorithm for op: key state, key
// usage, algorithm, and no encryption context for an asymmetric key (which cannot bind one).
func requireEncryption(k *keyRecord, op, algorithm string, ec map[string]string) error {
	if err := requireUsage(op, k, keyspec.UsageEncryptDecrypt); err != nil {
		return err
	}
	if err := requireAlgorithm(k, algorithm, keyspec.EncryptionAlgorithms(keyspec.Spec(k.Spec))); err != nil {
		return err
	}
	if len(ec) > 0 && k.Spec != string(keyspec.SymmetricDefault) {
		return errValidation("EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.")
	}
	return nil
}

// requireSymmetric checks that k is a symmetric encryption key op can use with algorithm (the data
// key operations take no other).
func requireSymmetric(k *keyRecord, op, algorithm string) error {
	return requireEncryption(k, op, algorithm, nil)
}

// checkDryRun answers DryRunOperationException once every check has passed.
func checkDryRun(dryRun *bool) error {
	if dryRun != nil && *dryRun {
		return apiError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
	}
	return nil
}

// keyMaterial opens the key's newest material version.
func (s *Server) keyMaterial(k *keyRecord) ([]byte, error) {
	return s.seal.open(k.Material[len(k.Material)-1])
}

// sealData encrypts plaintext under the key's newest material.
func (s *Server) sealData(k *keyRecord, plaintext []byte, ec map[string]string) ([]byte, error) {
	material, err := s.keyMaterial(k)
	if err != nil {
		return nil, err
	}
	return encryptSymmetric(material, k.ID, uint32(len(k.Material)), plaintext, ec)
}

// encryptWith encrypts plaintext under k: a symmetric ciphertext blob, or for an asymmetric key the
// algorithm's raw output (which is what AWS returns, so clients can also encrypt locally).
func (s *Server) encryptWith(k *keyRecord, algorithm string, plaintext []byte, ec map[string]string) ([]byte, error) {
	if k.Spec == string(keyspec.SymmetricDefault) {
		return s.sealData(k, plaintext, ec)
	}
	material, err := s.keyMaterial(k)
	if err != nil {
		return nil, err
	}
	blob, err := keyspec.Encrypt(keyspec.Spec(k.Spec), material, algorithm, plaintext)
	return blob, cryptoError(err)
}
