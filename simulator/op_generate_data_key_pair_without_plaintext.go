package simulator

import "context"

// GenerateDataKeyPairWithoutPlaintextOutput is the GenerateDataKeyPairWithoutPlaintext response.
type GenerateDataKeyPairWithoutPlaintextOutput struct {
	PrivateKeyCiphertextBlob []byte `json:"PrivateKeyCiphertextBlob"`
	PublicKey                []byte `json:"PublicKey"`
	KeyId                    string `json:"KeyId"`
	KeyPairSpec              string `json:"KeyPairSpec"`
	KeyMaterialId            string `json:"KeyMaterialId,omitempty"`
}

func (s *Server) generateDataKeyPairWithoutPlaintext(ctx context.Context, c *call, in *GenerateDataKeyPairInput) (*GenerateDataKeyPairWithoutPlaintextOutput, error) {
	out, err := s.generateDataKeyPair(ctx, c, in)
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyPairWithoutPlaintextOutput{PrivateKeyCiphertextBlob: out.PrivateKeyCiphertextBlob, PublicKey: out.PublicKey,
		KeyId: out.KeyId, KeyPairSpec: out.KeyPairSpec, KeyMaterialId: out.KeyMaterialId}, nil
}
