package simulator

import "context"

// UpdateCustomKeyStoreInput is the UpdateCustomKeyStore request.
type UpdateCustomKeyStoreInput struct {
	CustomKeyStoreId                 string                            `json:"CustomKeyStoreId"`
	NewCustomKeyStoreName            string                            `json:"NewCustomKeyStoreName,omitempty"`
	KeyStorePassword                 string                            `json:"KeyStorePassword,omitempty" trail:"-"`
	CloudHsmClusterId                string                            `json:"CloudHsmClusterId,omitempty" trail:"-"`
	XksProxyUriEndpoint              string                            `json:"XksProxyUriEndpoint,omitempty"`
	XksProxyUriPath                  string                            `json:"XksProxyUriPath,omitempty"`
	XksProxyVpcEndpointServiceName   string                            `json:"XksProxyVpcEndpointServiceName,omitempty"`
	XksProxyVpcEndpointServiceOwner  string                            `json:"XksProxyVpcEndpointServiceOwner,omitempty"`
	XksProxyAuthenticationCredential *XksProxyAuthenticationCredential `json:"XksProxyAuthenticationCredential,omitempty"`
	XksProxyConnectivity             string                            `json:"XksProxyConnectivity,omitempty"`
}

// updateCustomKeyStore renames a store at any time; its cluster, password or proxy settings
// change only while it is disconnected.
func (s *Server) updateCustomKeyStore(ctx context.Context, c *call, in *UpdateCustomKeyStoreInput) (*EmptyOutput, error) {
	var v validationErrors
	v.required("customKeyStoreId", in.CustomKeyStoreId != "")
	v.length("customKeyStoreId", in.CustomKeyStoreId, 1, 64, false)
	v.length("newCustomKeyStoreName", in.NewCustomKeyStoreName, 0, 256, false)
	validateStoreSettings(&v, in.CloudHsmClusterId, in.KeyStorePassword, in.XksProxyUriEndpoint, in.XksProxyUriPath,
		in.XksProxyVpcEndpointServiceName, in.XksProxyVpcEndpointServiceOwner, in.XksProxyConnectivity, in.XksProxyAuthenticationCredential)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.CloudHsmClusterId != "" {
		c.params = map[string]any{"clusterId": in.CloudHsmClusterId}
	}
	if err := s.authorize(ctx, c, "kms:UpdateCustomKeyStore", nil, nil); err != nil {
		return nil, err
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	ks, err := s.state.findStore(c, in.CustomKeyStoreId)
	if err != nil {
		return nil, err
	}
	c.additional = storeTrailDetails(ks)
	settingsChange := in.KeyStorePassword != "" || in.CloudHsmClusterId != "" || in.XksProxyUriEndpoint != "" || in.XksProxyUriPath != "" ||
		in.XksProxyVpcEndpointServiceName != "" || in.XksProxyVpcEndpointServiceOwner != "" || in.XksProxyAuthenticationCredential != nil || in.XksProxyConnectivity != ""
	if settingsChange && ks.ConnectionState != storeDisconnected {
		return nil, apiError("CustomKeyStoreInvalidStateException", "Custom key store %s must be disconnected to update its settings. Its connection state is %s.", ks.ID, ks.ConnectionState)
	}
	isXKS := in.XksProxyUriEndpoint != "" || in.XksProxyUriPath != "" || in.XksProxyAuthenticationCredential != nil || in.XksProxyConnectivity != ""
	if (ks.Type == storeCloudHSM && isXKS) || (ks.Type == storeExternal && (in.CloudHsmClusterId != "" || in.KeyStorePassword != "")) {
		return nil, errValidation("The settings in the request do not apply to a custom key store of type %s.", ks.Type)
	}
	updated := *ks
	if in.NewCustomKeyStoreName != "" {
		updated.Name = in.NewCustomKeyStoreName
	}
	if in.CloudHsmClusterId != "" {
		updated.CloudHsmClusterID = in.CloudHsmClusterId
	}
	updated.XksUriEndpoint = orDefault(in.XksProxyUriEndpoint, updated.XksUriEndpoint)
	updated.XksUriPath = orDefault(in.XksProxyUriPath, updated.XksUriPath)
	updated.XksConnectivity = orDefault(in.XksProxyConnectivity, updated.XksConnectivity)
	updated.XksVpcEndpointService = orDefault(in.XksProxyVpcEndpointServiceName, updated.XksVpcEndpointService)
	updated.XksVpcEndpointOwner = orDefault(in.XksProxyVpcEndpointServiceOwner, updated.XksVpcEndpointOwner)
	if in.XksProxyAuthenticationCredential != nil {
		updated.XksAccessKeyID = in.XksProxyAuthenticationCredential.AccessKeyId
	}
	if err := storeConflicts(s.state.storesOf(ks.Account, ks.Region), &updated, ks.ID); err != nil {
		return nil, err
	}
	if err := s.state.commit(journalEntry{Store: &updated}); err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}
