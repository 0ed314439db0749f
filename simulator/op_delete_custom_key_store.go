package simulator

import "context"

// deleteCustomKeyStore deletes a disconnected store that holds no keys.
func (s *Server) deleteCustomKeyStore(ctx context.Context, c *call, in *CustomKeyStoreIdInput) (*EmptyOutput, error) {
	var v validationErrors
	v.required("customKeyStoreId", in.CustomKeyStoreId != "")
	v.length("customKeyStoreId", in.CustomKeyStoreId, 1, 64, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "kms:DeleteCustomKeyStore", nil, nil); err != nil {
		return nil, err
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	ks, err := s.state.findStore(c, in.CustomKeyStoreId)
	if err != nil {
		return nil, err
	}
	c.additional = storeTrailDetails(ks)
	if ks.ConnectionState != storeDisconnected {
		return nil, apiError("CustomKeyStoreInvalidStateException", "Custom key store %s must be disconnected before it can be deleted. Its connection state is %s.", ks.ID, ks.ConnectionState)
	}
	for _, k := range s.state.keys {
		if k.CustomKeyStoreID == ks.ID {
			return nil, apiError("CustomKeyStoreHasCMKsException", "Custom key store %s contains KMS keys. Delete them before deleting the custom key store.", ks.ID)
		}
	}
	if err := s.state.commit(journalEntry{DeleteStore: ks.ID}); err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}
