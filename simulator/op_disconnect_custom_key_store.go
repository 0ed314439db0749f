package simulator

import "context"

// disconnectCustomKeyStore disconnects a store; its keys become Unavailable until it reconnects.
func (s *Server) disconnectCustomKeyStore(ctx context.Context, c *call, in *CustomKeyStoreIdInput) (*EmptyOutput, error) {
	if err := s.setStoreConnection(ctx, c, in.CustomKeyStoreId, "kms:DisconnectCustomKeyStore", storeDisconnected); err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}
