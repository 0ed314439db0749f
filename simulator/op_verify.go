package simulator

import (
	"context"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

// VerifyInput is the Verify request.
type VerifyInput struct {
	KeyId            string   `json:"KeyId"`
	Message          []byte   `json:"Message"`
	MessageType      string   `json:"MessageType,omitempty"`
	Signature        []byte   `json:"Signature"`
	SigningAlgorithm string   `json:"SigningAlgorithm"`
	GrantTokens      []string `json:"GrantTokens,omitempty"`
	DryRun           *bool    `json:"DryRun,omitempty"`
}

// VerifyOutput is the Verify response.
type VerifyOutput struct {
	KeyId            string `json:"KeyId"`
	SignatureValid   bool   `json:"SignatureValid"`
	SigningAlgorithm string `json:"SigningAlgorithm"`
}

// verify checks a signature with the key's public half. An invalid signature is
// KMSInvalidSignatureException (empty message), never SignatureValid false.
func (s *Server) verify(ctx context.Context, c *call, in *VerifyInput) (*VerifyOutput, error) {
	var v validationErrors
	validateSigning(&v, in.KeyId, in.Message, in.MessageType, in.SigningAlgorithm, in.GrantTokens)
	v.required("signature", in.Signature != nil)
	v.blobLength("signature", len(in.Signature), 1, 6144)
	if err := v.err(); err != nil {
		return nil, err
	}
	in.MessageType = orDefault(in.MessageType, keyspec.MessageRaw)
	k, material, err := s.signingKey(ctx, c, "kms:Verify", in.KeyId, in.SigningAlgorithm, in.MessageType)
	if err != nil {
		return nil, err
	}
	valid, err := keyspec.Verify(keyspec.Spec(k.Spec), material, in.SigningAlgorithm, in.MessageType, in.Message, in.Signature)
	if err != nil {
		return nil, cryptoError(err)
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	if !valid {
		return nil, apiError(keyspec.CodeInvalidSignature, "")
	}
	return &VerifyOutput{KeyId: k.ARN(), SignatureValid: true, SigningAlgorithm: in.SigningAlgorithm}, nil
}
