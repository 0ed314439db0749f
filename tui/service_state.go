package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/simulator"
	"github.com/kmsim/kmsim/tui/common"
)

// current is the world the views read: the world file overlaid with the simulator's state.
func (s *worldService) current() *fixtures.World {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.world
}

// liveKey is the simulator's state of the key arn names, or nil.
func (s *worldService) liveKey(arn string) *simulator.SnapshotKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live[arn]
}

// readState reads the simulator's state in the data directory: through the server that holds it
// or, when none answers, from the directory itself. It is nil when the directory has no state yet.
func (s *worldService) readState(ctx context.Context) (*simulator.Snapshot, error) {
	if info, ok := serve.ReadServerInfo(s.dataDir); ok {
		if snap, err := serve.StateServer(ctx, info); err == nil {
			return snap, nil
		}
	}
	return simulator.ReadState(s.dataDir)
}

// sync reloads the simulator's state and, when it changed, rebuilds the world the views read and
// drops the analyses made on the previous one. Without state (or when it cannot be read) the
// views keep what they read last: at first, the world file.
func (s *worldService) sync(ctx context.Context) {
	snap, err := s.readState(ctx)
	if err != nil || snap == nil {
		return
	}
	sig, err := json.Marshal(snap)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytes.Equal(sig, s.stateSig) {
		return
	}
	s.world, s.live = overlay(s.base, snap)
	s.stateSig, s.an = sig, nil
}

// overlay is base with its keys replaced by the simulator's, merged by ARN: a key of the state
// as the simulator holds it, then the world's keys the state lacks (unless the state was seeded
// from this world, where a missing key was deleted). The other parts of base are shared.
func overlay(base *fixtures.World, snap *simulator.Snapshot) (*fixtures.World, map[string]*simulator.SnapshotKey) {
	w := *base
	w.Keys = nil
	live := map[string]*simulator.SnapshotKey{}
	for i := range snap.Keys {
		sk := &snap.Keys[i]
		live[sk.ARN] = sk
		w.Keys = append(w.Keys, stateKey(sk))
	}
	if snap.Seeded != base.Name {
		for i := range base.Keys {
			if live[base.KeyARN(&base.Keys[i])] == nil {
				w.Keys = append(w.Keys, base.Keys[i])
			}
		}
	}
	return &w, live
}

// stateKey is a key of the simulator's state as a world key, so that the analyses read it.
func stateKey(sk *simulator.SnapshotKey) fixtures.Key {
	k := fixtures.Key{Account: sk.Account, Region: sk.Region, ID: sk.ID, Spec: sk.Spec, Usage: sk.Usage,
		Description: sk.Description, State: sk.State, Aliases: sk.Aliases, Tags: sk.Tags,
		CreationDate: sk.CreationDate.UTC().Format(time.RFC3339)}
	var b bytes.Buffer
	if json.Compact(&b, []byte(sk.Policy)) == nil {
		k.Policy = fixtures.Document(b.Bytes())
	}
	for _, g := range sk.Grants {
		fg := fixtures.Grant{ID: g.ID, Name: g.Name, GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal,
			Operations: g.Operations, CreationDate: g.CreationDate.UTC().Format(time.RFC3339)}
		if len(g.EncryptionContextEquals) > 0 || len(g.EncryptionContextSubset) > 0 {
			fg.Constraints = &fixtures.GrantConstraints{EncryptionContextEquals: g.EncryptionContextEquals,
				EncryptionContextSubset: g.EncryptionContextSubset}
		}
		k.Grants = append(k.Grants, fg)
	}
	return k
}

// resolve is k as the current world holds it (by ARN): the key an earlier read returned may
// predate the simulator's latest state.
func (s *worldService) resolve(k common.Key) common.Key {
	w := s.current()
	for i := range w.Keys {
		fk := &w.Keys[i]
		if w.KeyARN(fk) != k.ARN {
			continue
		}
		ck := common.Key{Key: fk, ARN: k.ARN, Events: k.Events, LastEvent: k.LastEvent, Live: s.liveKey(k.ARN)}
		if a := w.Account(fk.Account); a != nil {
			ck.AccountName = a.Name
		}
		return ck
	}
	return k
}
