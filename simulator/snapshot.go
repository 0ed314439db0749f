package simulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Snapshot is a read-only view of a simulator's state for tools beside it: its keys with their
// aliases, tags, key policies, grants and rotation history. It holds no key material or secrets.
type Snapshot struct {
	// Seeded names the world the state was seeded from.
	Seeded string        `json:"seeded,omitempty"`
	Keys   []SnapshotKey `json:"keys"`
}

// SnapshotKey is one key of a Snapshot.
type SnapshotKey struct {
	Account      string            `json:"account"`
	Region       string            `json:"region"`
	ID           string            `json:"id"`
	ARN          string            `json:"arn"`
	Spec         string            `json:"spec"`
	Usage        string            `json:"usage"`
	State        string            `json:"state"`
	Origin       string            `json:"origin"`
	Description  string            `json:"description"`
	CreationDate time.Time         `json:"creationDate"`
	DeletionDate time.Time         `json:"deletionDate,omitzero"`
	MultiRegion  bool              `json:"multiRegion,omitempty"`
	Aliases      []string          `json:"aliases,omitempty"` // sorted
	Tags         map[string]string `json:"tags,omitempty"`
	Policy       string            `json:"policy"`
	// RotationPeriodInDays > 0 means automatic rotation is enabled.
	RotationPeriodInDays int32              `json:"rotationPeriodInDays,omitempty"`
	NextRotationDate     time.Time          `json:"nextRotationDate,omitzero"`
	Grants               []SnapshotGrant    `json:"grants,omitempty"`    // by creation date, then id
	Rotations            []SnapshotRotation `json:"rotations,omitempty"` // oldest first
}

// SnapshotGrant is one grant on a key, with its constraints; its grant tokens are left out.
type SnapshotGrant struct {
	ID                      string            `json:"id"`
	Name                    string            `json:"name,omitempty"`
	GranteePrincipal        string            `json:"granteePrincipal"`
	RetiringPrincipal       string            `json:"retiringPrincipal,omitempty"`
	IssuingAccount          string            `json:"issuingAccount"`
	Operations              []string          `json:"operations"`
	EncryptionContextEquals map[string]string `json:"encryptionContextEquals,omitempty"`
	EncryptionContextSubset map[string]string `json:"encryptionContextSubset,omitempty"`
	CreationDate            time.Time         `json:"creationDate"`
}

// SnapshotRotation is one completed rotation, as ListKeyRotations reports it: when, how
// (AUTOMATIC or ON_DEMAND), and the key material it made current (empty where AWS names none).
type SnapshotRotation struct {
	RotationDate  time.Time `json:"rotationDate"`
	RotationType  string    `json:"rotationType"`
	KeyMaterialID string    `json:"keyMaterialId,omitempty"`
}

// Snapshot returns the server's current state.
func (s *Server) Snapshot() *Snapshot {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return s.state.snapshot(s.seal)
}

// ReadState reads the state a simulator keeps in dir without opening it for a server: it replays
// the journal and changes nothing. Key material ids the journal does not name are derived when
// dir's master key is readable, and left empty otherwise. It returns nil without an error when dir
// holds no state yet.
func ReadState(dir string) (*Snapshot, error) {
	data, err := os.ReadFile(filepath.Join(dir, "state.journal"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	st := &state{keys: map[string]*keyRecord{}, aliases: map[string]*aliasRecord{}, sessions: map[string]*sessionRecord{}, grants: map[string]*grantRecord{}, stores: map[string]*storeRecord{}, imports: map[string]*importParams{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e journalEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue // a torn last line, or a line being written
		}
		st.apply(&e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var seal *sealer
	if key, err := os.ReadFile(filepath.Join(dir, "master.key")); err == nil && len(key) == 32 {
		seal, _ = newSealer(key)
	}
	return st.snapshot(seal), nil
}

// snapshot describes the state; seal, when not nil, derives the material ids the records do not
// name. Callers hold st.mu.
func (st *state) snapshot(seal *sealer) *Snapshot {
	out := &Snapshot{Seeded: st.seeded, Keys: []SnapshotKey{}}
	grants := map[string][]SnapshotGrant{}
	for _, g := range st.grants {
		grants[g.KeyARN] = append(grants[g.KeyARN], SnapshotGrant{ID: g.ID, Name: g.Name, GranteePrincipal: g.GranteePrincipal,
			RetiringPrincipal: g.RetiringPrincipal, IssuingAccount: g.IssuingAccount, Operations: g.Operations,
			EncryptionContextEquals: g.EncryptionContextEquals, EncryptionContextSubset: g.EncryptionContextSubset,
			CreationDate: g.CreationDate})
	}
	for _, id := range sortedKeys(st.keys) {
		k := st.keys[id]
		sk := SnapshotKey{Account: k.Account, Region: k.Region, ID: k.ID, ARN: k.ARN(), Spec: k.Spec, Usage: k.Usage,
			State: k.State, Origin: k.Origin, Description: k.Description, CreationDate: k.CreationDate,
			DeletionDate: k.DeletionDate, MultiRegion: k.MultiRegion, Tags: k.Tags, Policy: k.Policy,
			RotationPeriodInDays: k.RotationPeriodInDays, NextRotationDate: k.NextRotationDate}
		for _, a := range st.aliasesOf(k) {
			sk.Aliases = append(sk.Aliases, a.Name)
		}
		gs := grants[sk.ARN]
		sort.Slice(gs, func(i, j int) bool {
			if !gs[i].CreationDate.Equal(gs[j].CreationDate) {
				return gs[i].CreationDate.Before(gs[j].CreationDate)
			}
			return gs[i].ID < gs[j].ID
		})
		sk.Grants = gs
		for i, r := range k.Rotations {
			sr := SnapshotRotation{RotationDate: r.RotationDate, RotationType: r.RotationType}
			if reportsMaterialIDs(k) {
				sr.KeyMaterialID = snapshotMaterialID(k, i+1, seal)
			}
			sk.Rotations = append(sk.Rotations, sr)
		}
		out.Keys = append(out.Keys, sk)
	}
	return out
}

// snapshotMaterialID is the id of k's material version i (0-based): the one recorded or, with
// seal, derived from the material; "" when neither is possible.
func snapshotMaterialID(k *keyRecord, i int, seal *sealer) string {
	if i < len(k.MaterialIDs) && k.MaterialIDs[i] != "" {
		return k.MaterialIDs[i]
	}
	if seal == nil || i >= len(k.Material) || k.Material[i] == nil {
		return ""
	}
	material, err := seal.open(k.Material[i])
	if err != nil {
		return ""
	}
	return materialID(k.ID, material)
}
