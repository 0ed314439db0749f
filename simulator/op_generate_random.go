package simulator

import "context"

// GenerateRandomInput is the GenerateRandom request. CloudTrail records no request parameters
// for GenerateRandom, as the guide's example shows.
type GenerateRandomInput struct {
	NumberOfBytes    *int32 `json:"NumberOfBytes,omitempty" trail:"-"`
	CustomKeyStoreId string `json:"CustomKeyStoreId,omitempty" trail:"-"`
}

// GenerateRandomOutput is the GenerateRandom response.
type GenerateRandomOutput struct {
	Plaintext []byte `json:"Plaintext"`
}

func (s *Server) generateRandom(ctx context.Context, c *call, in *GenerateRandomInput) (*GenerateRandomOutput, error) {
	if in.NumberOfBytes == nil {
		return nil, errValidation("NumberOfBytes is required.")
	}
	var v validationErrors
	v.intRange("numberOfBytes", in.NumberOfBytes, 1, 1024)
	v.length("customKeyStoreId", in.CustomKeyStoreId, 0, 64, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "kms:GenerateRandom", nil, nil); err != nil {
		return nil, err
	}
	if in.CustomKeyStoreId != "" {
		return nil, apiError("CustomKeyStoreNotFoundException", "")
	}
	return &GenerateRandomOutput{Plaintext: randomBytes(int(*in.NumberOfBytes))}, nil
}
