package simulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Key states, as DescribeKey reports them.
const (
	stateEnabled         = "Enabled"
	stateDisabled        = "Disabled"
	statePendingDeletion = "PendingDeletion"
	statePendingImport   = "PendingImport"
	stateUnavailable     = "Unavailable"
	// statePendingReplicaDeletion is a multi-Region primary key scheduled for deletion while it still has replicas.
	statePendingReplicaDeletion = "PendingReplicaDeletion"
)

// keyRecord is one KMS key as the simulator keeps it. Material holds the
// backing-key versions (newest last), each sealed under the data directory's master key.
type keyRecord struct {
	ID                  string            `json:"id"`
	Account             string            `json:"account"`
	Region              string            `json:"region"`
	Spec                string            `json:"spec"`
	Usage               string            `json:"usage"`
	Origin              string            `json:"origin"`
	Description         string            `json:"description"`
	State               string            `json:"state"`
	Policy              string            `json:"policy"`
	Tags                map[string]string `json:"tags,omitempty"`
	CreationDate        time.Time         `json:"creationDate"`
	DeletionDate        time.Time         `json:"deletionDate,omitzero"`
	PendingWindowInDays int32             `json:"pendingWindowInDays,omitempty"`
	MultiRegion         bool              `json:"multiRegion,omitempty"`
	// PrimaryRegion is the Region of a multi-Region key's primary (its own Region for the primary).
	PrimaryRegion string `json:"primaryRegion,omitempty"`
	// Material holds the backing-key versions, oldest first; rotation appends.
	Material [][]byte `json:"material"`
	// RotationPeriodInDays > 0 means automatic rotation is enabled.
	RotationPeriodInDays int32            `json:"rotationPeriodInDays,omitempty"`
	NextRotationDate     time.Time        `json:"nextRotationDate,omitzero"`
	Rotations            []rotationRecord `json:"rotations,omitempty"`
	// MaterialIDs names each Material version (its KeyMaterialId), parallel to Material; versions
	// stored without one have theirs derived from the material (see materialIDs).
	MaterialIDs []string `json:"materialIds,omitempty"`
	// Imports describes each version of imported material (Origin EXTERNAL), parallel to Material.
	// Deleted or expired imported material leaves a nil Material entry until it is imported again.
	Imports []importRecord `json:"imports,omitempty"`
	// Pending is new imported material waiting for RotateKeyOnDemand to make it current.
	Pending *pendingMaterial `json:"pending,omitempty"`
	// CustomKeyStoreID names the custom key store holding the key, if any.
	CustomKeyStoreID string `json:"customKeyStoreId,omitempty"`
	// XksKeyID names the key in an external key manager behind an external key store.
	XksKeyID string `json:"xksKeyId,omitempty"`
}

// rotationRecord is one completed rotation, as ListKeyRotations reports it.
type rotationRecord struct {
	RotationDate time.Time `json:"rotationDate"`
	RotationType string    `json:"rotationType"` // AUTOMATIC or ON_DEMAND
}

// keyIndex names a key in the state: key ids are unique per Region (a multi-Region key's
// replicas share its id).
func keyIndex(region, id string) string { return region + "/" + id }

func (k *keyRecord) index() string { return keyIndex(k.Region, k.ID) }

// ARN is the key's ARN.
func (k *keyRecord) ARN() string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", partition(k.Region), k.Region, k.Account, k.ID)
}

// aliasRecord is one alias, unique per account and region.
type aliasRecord struct {
	Name         string    `json:"name"`
	Account      string    `json:"account"`
	Region       string    `json:"region"`
	TargetKeyID  string    `json:"targetKeyId"`
	CreationDate time.Time `json:"creationDate"`
	LastUpdated  time.Time `json:"lastUpdated"`
}

// ARN is the alias's ARN.
func (a *aliasRecord) ARN() string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:%s", partition(a.Region), a.Region, a.Account, a.Name)
}

