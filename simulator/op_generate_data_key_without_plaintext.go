package simulator

import "context"

// GenerateDataKeyWithoutPlaintextOutput is the GenerateDataKeyWithoutPlaintext response.
type GenerateDataKeyWithoutPlaintextOutput struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	KeyId          string `json:"KeyId"`
	KeyMaterialId  string `json:"KeyMaterialId,omitempty"`
}

func (s *Server) generateDataKeyWithoutPlaintext(ctx context.Context, c *call, in *GenerateDataKeyInput) (*GenerateDataKeyWithoutPlaintextOutput, error) {
	out, err := s.dataKey(ctx, c, in, "GenerateDataKeyWithoutPlaintext")
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyWithoutPlaintextOutput{CiphertextBlob: out.CiphertextBlob, KeyId: out.KeyId, KeyMaterialId: out.KeyMaterialId}, nil
}
