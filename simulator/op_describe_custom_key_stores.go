package simulator

import "context"

// DescribeCustomKeyStoresInput is the DescribeCustomKeyStores request.
type DescribeCustomKeyStoresInput struct {
	CustomKeyStoreId   string `json:"CustomKeyStoreId,omitempty"`
	CustomKeyStoreName string `json:"CustomKeyStoreName,omitempty"`
	Limit              *int32 `json:"Limit,omitempty"`
	Marker             string `json:"Marker,omitempty"`
}

// XksProxyConfiguration describes an external key store's proxy.
type XksProxyConfiguration struct {
	Connectivity            string `json:"Connectivity,omitempty"`
	AccessKeyId             string `json:"AccessKeyId,omitempty"`
	UriEndpoint             string `json:"UriEndpoint,omitempty"`
	UriPath                 string `json:"UriPath,omitempty"`
	VpcEndpointServiceName  string `json:"VpcEndpointServiceName,omitempty"`
	VpcEndpointServiceOwner string `json:"VpcEndpointServiceOwner,omitempty"`
}

// CustomKeyStoresListEntry describes one custom key store.
type CustomKeyStoresListEntry struct {
	CustomKeyStoreId       string                 `json:"CustomKeyStoreId"`
	CustomKeyStoreName     string                 `json:"CustomKeyStoreName"`
	CloudHsmClusterId      string                 `json:"CloudHsmClusterId,omitempty"`
	TrustAnchorCertificate string                 `json:"TrustAnchorCertificate,omitempty"`
	ConnectionState        string                 `json:"ConnectionState"`
	CreationDate           epochTime              `json:"CreationDate"`
	CustomKeyStoreType     string                 `json:"CustomKeyStoreType"`
	XksProxyConfiguration  *XksProxyConfiguration `json:"XksProxyConfiguration,omitempty"`
}

// DescribeCustomKeyStoresOutput is the DescribeCustomKeyStores response.
type DescribeCustomKeyStoresOutput struct {
	CustomKeyStores []CustomKeyStoresListEntry `json:"CustomKeyStores"`
	NextMarker      string                     `json:"NextMarker,omitempty"`
	Truncated       bool                       `json:"Truncated"`
}

func (s *Server) describeCustomKeyStores(ctx context.Context, c *call, in *DescribeCustomKeyStoresInput) (*DescribeCustomKeyStoresOutput, error) {
	var v validationErrors
	v.length("customKeyStoreId", in.CustomKeyStoreId, 0, 64, false)
	v.length("customKeyStoreName", in.CustomKeyStoreName, 0, 256, false)
	validatePage(&v, in.Limit, in.Marker)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "kms:DescribeCustomKeyStores", nil, nil); err != nil {
		return nil, err
	}
	s.state.mu.RLock()
	var all []CustomKeyStoresListEntry
	for _, ks := range s.state.storesOf(c.caller.principal.Account, c.region) {
		if ks.ID <= after || (in.CustomKeyStoreId != "" && ks.ID != in.CustomKeyStoreId) || (in.CustomKeyStoreName != "" && ks.Name != in.CustomKeyStoreName) {
			continue
		}
		e := CustomKeyStoresListEntry{CustomKeyStoreId: ks.ID, CustomKeyStoreName: ks.Name, CloudHsmClusterId: ks.CloudHsmClusterID,
			TrustAnchorCertificate: ks.TrustAnchorCertificate, ConnectionState: ks.ConnectionState, CreationDate: epochTime(ks.CreationDate), CustomKeyStoreType: ks.Type}
		if ks.Type == storeExternal {
			e.XksProxyConfiguration = &XksProxyConfiguration{Connectivity: ks.XksConnectivity, AccessKeyId: ks.XksAccessKeyID, UriEndpoint: ks.XksUriEndpoint,
				UriPath: ks.XksUriPath, VpcEndpointServiceName: ks.XksVpcEndpointService, VpcEndpointServiceOwner: ks.XksVpcEndpointOwner}
		}
		all = append(all, e)
	}
	s.state.mu.RUnlock()
	if len(all) == 0 && (in.CustomKeyStoreId != "" || in.CustomKeyStoreName != "") {
		name := in.CustomKeyStoreId
		if name == "" {
			name = in.CustomKeyStoreName
		}
		return nil, apiError("CustomKeyStoreNotFoundException", "Custom key store %s does not exist.", name)
	}
	page, next := paginate(all, limitOr(in.Limit, 100), func(e CustomKeyStoresListEntry) string { return e.CustomKeyStoreId })
	return &DescribeCustomKeyStoresOutput{CustomKeyStores: page, NextMarker: next, Truncated: next != ""}, nil
}
