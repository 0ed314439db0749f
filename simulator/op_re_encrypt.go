package simulator

import (
	"context"

	"github.com/kmsim/kmsim/trail"
)

// ReEncryptInput is the ReEncrypt request.
type ReEncryptInput struct {
	CiphertextBlob                 []byte            `json:"CiphertextBlob"`
	SourceEncryptionContext        map[string]string `json:"SourceEncryptionContext,omitempty"`
	SourceKeyId                    string            `json:"SourceKeyId,omitempty"`
	DestinationKeyId               string            `json:"DestinationKeyId"`
	DestinationEncryptionContext   map[string]string `json:"DestinationEncryptionContext,omitempty"`
	SourceEncryptionAlgorithm      string            `json:"SourceEncryptionAlgorithm,omitempty"`
	DestinationEncryptionAlgorithm string            `json:"DestinationEncryptionAlgorithm,omitempty"`
	GrantTokens                    []string          `json:"GrantTokens,omitempty"`
	DryRun                         *bool             `json:"DryRun,omitempty"`
	DryRunModifiers                []string          `json:"DryRunModifiers,omitempty"`
}

// ReEncryptOutput is the ReEncrypt response.
type ReEncryptOutput struct {
	CiphertextBlob                 []byte `json:"CiphertextBlob"`
	SourceKeyId                    string `json:"SourceKeyId"`
	KeyId                          string `json:"KeyId"`
	SourceEncryptionAlgorithm      string `json:"SourceEncryptionAlgorithm"`
	DestinationEncryptionAlgorithm string `json:"DestinationEncryptionAlgorithm"`
	SourceKeyMaterialId            string `json:"SourceKeyMaterialId,omitempty"`
	DestinationKeyMaterialId       string `json:"DestinationKeyMaterialId,omitempty"`
}

// reEncrypt decrypts under the source key and encrypts under the destination key without
// exposing the plaintext; it needs kms:ReEncryptFrom on the source and kms:ReEncryptTo on the destination.
func (s *Server) reEncrypt(ctx context.Context, c *call, in *ReEncryptInput) (*ReEncryptOutput, error) {
	var v validationErrors
	ignore := ignoresCiphertext(&v, in.DryRun, in.DryRunModifiers)
	if in.CiphertextBlob != nil {
		v.blobLength("ciphertextBlob", len(in.CiphertextBlob), 1, 6144)
	}
	v.length("sourceKeyId", in.SourceKeyId, 0, 2048, false)
	v.required("destinationKeyId", in.DestinationKeyId != "")
	v.length("destinationKeyId", in.DestinationKeyId, 1, 2048, false)
	v.enum("sourceEncryptionAlgorithm", in.SourceEncryptionAlgorithm, encryptionAlgorithms)
	v.enum("destinationEncryptionAlgorithm", in.DestinationEncryptionAlgorithm, encryptionAlgorithms)
	validateGrantTokens(&v, in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := requireCiphertext(in.CiphertextBlob, ignore); err != nil {
		return nil, err
	}
	in.SourceEncryptionAlgorithm = orDefault(in.SourceEncryptionAlgorithm, "SYMMETRIC_DEFAULT")
	in.DestinationEncryptionAlgorithm = orDefault(in.DestinationEncryptionAlgorithm, "SYMMETRIC_DEFAULT")
	var src *keyRef
	var blob *parsedBlob
	var err error
	switch {
	case ignore && in.SourceKeyId == "":
		return nil, errValidation("SourceKeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.")
	case ignore:
		// A dry run that ignores the ciphertext checks authorization on the keys the request names.
		src, err = s.resolveKey(c, in.SourceKeyId)
	default:
		src, blob, err = s.ciphertextKey(c, in.CiphertextBlob, in.SourceKeyId)
	}
	if err != nil {
		return nil, err
	}
	dst, err := s.resolveKey(c, in.DestinationKeyId)
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(src.key), keyResource(dst.key)}
	sameKey := map[string][]string{"kms:ReEncryptOnSameKey": {boolString(src.key.ID == dst.key.ID)}}
	from := encryptionContextKeys(in.SourceEncryptionContext)
	from["kms:ReEncryptOnSameKey"] = sameKey["kms:ReEncryptOnSameKey"]
	if err := s.authorize(ctx, c, "kms:ReEncryptFrom", src, from); err != nil {
		return nil, err
	}
	to := encryptionContextKeys(in.DestinationEncryptionContext)
	to["kms:ReEncryptOnSameKey"] = sameKey["kms:ReEncryptOnSameKey"]
	if err := s.authorize(ctx, c, "kms:ReEncryptTo", dst, to); err != nil {
		return nil, err
	}
	if ignore {
		return nil, checkDryRun(in.DryRun)
	}
	if err := requireEncryption(src.key, "ReEncrypt", in.SourceEncryptionAlgorithm, in.SourceEncryptionContext); err != nil {
		return nil, err
	}
	if err := requireEncryption(dst.key, "ReEncrypt", in.DestinationEncryptionAlgorithm, in.DestinationEncryptionContext); err != nil {
		return nil, err
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	plaintext, err := s.decryptWith(src.key, in.SourceEncryptionAlgorithm, in.CiphertextBlob, blob, in.SourceEncryptionContext)
	if err != nil {
		return nil, err
	}
	out, err := s.encryptWith(dst.key, in.DestinationEncryptionAlgorithm, plaintext, in.DestinationEncryptionContext)
	if err != nil {
		return nil, err
	}
	return &ReEncryptOutput{CiphertextBlob: out, SourceKeyId: src.key.ARN(), KeyId: dst.key.ARN(),
		SourceEncryptionAlgorithm: in.SourceEncryptionAlgorithm, DestinationEncryptionAlgorithm: in.DestinationEncryptionAlgorithm,
		SourceKeyMaterialId: s.blobMaterialID(src.key, blob), DestinationKeyMaterialId: s.currentMaterialID(dst.key)}, nil
}
