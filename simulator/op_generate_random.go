package simulator

import "context"

// GenerateRandomInput is the GenerateRandom request. CloudTrail records no request parameters
// for GenerateRandom, as the guide's example shows.
type GenerateRandomInput struct {
	NumberOfBytes    *int32         `json:"NumberOfBytes,omitempty" trail:"-"`
	CustomKeyStoreId string         `json:"CustomKeyStoreId,omitempty" trail:"-"`
	Recipient        *RecipientInfo `json:"Recipient,omitempty" trail:"-"`
}

// GenerateRandomOutput is the GenerateRandom response.
type GenerateRandomOutput struct {
	Plaintext []byte `json:"Plaintext"`
}

func (s *Server) generateRandom(ctx context.Context, c *call, in *GenerateRandomInput) (*GenerateRandomOutput, error) {
	var v validationErrors
	v.intRange("numberOfBytes", in.NumberOfBytes, 1, 1024)
	v.length("customKeyStoreId", in.CustomKeyStoreId, 0, 64, false)
	validateRecipient(&v, in.Recipient)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.NumberOfBytes == nil {
		return nil, errValidation("NumberOfBytes is required.")
	}
	if err := refuseRecipient(in.Recipient); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "kms:GenerateRandom", nil, nil); err != nil {
		return nil, err
	}
	if in.CustomKeyStoreId != "" {
		// Random bytes from a custom key store come from its CloudHSM cluster, which must be connected.
		s.state.mu.RLock()
		ks, err := s.state.findStore(c, in.CustomKeyStoreId)
		s.state.mu.RUnlock()
		switch {
		case err != nil:
			return nil, err
		case ks.Type != storeCloudHSM:
			return nil, apiError("UnsupportedOperationException", "GenerateRandom is not supported for custom key store %s of type %s.", ks.ID, ks.Type)
		case ks.ConnectionState != storeConnected:
			return nil, apiError("CustomKeyStoreInvalidStateException", "Custom key store %s is not connected. Its connection state is %s.", ks.ID, ks.ConnectionState)
		}
	}
	return &GenerateRandomOutput{Plaintext: randomBytes(int(*in.NumberOfBytes))}, nil
}