// sessionRecord is a role session minted by AssumeRole.
type sessionRecord struct {
	AccessKeyID  string    `json:"accessKeyId"`
	Secret       []byte    `json:"secret"` // sealed under the master key
	SessionToken string    `json:"sessionToken"`
	RoleARN      string    `json:"roleArn"`
	SessionName  string    `json:"sessionName"`
	Policy       string    `json:"policy,omitempty"` // session policy passed to AssumeRole
	Created      time.Time `json:"created"`
	Expiration   time.Time `json:"expiration"`
}

// journalEntry is one line of the state journal: a whole record put, or an alias removed.
type journalEntry struct {
	Key          *keyRecord     `json:"key,omitempty"`
	Alias        *aliasRecord   `json:"alias,omitempty"`
	DeleteAlias  string         `json:"deleteAlias,omitempty"` // account/region/name
	Session      *sessionRecord `json:"session,omitempty"`
	Grant        *grantRecord   `json:"grant,omitempty"`
	Store        *storeRecord   `json:"store,omitempty"`
	Import       *importParams  `json:"import,omitempty"`
	DeleteImport string         `json:"deleteImport,omitempty"` // an import token used up
	DeleteStore  string         `json:"deleteStore,omitempty"`  // custom key store id
	DeleteGrant  string         `json:"deleteGrant,omitempty"`  // grant id retired or revoked
	Seeded       string         `json:"seeded,omitempty"`       // world name the state was seeded from
	// TrackingStart is when the data directory began recording key use (GetKeyLastUsage).
	TrackingStart *time.Time     `json:"trackingStart,omitempty"`
	DeleteKey     string         `json:"deleteKey,omitempty"`   // keyIndex of a key whose waiting period ended
	ClockOffset   *time.Duration `json:"clockOffset,omitempty"` // the simulated clock's offset from the base clock
}

// state is the simulator's mutable world: keys, aliases and sessions. Every
// mutation is appended to the journal before the call that made it is
// acknowledged, so a killed server loses nothing it answered.
type state struct {
	mu       sync.RWMutex
	keys     map[string]*keyRecord   // by keyIndex(region, id)
	aliases  map[string]*aliasRecord // by account/region/name
	sessions map[string]*sessionRecord
	grants   map[string]*grantRecord  // by grant id
	stores   map[string]*storeRecord  // custom key stores by id
	imports  map[string]*importParams // open GetParametersForImport answers by token
	seeded   string
	// trackingStart is when this data directory began recording key use.
	trackingStart time.Time
	// clockOffset is how far the simulated clock is ahead of the base clock.
	clockOffset time.Duration
	journal     *os.File
}

func aliasKey(account, region, name string) string { return account + "/" + region + "/" + name }

// openState loads the journal in dir (if any), compacts it and keeps it open for appends.
// An empty dir gives an empty in-memory state without a journal.
func openState(dir string) (*state, error) {
	st := &state{keys: map[string]*keyRecord{}, aliases: map[string]*aliasRecord{}, sessions: map[string]*sessionRecord{}, grants: map[string]*grantRecord{}, stores: map[string]*storeRecord{}, imports: map[string]*importParams{}}
	if dir == "" {
		return st, nil
	}
	path := filepath.Join(dir, "state.journal")
	if data, err := os.ReadFile(path); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			var e journalEntry
			if json.Unmarshal(sc.Bytes(), &e) != nil {
				continue // a torn last line from a crash mid-write
			}
			st.apply(&e)
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	if err := st.compact(path); err != nil {
		return nil, err
	}
	return st, nil
}

