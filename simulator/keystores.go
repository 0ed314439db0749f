package simulator

import (
	"fmt"
	"sort"
	"time"
)

// Custom key store types and connection states.
const (
	storeCloudHSM         = "AWS_CLOUDHSM"
	storeExternal         = "EXTERNAL_KEY_STORE"
	storeConnected        = "CONNECTED"
	storeDisconnected     = "DISCONNECTED"
	maxCustomKeyStores    = 10 // custom key stores per account and Region
	cloudHSMClusterIDRule = `cluster-[2-7a-zA-Z]{11,16}`
)

// storeRecord is a custom key store. Its backing cluster or proxy is simulated: connecting
// always succeeds, and keys in the store are usable only while it is connected.
type storeRecord struct {
	ID                     string    `json:"id"`
	Name                   string    `json:"name"`
	Account                string    `json:"account"`
	Region                 string    `json:"region"`
	Type                   string    `json:"type"`
	ConnectionState        string    `json:"connectionState"`
	CreationDate           time.Time `json:"creationDate"`
	CloudHsmClusterID      string    `json:"cloudHsmClusterId,omitempty"`
	TrustAnchorCertificate string    `json:"trustAnchorCertificate,omitempty"`
	XksUriEndpoint         string    `json:"xksUriEndpoint,omitempty"`
	XksUriPath             string    `json:"xksUriPath,omitempty"`
	XksConnectivity        string    `json:"xksConnectivity,omitempty"`
	XksAccessKeyID         string    `json:"xksAccessKeyId,omitempty"`
	XksVpcEndpointService  string    `json:"xksVpcEndpointService,omitempty"`
	XksVpcEndpointOwner    string    `json:"xksVpcEndpointOwner,omitempty"`
}

func newStoreID() string { return fmt.Sprintf("cks-%x", randomBytes(9))[:21] }

// storesOf lists the custom key stores of an account and region, sorted by id. Callers hold the state lock.
func (st *state) storesOf(account, region string) []*storeRecord {
	var out []*storeRecord
	for _, ks := range st.stores {
		if ks.Account == account && ks.Region == region {
			out = append(out, ks)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// findStore returns the caller's custom key store with id, or CustomKeyStoreNotFoundException.
// Callers hold the state lock.
func (st *state) findStore(c *call, id string) (*storeRecord, error) {
	ks, ok := st.stores[id]
	if !ok || ks.Account != c.caller.principal.Account || ks.Region != c.region {
		return nil, apiError("CustomKeyStoreNotFoundException", "Custom key store %s does not exist.", id)
	}
	return ks, nil
}

// storeTrailDetails is the additionalEventData CloudTrail records for custom key store calls.
func storeTrailDetails(ks *storeRecord) map[string]any {
	d := map[string]any{"customKeyStoreName": ks.Name}
	if ks.Type == storeCloudHSM {
		d["clusterId"] = ks.CloudHsmClusterID
	} else {
		d["customKeyStoreType"] = ks.Type
		d["xksProxyUriEndpoint"] = ks.XksUriEndpoint
	}
	return d
}

// storeForNewKey checks CreateKey's custom key store members: a key in a custom key store needs a
// connected store of the matching type (Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE), is a
// symmetric encryption key, and for an external key store names its external key (XksKeyId).
// It returns nil for keys outside custom key stores.
func (s *Server) storeForNewKey(c *call, in *CreateKeyInput) (*storeRecord, error) {
	inStore := in.Origin == "AWS_CLOUDHSM" || in.Origin == "EXTERNAL_KEY_STORE"
	switch {
	case !inStore && in.CustomKeyStoreId == "":
		return nil, nil
	case !inStore:
		return nil, errValidation("Origin must be AWS_CLOUDHSM or EXTERNAL_KEY_STORE when CustomKeyStoreId is specified.")
	case in.CustomKeyStoreId == "":
		return nil, errValidation("CustomKeyStoreId is required when Origin is %s.", in.Origin)
	case in.KeySpec != "SYMMETRIC_DEFAULT":
		return nil, apiError("UnsupportedOperationException", "KeySpec %s is not supported for KMS keys in a custom key store.", in.KeySpec)
	}
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	ks, err := s.state.findStore(c, in.CustomKeyStoreId)
	if err != nil {
		return nil, err
	}
	wantOrigin := map[string]string{storeCloudHSM: "AWS_CLOUDHSM", storeExternal: "EXTERNAL_KEY_STORE"}[ks.Type]
	if in.Origin != wantOrigin {
		return nil, errValidation("Origin %s does not match custom key store %s of type %s.", in.Origin, ks.ID, ks.Type)
	}
	if ks.Type == storeExternal && in.XksKeyId == "" {
		return nil, errValidation("XksKeyId is required for a KMS key in an external key store.")
	}
	if ks.ConnectionState != storeConnected {
		return nil, apiError("CustomKeyStoreInvalidStateException", "Custom key store %s is not connected. Its connection state is %s.", ks.ID, ks.ConnectionState)
	}
	return ks, nil
}

// effectiveState is a key's state as callers see it: a key in a custom key store that is not
// connected is Unavailable, whatever its stored state (PendingDeletion stays visible).
// Callers hold the state lock.
func (st *state) effectiveState(k *keyRecord) string {
	if k.CustomKeyStoreID == "" || (k.State != stateEnabled && k.State != stateDisabled) {
		return k.State
	}
	if ks, ok := st.stores[k.CustomKeyStoreID]; ok && ks.ConnectionState == storeConnected {
		return k.State
	}
	return stateUnavailable
}
