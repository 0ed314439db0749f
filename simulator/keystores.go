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
