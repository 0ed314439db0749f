package simulator

import (
	"context"
	"fmt"

	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// DecryptInput is the Decrypt request.
type DecryptInput struct {
	CiphertextBlob      []byte            `json:"CiphertextBlob"`
	EncryptionContext   map[string]string `json:"EncryptionContext,omitempty"`
	GrantTokens         []string          `json:"GrantTokens,omitempty"`
	KeyId               string            `json:"KeyId,omitempty"`
	EncryptionAlgorithm string            `json:"EncryptionAlgorithm,omitempty"`
	DryRun              *bool             `json:"DryRun,omitempty"`
	DryRunModifiers     []string          `json:"DryRunModifiers,omitempty"`
	Recipient           *RecipientInfo    `json:"Recipient,omitempty"`
}

// DecryptOutput is the Decrypt response.
type DecryptOutput struct {
	KeyId               string `json:"KeyId"`
	Plaintext           []byte `json:"Plaintext"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
	KeyMaterialId       string `json:"KeyMaterialId,omitempty"`
}

func (s *Server) decrypt(ctx context.Context, c *call, in *DecryptInput) (*DecryptOutput, error) {
	var v validationErrors
	ignore := ignoresCiphertext(&v, in.DryRun, in.DryRunModifiers)
	if in.CiphertextBlob != nil {
		v.blobLength("ciphertextBlob", len(in.CiphertextBlob), 1, 6144)
	}
	v.length("keyId", in.KeyId, 0, 2048, false)
	v.enum("encryptionAlgorithm", in.EncryptionAlgorithm, encryptionAlgorithms)
	validateGrantTokens(&v, in.GrantTokens)
	validateRecipient(&v, in.Recipient)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := refuseRecipient(in.Recipient); err != nil {
		return nil, err
	}
	if err := requireCiphertext(in.CiphertextBlob, ignore); err != nil {
		return nil, err
	}
	in.EncryptionAlgorithm = orDefault(in.EncryptionAlgorithm, "SYMMETRIC_DEFAULT")
	if ignore {
		// A dry run that ignores the ciphertext checks authorization on the key the request names.
		if in.KeyId == "" {
			return nil, errValidation("KeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.")
		}
		ref, err := s.resolveKey(c, in.KeyId)
		if err != nil {
			return nil, err
		}
		c.resources = []trail.Resource{keyResource(ref.key)}
		extra := encryptionContextKeys(in.EncryptionContext)
		extra["kms:EncryptionAlgorithm"] = []string{in.EncryptionAlgorithm}
		if err := s.authorize(ctx, c, "kms:Decrypt", ref, extra); err != nil {
			return nil, err
		}
		return nil, checkDryRun(in.DryRun)
	}
	k, blob, err := s.ciphertextKey(c, in.CiphertextBlob, in.KeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(k.key)}
	extra := encryptionContextKeys(in.EncryptionContext)
	extra["kms:EncryptionAlgorithm"] = []string{in.EncryptionAlgorithm}
	if err := s.authorize(ctx, c, "kms:Decrypt", k, extra); err != nil {
		return nil, err
	}
	if err := requireEncryption(k.key, "Decrypt", in.EncryptionAlgorithm, in.EncryptionContext); err != nil {
		return nil, err
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	plaintext, err := s.decryptWith(k.key, in.EncryptionAlgorithm, in.CiphertextBlob, blob, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &DecryptOutput{KeyId: k.key.ARN(), Plaintext: plaintext, EncryptionAlgorithm: in.EncryptionAlgorithm, KeyMaterialId: s.blobMaterialID(k.key, blob)}, nil
}

// parsedBlob is a ciphertext blob split into its header and sealed data.
type parsedBlob struct {
	hdr            ciphertextHeader
	header, sealed []byte
}

// ciphertextKey finds the key a ciphertext was made under. An asymmetric ciphertext is the
// algorithm's raw output, naming no key: the request must name its key, and the parsed blob is
// nil. A symmetric blob names its key; when the request names a key too, it must be that key
// (IncorrectKeyException otherwise).
func (s *Server) ciphertextKey(c *call, blob []byte, keyID string) (*keyRef, *parsedBlob, error) {
	var named *keyRef
	if keyID != "" {
		var err error
		if named, err = s.resolveKey(c, keyID); err != nil {
			return nil, nil, err
		}
		if named.key.Spec != string(keyspec.SymmetricDefault) {
			return named, nil, nil
		}
	}
	h, header, sealed, ok := parseCiphertext(blob)
	if !ok {
		return nil, nil, errInvalidCiphertext()
	}
	s.state.mu.RLock()
	stored, found := s.state.keys[keyIndex(c.region, h.KeyID)]
	var k keyRecord
	if found {
		k = *stored
		k.State = s.state.effectiveState(stored)
	}
	s.state.mu.RUnlock()
	if !found || k.Region != c.region {
		return nil, nil, errInvalidCiphertext()
	}
	ref := &keyRef{key: &k}
	if named != nil {
		if named.key.ID != k.ID {
			return nil, nil, apiError("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
		}
		ref.alias = named.alias
	}
	return ref, &parsedBlob{hdr: h, header: header, sealed: sealed}, nil
}

// decryptWith decrypts a ciphertext under k: the parsed symmetric blob, or for an asymmetric key
// the raw ciphertext with algorithm.
func (s *Server) decryptWith(k *keyRecord, algorithm string, ciphertext []byte, parsed *parsedBlob, ec map[string]string) ([]byte, error) {
	if parsed != nil {
		return s.openData(k, parsed, ec)
	}
	material, err := s.keyMaterial(k)
	if err != nil {
		return nil, err
	}
	plaintext, err := keyspec.Decrypt(keyspec.Spec(k.Spec), material, algorithm, ciphertext)
	return plaintext, cryptoError(err)
}

// ignoresCiphertext validates DryRunModifiers and reports whether a dry run skips the ciphertext
// (IGNORE_CIPHERTEXT): it then checks authorization only.
func ignoresCiphertext(v *validationErrors, dryRun *bool, modifiers []string) bool {
	ignore := false
	for i, m := range modifiers {
		v.enum(fmt.Sprintf("dryRunModifiers.%d.member", i+1), m, []string{"IGNORE_CIPHERTEXT"})
		ignore = ignore || m == "IGNORE_CIPHERTEXT"
	}
	return ignore && dryRun != nil && *dryRun
}

// requireCiphertext fails a request without a ciphertext unless its dry run ignores it; the
// model no longer marks the member required, so this follows the constraints it does mark.
func requireCiphertext(blob []byte, ignore bool) error {
	if blob != nil || ignore {
		return nil
	}
	var v validationErrors
	v.required("ciphertextBlob", false)
	return v.err()
}

// blobMaterialID is the KeyMaterialId of the material a symmetric ciphertext blob was sealed under
// ("" for asymmetric ciphertexts).
func (s *Server) blobMaterialID(k *keyRecord, b *parsedBlob) string {
	if b == nil {
		return ""
	}
	return s.versionMaterialID(k, int(b.hdr.Version))
}

// openData decrypts a blob with the material version its header names.
func (s *Server) openData(k *keyRecord, b *parsedBlob, ec map[string]string) ([]byte, error) {
	if b.hdr.Version == 0 || int(b.hdr.Version) > len(k.Material) {
		return nil, errInvalidCiphertext()
	}
	if k.Material[b.hdr.Version-1] == nil {
		return nil, errInvalidState("%s is pending import.", k.ARN())
	}
	material, err := s.seal.open(k.Material[b.hdr.Version-1])
	if err != nil {
		return nil, err
	}
	plaintext, err := decryptSymmetric(material, b.header, b.sealed, ec)
	if err != nil {
		return nil, errInvalidCiphertext()
	}
	return plaintext, nil
}
