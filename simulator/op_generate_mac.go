package simulator

import (
	"context"

	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// GenerateMacInput is the GenerateMac request.
type GenerateMacInput struct {
	Message      []byte   `json:"Message"`
	KeyId        string   `json:"KeyId"`
	MacAlgorithm string   `json:"MacAlgorithm"`
	GrantTokens  []string `json:"GrantTokens,omitempty"`
	DryRun       *bool    `json:"DryRun,omitempty"`
}

// GenerateMacOutput is the GenerateMac response.
type GenerateMacOutput struct {
	Mac          []byte `json:"Mac"`
	MacAlgorithm string `json:"MacAlgorithm"`
	KeyId        string `json:"KeyId"`
}

// macAlgorithms is the MacAlgorithm enum in the order AWS prints it (recorded).
var macAlgorithms = []string{"HMAC_SHA_384", "HMAC_SHA_256", "HMAC_SHA_224", "HMAC_SHA_512"}

func (s *Server) generateMac(ctx context.Context, c *call, in *GenerateMacInput) (*GenerateMacOutput, error) {
	var v validationErrors
	validateMac(&v, in.Message, in.KeyId, in.MacAlgorithm, in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	k, material, err := s.macKey(ctx, c, "kms:GenerateMac", in.KeyId, in.MacAlgorithm)
	if err != nil {
		return nil, err
	}
	mac, err := keyspec.GenerateMac(keyspec.Spec(k.Spec), material, in.MacAlgorithm, in.Message)
	if err != nil {
		return nil, cryptoError(err)
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	return &GenerateMacOutput{Mac: mac, MacAlgorithm: in.MacAlgorithm, KeyId: k.ARN()}, nil
}

// validateMac applies the model constraints GenerateMac and VerifyMac share.
func validateMac(v *validationErrors, message []byte, keyID, algorithm string, grantTokens []string) {
	v.required("message", message != nil)
	v.blobLength("message", len(message), 1, 4096)
	v.required("keyId", keyID != "")
	v.length("keyId", keyID, 1, 2048, false)
	v.required("macAlgorithm", algorithm != "")
	v.enum("macAlgorithm", algorithm, macAlgorithms)
	validateGrantTokens(v, grantTokens)
}

// macKey resolves and authorizes the key of a GenerateMac or VerifyMac request, checks its state,
// usage and algorithm, and opens its material.
func (s *Server) macKey(ctx context.Context, c *call, action, keyID, algorithm string) (*keyRecord, []byte, error) {
	ref, err := s.resolveKey(c, keyID)
	if err != nil {
		return nil, nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	if err := s.authorize(ctx, c, action, ref, map[string][]string{"kms:MacAlgorithm": {algorithm}}); err != nil {
		return nil, nil, err
	}
	if err := requireUsage(c.op, k, keyspec.UsageGenerateVerifyMAC); err != nil {
		return nil, nil, err
	}
	if err := requireAlgorithm(k, algorithm, keyspec.MacAlgorithms(keyspec.Spec(k.Spec))); err != nil {
		return nil, nil, err
	}
	material, err := s.keyMaterial(k)
	if err != nil {
		return nil, nil, err
	}
	return k, material, nil
}
