package simulator

import (
	"context"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

// DecapsulateInput is the Decapsulate request.
type DecapsulateInput struct {
	KeyId                      string   `json:"KeyId"`
	EncapsulationAlgorithm     string   `json:"EncapsulationAlgorithm"`
	SharedSecretCiphertextBlob []byte   `json:"SharedSecretCiphertextBlob"`
	GrantTokens                []string `json:"GrantTokens,omitempty"`
	DryRun                     *bool    `json:"DryRun,omitempty"`
}

// DecapsulateOutput is the Decapsulate response.
type DecapsulateOutput struct {
	KeyId                  string `json:"KeyId"`
	EncapsulationAlgorithm string `json:"EncapsulationAlgorithm"`
	SharedSecret           []byte `json:"SharedSecret"`
}

// decapsulate recovers an ML-KEM shared secret with the key's private half. An altered ciphertext
// of the right length yields an unrelated secret (implicit rejection), as ML-KEM specifies.
func (s *Server) decapsulate(ctx context.Context, c *call, in *DecapsulateInput) (*DecapsulateOutput, error) {
	var v validationErrors
	validateEncapsulation(&v, in.KeyId, in.EncapsulationAlgorithm, in.GrantTokens)
	v.required("sharedSecretCiphertextBlob", in.SharedSecretCiphertextBlob != nil)
	v.blobLength("sharedSecretCiphertextBlob", len(in.SharedSecretCiphertextBlob), 1, 6144)
	if err := v.err(); err != nil {
		return nil, err
	}
	k, material, err := s.kemKey(ctx, c, "kms:Decapsulate", in.KeyId, in.EncapsulationAlgorithm)
	if err != nil {
		return nil, err
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	secret, err := keyspec.Decapsulate(keyspec.Spec(k.Spec), material, in.SharedSecretCiphertextBlob)
	if err != nil {
		return nil, cryptoError(err)
	}
	return &DecapsulateOutput{KeyId: k.ARN(), EncapsulationAlgorithm: in.EncapsulationAlgorithm, SharedSecret: secret}, nil
}
