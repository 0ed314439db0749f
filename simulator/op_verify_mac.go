package simulator

import (
	"context"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

// VerifyMacInput is the VerifyMac request.
type VerifyMacInput struct {
	Message      []byte   `json:"Message"`
	KeyId        string   `json:"KeyId"`
	MacAlgorithm string   `json:"MacAlgorithm"`
	Mac          []byte   `json:"Mac"`
	GrantTokens  []string `json:"GrantTokens,omitempty"`
	DryRun       *bool    `json:"DryRun,omitempty"`
}

// VerifyMacOutput is the VerifyMac response.
type VerifyMacOutput struct {
	KeyId        string `json:"KeyId"`
	MacValid     bool   `json:"MacValid"`
	MacAlgorithm string `json:"MacAlgorithm"`
}

// verifyMac recomputes the tag and compares it in constant time. A mismatch is
// KMSInvalidMacException (empty message), never MacValid false.
func (s *Server) verifyMac(ctx context.Context, c *call, in *VerifyMacInput) (*VerifyMacOutput, error) {
	var v validationErrors
	validateMac(&v, in.Message, in.KeyId, in.MacAlgorithm, in.GrantTokens)
	v.required("mac", in.Mac != nil)
	v.blobLength("mac", len(in.Mac), 1, 6144)
	if err := v.err(); err != nil {
		return nil, err
	}
	k, material, err := s.macKey(ctx, c, "kms:VerifyMac", in.KeyId, in.MacAlgorithm)
	if err != nil {
		return nil, err
	}
	valid, err := keyspec.VerifyMac(keyspec.Spec(k.Spec), material, in.MacAlgorithm, in.Message, in.Mac)
	if err != nil {
		return nil, cryptoError(err)
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	if !valid {
		return nil, apiError("KMSInvalidMacException", "")
	}
	return &VerifyMacOutput{KeyId: k.ARN(), MacValid: true, MacAlgorithm: in.MacAlgorithm}, nil
}
