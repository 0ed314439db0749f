package simulator

import (
	"context"
	"encoding/json"

	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// DeriveSharedSecretInput is the DeriveSharedSecret request.
type DeriveSharedSecretInput struct {
	KeyId                 string          `json:"KeyId"`
	KeyAgreementAlgorithm string          `json:"KeyAgreementAlgorithm"`
	PublicKey             []byte          `json:"PublicKey"`
	GrantTokens           []string        `json:"GrantTokens,omitempty"`
	DryRun                *bool           `json:"DryRun,omitempty"`
	Recipient             json.RawMessage `json:"Recipient,omitempty"`
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

// refuseRecipient rejects the Recipient member (Nitro Enclaves): kmsim cannot verify an attestation
// document, and answering in plaintext instead would hand the secret to the wrong party.
func refuseRecipient(recipient json.RawMessage) error {
	if recipient != nil {
		return apiError("UnsupportedOperationException", "kmsim does not support Recipient: it cannot verify Nitro Enclaves attestation documents.")
	}
	return nil
}
