package simulator

import (
	"context"

	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// DeriveSharedSecretInput is the DeriveSharedSecret request.
type DeriveSharedSecretInput struct {
	KeyId                 string         `json:"KeyId"`
	KeyAgreementAlgorithm string         `json:"KeyAgreementAlgorithm"`
	PublicKey             []byte         `json:"PublicKey"`
	GrantTokens           []string       `json:"GrantTokens,omitempty"`
	DryRun                *bool          `json:"DryRun,omitempty"`
	Recipient             *RecipientInfo `json:"Recipient,omitempty"`
}

// DeriveSharedSecretOutput is the DeriveSharedSecret response.
type DeriveSharedSecretOutput struct {
	KeyId                 string `json:"KeyId"`
	SharedSecret          []byte `json:"SharedSecret"`
	KeyAgreementAlgorithm string `json:"KeyAgreementAlgorithm"`
	KeyOrigin             string `json:"KeyOrigin"`
}

// deriveSharedSecret runs ECDH between the key's private half and the peer's public key (a DER
// SubjectPublicKeyInfo on the key's curve).
func (s *Server) deriveSharedSecret(ctx context.Context, c *call, in *DeriveSharedSecretInput) (*DeriveSharedSecretOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("keyAgreementAlgorithm", in.KeyAgreementAlgorithm != "")
	v.enum("keyAgreementAlgorithm", in.KeyAgreementAlgorithm, []string{keyspec.AlgECDH})
	v.required("publicKey", in.PublicKey != nil)
	v.blobLength("publicKey", len(in.PublicKey), 1, 8192)
	validateGrantTokens(&v, in.GrantTokens)
	validateRecipient(&v, in.Recipient)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := refuseRecipient(in.Recipient); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	extra := map[string][]string{"kms:KeyAgreementAlgorithm": {in.KeyAgreementAlgorithm}}
	if err := s.authorize(ctx, c, "kms:DeriveSharedSecret", ref, extra); err != nil {
		return nil, err
	}
	if err := requireUsage(c.op, k, keyspec.UsageKeyAgreement); err != nil {
		return nil, err
	}
	if err := requireAlgorithm(k, in.KeyAgreementAlgorithm, keyspec.KeyAgreementAlgorithms(keyspec.Spec(k.Spec))); err != nil {
		return nil, err
	}
	material, err := s.keyMaterial(k)
	if err != nil {
		return nil, err
	}
	secret, err := keyspec.DeriveSharedSecret(keyspec.Spec(k.Spec), material, in.PublicKey)
	if err != nil {
		return nil, cryptoError(err)
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	return &DeriveSharedSecretOutput{KeyId: k.ARN(), SharedSecret: secret, KeyAgreementAlgorithm: in.KeyAgreementAlgorithm, KeyOrigin: k.Origin}, nil
}

// RecipientInfo is the Recipient member (Nitro Enclaves and NitroTPM attestation).
type RecipientInfo struct {
	KeyEncryptionAlgorithm string `json:"KeyEncryptionAlgorithm,omitempty"`
	AttestationDocument    []byte `json:"AttestationDocument,omitempty"`
}

// validateRecipient applies the model's constraints to the Recipient member.
func validateRecipient(v *validationErrors, r *RecipientInfo) {
	if r == nil {
		return
	}
	v.enum("recipient.keyEncryptionAlgorithm", r.KeyEncryptionAlgorithm, []string{"RSAES_OAEP_SHA_256"})
	if r.AttestationDocument != nil {
		v.blobLength("recipient.attestationDocument", len(r.AttestationDocument), 1, 262144)
	}
}

// refuseRecipient rejects the Recipient member (Nitro Enclaves): kmsim cannot verify an attestation
// document, and answering in plaintext instead would hand the secret to the wrong party.
func refuseRecipient(recipient *RecipientInfo) error {
	if recipient != nil {
		return apiError("UnsupportedOperationException", "kmsim does not support Recipient: it cannot verify Nitro Enclaves attestation documents.")
	}
	return nil
}
