package simulator

import "context"

// CustomKeyStoreIdInput is the request of operations that take only a custom key store id.
type CustomKeyStoreIdInput struct {
	CustomKeyStoreId string `json:"CustomKeyStoreId"`
}

// setStoreConnection moves a custom key store to state, after validation and authorization.
func (s *Server) setStoreConnection(ctx context.Context, c *call, id, action, state string) error {
	var v validationErrors
	v.required("customKeyStoreId", id != "")
	v.length("customKeyStoreId", id, 1, 64, false)
	if err := v.err(); err != nil {
		return err
	}
	if err := s.authorize(ctx, c, action, nil, nil); err != nil {
		return err
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	ks, err := s.state.findStore(c, id)
	if err != nil {
		return err
	}
	c.additional = storeTrailDetails(ks)
	updated := *ks
	updated.ConnectionState = state
	return s.state.commit(journalEntry{Store: &updated})
}

// connectCustomKeyStore connects a store to its (simulated) cluster or proxy; keys in it become usable.
func (s *Server) connectCustomKeyStore(ctx context.Context, c *call, in *CustomKeyStoreIdInput) (*EmptyOutput, error) {
	if err := s.setStoreConnection(ctx, c, in.CustomKeyStoreId, "kms:ConnectCustomKeyStore", storeConnected); err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}
