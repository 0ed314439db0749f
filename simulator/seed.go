package simulator

import (
	"fmt"
	"strings"
	"time"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/simulator/keyspec"
)

// seed creates the world's keys, aliases and grants the first time a data directory is used.
func (s *Server) seed() error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if s.state.seeded != "" {
		return nil
	}
	now := s.cfg.Now().Add(s.state.clockOffset).UTC()
	var entries []journalEntry
	for _, wk := range s.cfg.World.Keys {
		k := &keyRecord{
			ID: wk.ID, Account: wk.Account, Region: orDefault(wk.Region, "us-east-1"),
			Spec: orDefault(wk.Spec, "SYMMETRIC_DEFAULT"), Usage: orDefault(wk.Usage, "ENCRYPT_DECRYPT"),
			Origin: "AWS_KMS", Description: wk.Description, State: orDefault(wk.State, stateEnabled),
			Policy: string(wk.Policy), Tags: wk.Tags, CreationDate: now,
			MultiRegion: strings.HasPrefix(wk.ID, "mrk-"),
		}
		if k.MultiRegion {
			k.PrimaryRegion = k.Region
		}
		if wk.CreationDate != "" {
			if t, err := time.Parse(time.RFC3339, wk.CreationDate); err == nil {
				k.CreationDate = t.UTC()
			}
		}
		if k.Policy == "" {
			k.Policy = worldview.DefaultKeyPolicy(k.Account)
		}
		if k.State == statePendingDeletion {
			k.PendingWindowInDays = 30
			k.DeletionDate = now.AddDate(0, 0, 30)
		}
		material, err := keyspec.Generate(keyspec.Spec(k.Spec))
		if err != nil {
			return fmt.Errorf("world key %s: %w", k.ID, err)
		}
		k.Material = [][]byte{s.seal.seal(material)}
		entries = append(entries, journalEntry{Key: k})
		for _, name := range wk.Aliases {
			entries = append(entries, journalEntry{Alias: &aliasRecord{Name: name, Account: k.Account, Region: k.Region, TargetKeyID: k.ID, CreationDate: now, LastUpdated: now}})
		}
		for j, g := range worldview.Grants(s.cfg.World, &wk) {
			entries = append(entries, journalEntry{Grant: seedGrant(k, g, wk.Grants[j].CreationDate, now)})
		}
	}
	entries = append(entries, journalEntry{TrackingStart: &now}, journalEntry{Seeded: orDefault(s.cfg.World.Name, "world")})
	return s.state.commit(entries...)
}

// seedGrant is the grant record of world grant g on key k: issued by the key's account, created
// at creationDate (RFC 3339) or, when it has none, at now.
func seedGrant(k *keyRecord, g evaluator.Grant, creationDate string, now time.Time) *grantRecord {
	created := now
	if t, err := time.Parse(time.RFC3339, creationDate); err == nil {
		created = t.UTC()
	}
	return &grantRecord{ID: g.ID, Name: g.Name, KeyID: k.ID, KeyARN: k.ARN(), IssuingAccount: "arn:aws:iam::" + k.Account + ":root",
		GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal, Operations: g.Operations,
		EncryptionContextEquals: g.EncryptionContextEquals, EncryptionContextSubset: g.EncryptionContextSubset,
		CreationDate: created, Tokens: []string{}}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
