package simulator

import "context"

// XksProxyAuthenticationCredential is the credential KMS uses to sign requests to an external key store proxy.
type XksProxyAuthenticationCredential struct {
	AccessKeyId        string `json:"AccessKeyId"`
	RawSecretAccessKey string `json:"RawSecretAccessKey" trail:"-"`
}

// CreateCustomKeyStoreInput is the CreateCustomKeyStore request. CloudTrail calls the cluster
// id "clusterId" and records neither the password, the trust anchor certificate nor the proxy secret.
type CreateCustomKeyStoreInput struct {
	CustomKeyStoreName               string                            `json:"CustomKeyStoreName"`
	CloudHsmClusterId                string                            `json:"CloudHsmClusterId,omitempty" trail:"-"`
	TrustAnchorCertificate           string                            `json:"TrustAnchorCertificate,omitempty" trail:"-"`
	KeyStorePassword                 string                            `json:"KeyStorePassword,omitempty" trail:"-"`
	CustomKeyStoreType               string                            `json:"CustomKeyStoreType,omitempty"`
	XksProxyUriEndpoint              string                            `json:"XksProxyUriEndpoint,omitempty"`
	XksProxyUriPath                  string                            `json:"XksProxyUriPath,omitempty"`
	XksProxyVpcEndpointServiceName   string                            `json:"XksProxyVpcEndpointServiceName,omitempty"`
	XksProxyVpcEndpointServiceOwner  string                            `json:"XksProxyVpcEndpointServiceOwner,omitempty"`
	XksProxyAuthenticationCredential *XksProxyAuthenticationCredential `json:"XksProxyAuthenticationCredential,omitempty"`
	XksProxyConnectivity             string                            `json:"XksProxyConnectivity,omitempty"`
}

// CreateCustomKeyStoreOutput is the CreateCustomKeyStore response.
type CreateCustomKeyStoreOutput struct {
	CustomKeyStoreId string `json:"CustomKeyStoreId"`
}

// validateStoreSettings applies the model's constraints to the settings Create and Update share.
func validateStoreSettings(v *validationErrors, clusterID, password, endpoint, path, vpceName, vpceOwner, connectivity string, cred *XksProxyAuthenticationCredential) {
	if clusterID != "" {
		v.length("cloudHsmClusterId", clusterID, 19, 24, false)
		v.pattern("cloudHsmClusterId", clusterID, cloudHSMClusterIDRule)
	}
	if password != "" {
		v.length("keyStorePassword", password, 7, 32, true)
	}
	if endpoint != "" {
		v.length("xksProxyUriEndpoint", endpoint, 10, 128, false)
		v.pattern("xksProxyUriEndpoint", endpoint, `^https://[a-zA-Z0-9.-]+$`)
	}
	if path != "" {
		v.length("xksProxyUriPath", path, 10, 128, false)
		v.pattern("xksProxyUriPath", path, `^(/[a-zA-Z0-9\/_-]+/kms/xks/v\d{1,2})$|^(/kms/xks/v\d{1,2})$`)
	}
	if vpceName != "" {
		v.length("xksProxyVpcEndpointServiceName", vpceName, 20, 64, false)
		v.pattern("xksProxyVpcEndpointServiceName", vpceName, `^(com|eu)\.amazonaws\.vpce\.([a-z]+-){2,3}\d+\.vpce-svc-[0-9a-z]+$`)
	}
	if vpceOwner != "" {
		v.length("xksProxyVpcEndpointServiceOwner", vpceOwner, 12, 12, false)
		v.pattern("xksProxyVpcEndpointServiceOwner", vpceOwner, `[0-9]{12}`)
	}
	v.enum("xksProxyConnectivity", connectivity, []string{"PUBLIC_ENDPOINT", "VPC_ENDPOINT_SERVICE"})
	if cred != nil {
		v.length("xksProxyAuthenticationCredential.accessKeyId", cred.AccessKeyId, 20, 30, true)
		v.length("xksProxyAuthenticationCredential.rawSecretAccessKey", cred.RawSecretAccessKey, 43, 64, true)
	}
}