// compact rewrites the journal as one entry per live record and reopens it for appends.
func (st *state) compact(path string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	var entries []journalEntry
	if st.seeded != "" {
		entries = append(entries, journalEntry{Seeded: st.seeded})
	}
	if !st.trackingStart.IsZero() {
		start := st.trackingStart
		entries = append(entries, journalEntry{TrackingStart: &start})
	}
	if st.clockOffset != 0 {
		offset := st.clockOffset
		entries = append(entries, journalEntry{ClockOffset: &offset})
	}
	for _, id := range sortedKeys(st.keys) {
		entries = append(entries, journalEntry{Key: st.keys[id]})
	}
	for _, id := range sortedKeys(st.aliases) {
		entries = append(entries, journalEntry{Alias: st.aliases[id]})
	}
	for _, id := range sortedKeys(st.sessions) {
		entries = append(entries, journalEntry{Session: st.sessions[id]})
	}
	for _, id := range sortedKeys(st.grants) {
		entries = append(entries, journalEntry{Grant: st.grants[id]})
	}
	for _, id := range sortedKeys(st.stores) {
		entries = append(entries, journalEntry{Store: st.stores[id]})
	}
	for _, id := range sortedKeys(st.imports) {
		entries = append(entries, journalEntry{Import: st.imports[id]})
	}
	for i := range entries {
		if err := enc.Encode(&entries[i]); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	st.journal, err = os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	return err
}

func (st *state) apply(e *journalEntry) {
	switch {
	case e.Key != nil:
		st.keys[e.Key.index()] = e.Key
	case e.Alias != nil:
		st.aliases[aliasKey(e.Alias.Account, e.Alias.Region, e.Alias.Name)] = e.Alias
	case e.DeleteAlias != "":
		delete(st.aliases, e.DeleteAlias)
	case e.Session != nil:
		st.sessions[e.Session.AccessKeyID] = e.Session
	case e.Grant != nil:
		st.grants[e.Grant.ID] = e.Grant
	case e.Import != nil:
		st.imports[e.Import.Token] = e.Import
	case e.DeleteImport != "":
		delete(st.imports, e.DeleteImport)
	case e.Store != nil:
		st.stores[e.Store.ID] = e.Store
	case e.DeleteStore != "":
		delete(st.stores, e.DeleteStore)
	case e.DeleteGrant != "":
		delete(st.grants, e.DeleteGrant)
	case e.Seeded != "":
		st.seeded = e.Seeded
	case e.TrackingStart != nil:
		st.trackingStart = *e.TrackingStart
	case e.DeleteKey != "":
		k, ok := st.keys[e.DeleteKey]
		if !ok {
			break
		}
		delete(st.keys, e.DeleteKey)
		for id, g := range st.grants {
			if g.KeyARN == k.ARN() {
				delete(st.grants, id)
			}
		}
		for id, a := range st.aliases {
			if a.Region == k.Region && a.TargetKeyID == k.ID {
				delete(st.aliases, id)
			}
		}
	case e.ClockOffset != nil:
		st.clockOffset = *e.ClockOffset
	}
}

// commit applies entries and appends them to the journal in one write. Callers hold st.mu.
func (st *state) commit(entries ...journalEntry) error {
	if st.journal != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for i := range entries {
			if err := enc.Encode(&entries[i]); err != nil {
				return err
			}
		}
		if _, err := st.journal.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("state journal: %w", err)
		}
	}
	for i := range entries {
		st.apply(&entries[i])
	}
	return nil
}

func (st *state) close() error {
	if st.journal == nil {
		return nil
	}
	return st.journal.Close()
}

// putKey stores a copy of k.
func (st *state) putKey(k *keyRecord) error {
	c := *k
	return st.commit(journalEntry{Key: &c})
}

// maxKeysPerRegion is the "AWS KMS keys" resource quota: customer managed keys per account and Region.
const maxKeysPerRegion = 100000

// countKeys counts an account's keys in a Region. Callers hold st.mu.
func (st *state) countKeys(account, region string) int {
	n := 0
	for _, k := range st.keys {
		if k.Account == account && k.Region == region {
			n++
		}
	}
	return n
}

// aliasesOf lists the alias records pointing at k, sorted by name. Callers hold st.mu.
func (st *state) aliasesOf(k *keyRecord) []*aliasRecord {
	var out []*aliasRecord
	for _, a := range st.aliases {
		if a.Region == k.Region && a.TargetKeyID == k.ID {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// partition is the ARN partition of a region.
func partition(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "aws-cn"
	}
	if strings.HasPrefix(region, "us-gov-") {
		return "aws-us-gov"
	}
	return "aws"
}
