package simulator

import (
	"regexp"
	"sort"
	"time"
)

// Multi-Region keys: a primary key and its replicas share an id (mrk-…) and key material, one
// key per Region. Rotating the primary synchronizes the replicas; the primary is deleted only
// after its replicas (PendingReplicaDeletion until then).

// Multi-Region key types.
const (
	multiRegionPrimary = "PRIMARY"
	multiRegionReplica = "REPLICA"
)

var regionPattern = regexp.MustCompile(`^([a-z]+-){2,3}\d+$`)

// MultiRegionKey names one key of a multi-Region key set.
type MultiRegionKey struct {
	Arn    string `json:"Arn"`
	Region string `json:"Region"`
}

// MultiRegionConfiguration describes a multi-Region key's place in its set.
type MultiRegionConfiguration struct {
	MultiRegionKeyType string           `json:"MultiRegionKeyType"`
	PrimaryKey         *MultiRegionKey  `json:"PrimaryKey"`
	ReplicaKeys        []MultiRegionKey `json:"ReplicaKeys"`
}

// relatedKeys lists every key of k's multi-Region set, sorted by Region. Callers hold the state lock.
func (st *state) relatedKeys(k *keyRecord) []*keyRecord {
	var out []*keyRecord
	for _, other := range st.keys {
		if other.ID == k.ID && other.Account == k.Account && other.MultiRegion {
			out = append(out, other)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out
}

// replicasOf lists the replicas of a primary key. Callers hold the state lock.
func (st *state) replicasOf(k *keyRecord) []*keyRecord {
	var out []*keyRecord
	for _, other := range st.relatedKeys(k) {
		if other.Region != k.PrimaryRegion {
			out = append(out, other)
		}
	}
	return out
}

// multiRegionConfiguration describes k's multi-Region set, nil for single-Region keys.
func (s *Server) multiRegionConfiguration(k *keyRecord) *MultiRegionConfiguration {
	if !k.MultiRegion {
		return nil
	}
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	cfg := &MultiRegionConfiguration{MultiRegionKeyType: multiRegionReplica, ReplicaKeys: []MultiRegionKey{}}
	if k.Region == k.PrimaryRegion {
		cfg.MultiRegionKeyType = multiRegionPrimary
	}
	for _, other := range s.state.relatedKeys(k) {
		entry := MultiRegionKey{Arn: other.ARN(), Region: other.Region}
		if other.Region == k.PrimaryRegion {
			cfg.PrimaryKey = &entry
		} else {
			cfg.ReplicaKeys = append(cfg.ReplicaKeys, entry)
		}
	}
	return cfg
}

// describe is a key's metadata with its multi-Region configuration and custom key store.
func (s *Server) describe(k *keyRecord) *KeyMetadata {
	m := keyMetadata(k)
	m.MultiRegionConfiguration = s.multiRegionConfiguration(k)
	if k.State != "Creating" {
		m.CurrentKeyMaterialId = s.currentMaterialID(k)
	}
	if k.CustomKeyStoreID != "" {
		m.CustomKeyStoreId = k.CustomKeyStoreID
		s.state.mu.RLock()
		if ks, ok := s.state.stores[k.CustomKeyStoreID]; ok {
			m.CloudHsmClusterId = ks.CloudHsmClusterID
		}
		s.state.mu.RUnlock()
		if k.XksKeyID != "" {
			m.XksKeyConfiguration = &XksKeyConfiguration{Id: k.XksKeyID}
		}
	}
	return m
}

// syncReplicas copies a primary key's material and rotation history to its replicas, each with
// a SynchronizeMultiRegionKey event in the replica's Region. Callers hold the state lock.
func (s *Server) syncReplicas(primary *keyRecord, at time.Time) error {
	if !primary.MultiRegion || primary.Region != primary.PrimaryRegion {
		return nil
	}
	for _, replica := range s.state.replicasOf(primary) {
		updated := *replica
		updated.Material, updated.MaterialIDs, updated.Rotations = primary.Material, primary.MaterialIDs, primary.Rotations
		if err := s.state.putKey(&updated); err != nil {
			return err
		}
		s.recordInternalCall("SynchronizeMultiRegionKey", &updated, at)
	}
	return nil
}