func (s *Server) createCustomKeyStore(ctx context.Context, c *call, in *CreateCustomKeyStoreInput) (*CreateCustomKeyStoreOutput, error) {
	var v validationErrors
	v.required("customKeyStoreName", in.CustomKeyStoreName != "")
	v.length("customKeyStoreName", in.CustomKeyStoreName, 1, 256, false)
	v.length("trustAnchorCertificate", in.TrustAnchorCertificate, 0, 5000, false)
	v.enum("customKeyStoreType", in.CustomKeyStoreType, []string{storeCloudHSM, storeExternal})
	validateStoreSettings(&v, in.CloudHsmClusterId, in.KeyStorePassword, in.XksProxyUriEndpoint, in.XksProxyUriPath,
		in.XksProxyVpcEndpointServiceName, in.XksProxyVpcEndpointServiceOwner, in.XksProxyConnectivity, in.XksProxyAuthenticationCredential)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.CloudHsmClusterId != "" {
		c.params = map[string]any{"clusterId": in.CloudHsmClusterId}
	}
	ks := &storeRecord{ID: newStoreID(), Name: in.CustomKeyStoreName, Account: c.caller.principal.Account, Region: c.region,
		Type: orDefault(in.CustomKeyStoreType, storeCloudHSM), ConnectionState: storeDisconnected, CreationDate: c.time}
	switch ks.Type {
	case storeCloudHSM:
		if in.CloudHsmClusterId == "" || in.TrustAnchorCertificate == "" || in.KeyStorePassword == "" {
			return nil, errValidation("CloudHsmClusterId, TrustAnchorCertificate and KeyStorePassword are required for a custom key store of type AWS_CLOUDHSM.")
		}
		ks.CloudHsmClusterID, ks.TrustAnchorCertificate = in.CloudHsmClusterId, in.TrustAnchorCertificate
	case storeExternal:
		if in.XksProxyUriPath == "" || in.XksProxyAuthenticationCredential == nil || in.XksProxyConnectivity == "" {
			return nil, errValidation("XksProxyUriPath, XksProxyAuthenticationCredential and XksProxyConnectivity are required for a custom key store of type EXTERNAL_KEY_STORE.")
		}
		if in.XksProxyConnectivity == "PUBLIC_ENDPOINT" && in.XksProxyUriEndpoint == "" {
			return nil, errValidation("XksProxyUriEndpoint is required when XksProxyConnectivity is PUBLIC_ENDPOINT.")
		}
		if in.XksProxyConnectivity == "VPC_ENDPOINT_SERVICE" && in.XksProxyVpcEndpointServiceName == "" {
			return nil, errValidation("XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.")
		}
		ks.XksUriEndpoint, ks.XksUriPath, ks.XksConnectivity = in.XksProxyUriEndpoint, in.XksProxyUriPath, in.XksProxyConnectivity
		ks.XksAccessKeyID = in.XksProxyAuthenticationCredential.AccessKeyId
		ks.XksVpcEndpointService, ks.XksVpcEndpointOwner = in.XksProxyVpcEndpointServiceName, in.XksProxyVpcEndpointServiceOwner
	}
	if err := s.authorize(ctx, c, "kms:CreateCustomKeyStore", nil, nil); err != nil {
		return nil, err
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	existing := s.state.storesOf(ks.Account, ks.Region)
	if err := storeConflicts(existing, ks, ""); err != nil {
		return nil, err
	}
	if len(existing) >= maxCustomKeyStores {
		return nil, errQuotaExceeded()
	}
	if err := s.state.commit(journalEntry{Store: ks}); err != nil {
		return nil, err
	}
	c.response = map[string]any{"customKeyStoreId": ks.ID}
	return &CreateCustomKeyStoreOutput{CustomKeyStoreId: ks.ID}, nil
}

// storeConflicts reports a name, cluster or proxy URI that another store (not id self) already uses.
func storeConflicts(existing []*storeRecord, ks *storeRecord, self string) error {
	for _, other := range existing {
		if other.ID == self {
			continue
		}
		switch {
		case other.Name == ks.Name:
			return apiError("CustomKeyStoreNameInUseException", "The custom key store name %s is already in use.", ks.Name)
		case ks.CloudHsmClusterID != "" && other.CloudHsmClusterID == ks.CloudHsmClusterID:
			return apiError("CloudHsmClusterInUseException", "The CloudHSM cluster %s is already associated with custom key store %s.", ks.CloudHsmClusterID, other.ID)
		case ks.XksUriEndpoint != "" && other.XksUriEndpoint == ks.XksUriEndpoint && other.XksUriPath == ks.XksUriPath:
			return apiError("XksProxyUriInUseException", "The external key store proxy URI %s%s is already in use.", ks.XksUriEndpoint, ks.XksUriPath)
		}
	}
	return nil
}
