package simulator

import (
	"context"

	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// EncapsulateInput is the Encapsulate request.
type EncapsulateInput struct {
	KeyId                  string   `json:"KeyId"`
	EncapsulationAlgorithm string   `json:"EncapsulationAlgorithm"`
	GrantTokens            []string `json:"GrantTokens,omitempty"`
	DryRun                 *bool    `json:"DryRun,omitempty"`
}

// EncapsulateOutput is the Encapsulate response.
type EncapsulateOutput struct {
	KeyId                      string `json:"KeyId"`
	EncapsulationAlgorithm     string `json:"EncapsulationAlgorithm"`
	SharedSecret               []byte `json:"SharedSecret"`
	SharedSecretCiphertextBlob []byte `json:"SharedSecretCiphertextBlob"`
}

// encapsulate runs ML-KEM encapsulation against the key's public half.
func (s *Server) encapsulate(ctx context.Context, c *call, in *EncapsulateInput) (*EncapsulateOutput, error) {
	var v validationErrors
	validateEncapsulation(&v, in.KeyId, in.EncapsulationAlgorithm, in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	k, material, err := s.kemKey(ctx, c, "kms:Encapsulate", in.KeyId, in.EncapsulationAlgorithm)
	if err != nil {
		return nil, err
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	ciphertext, secret, err := keyspec.Encapsulate(keyspec.Spec(k.Spec), material)
	if err != nil {
		return nil, cryptoError(err)
	}
	return &EncapsulateOutput{KeyId: k.ARN(), EncapsulationAlgorithm: in.EncapsulationAlgorithm, SharedSecret: secret, SharedSecretCiphertextBlob: ciphertext}, nil
}

// validateEncapsulation applies the model constraints Encapsulate and Decapsulate share.
func validateEncapsulation(v *validationErrors, keyID, algorithm string, grantTokens []string) {
	v.required("keyId", keyID != "")
	v.length("keyId", keyID, 1, 2048, false)
	v.required("encapsulationAlgorithm", algorithm != "")
	v.enum("encapsulationAlgorithm", algorithm, []string{keyspec.AlgMLKEM})
	validateGrantTokens(v, grantTokens)
}

// kemKey resolves and authorizes the key of an Encapsulate or Decapsulate request, checks its
// state, usage and algorithm, and opens its material.
func (s *Server) kemKey(ctx context.Context, c *call, action, keyID, algorithm string) (*keyRecord, []byte, error) {
	ref, err := s.resolveKey(c, keyID)
	if err != nil {
		return nil, nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	if err := s.authorize(ctx, c, action, ref, nil); err != nil {
		return nil, nil, err
	}
	if err := requireUsage(c.op, k, keyspec.UsageEncapsulateDecapsulate); err != nil {
		return nil, nil, err
	}
	if err := requireAlgorithm(k, algorithm, keyspec.EncapsulationAlgorithms(keyspec.Spec(k.Spec))); err != nil {
		return nil, nil, err
	}
	material, err := s.keyMaterial(k)
	if err != nil {
		return nil, nil, err
	}
	return k, material, nil
}
