package simulator

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/kmsim/kmsim/trail"
)

// The simulated clock is the base clock (Config.Now, normally the wall clock) plus an offset
// that only moves forward. Advancing it runs what AWS KMS would have done in the meantime:
// keys whose waiting period ended are deleted, keys due for automatic rotation are rotated,
// each with its internal CloudTrail event. The offset is journaled, so it survives restarts.

// Now returns the simulated time.
func (s *Server) Now() time.Time {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	return s.cfg.Now().Add(s.state.clockOffset).UTC()
}

// Advance moves the simulated clock forward by d and runs what became due.
func (s *Server) Advance(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return errors.New("the simulated clock only moves forward")
	}
	s.state.mu.Lock()
	offset := s.state.clockOffset + d
	err := s.state.commit(journalEntry{ClockOffset: &offset})
	s.state.mu.Unlock()
	if err != nil {
		return err
	}
	return s.RunDue(ctx)
}

// Set moves the simulated clock forward to t.
func (s *Server) Set(ctx context.Context, t time.Time) error {
	now := s.Now()
	if t.Before(now) {
		return errors.New("the simulated clock only moves forward: " + t.UTC().Format(time.RFC3339) + " is before " + now.Format(time.RFC3339))
	}
	return s.Advance(ctx, t.Sub(now))
}

// RunDue performs the deletions and automatic rotations whose time has come, in time order.
func (s *Server) RunDue(context.Context) error {
	now := s.Now()
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	for _, id := range sortedKeys(s.state.keys) {
		k := s.state.keys[id]
		if k.State == statePendingDeletion && !k.DeletionDate.After(now) {
			if err := s.state.commit(journalEntry{DeleteKey: k.index()}); err != nil {
				return err
			}
			s.recordServiceEvent("DeleteKey", k, k.DeletionDate, nil)
			continue
		}
		if k.State == statePendingReplicaDeletion && len(s.state.replicasOf(k)) == 0 {
			// The last replica is gone: the primary's own waiting period begins.
			waiting := *k
			waiting.State, waiting.DeletionDate = statePendingDeletion, now.AddDate(0, 0, int(k.PendingWindowInDays))
			if err := s.state.putKey(&waiting); err != nil {
				return err
			}
			continue
		}
		if expired, changed := expireMaterial(k, now, s.recordServiceEvent); changed {
			if err := s.state.putKey(expired); err != nil {
				return err
			}
			continue
		}
		if k.RotationPeriodInDays == 0 || k.State != stateEnabled || k.NextRotationDate.IsZero() {
			continue
		}
		rotated := *k
		for !rotated.NextRotationDate.After(now) {
			at := rotated.NextRotationDate
			if err := s.rotate(&rotated, at, rotationAutomatic); err != nil {
				return err
			}
			rotated.NextRotationDate = at.AddDate(0, 0, int(rotated.RotationPeriodInDays))
			s.recordServiceEvent("RotateKey", &rotated, at, map[string]any{"rotationType": rotationAutomatic, "keyId": rotated.ID})
			if err := s.syncReplicas(&rotated, at); err != nil {
				return err
			}
		}
		if rotated.NextRotationDate != k.NextRotationDate {
			if err := s.state.putKey(&rotated); err != nil {
				return err
			}
		}
	}
	return nil
}

// recordServiceEvent writes an event AWS KMS itself initiates (eventType AwsServiceEvent).
func (s *Server) recordServiceEvent(name string, k *keyRecord, at time.Time, details map[string]any) {
	s.recordInternal(name, k, at, "AwsServiceEvent", func(rec *trail.Record) { rec.ServiceEventDetails = details })
}

// recordInternalCall writes an API call AWS KMS makes itself (eventType AwsApiCall, invoked by
// AWS Internal), as for SynchronizeMultiRegionKey.
func (s *Server) recordInternalCall(name string, k *keyRecord, at time.Time) {
	s.recordInternal(name, k, at, "AwsApiCall", func(rec *trail.Record) {
		rec.RequestID, rec.ResponseElements = uuid.NewString(), keyIDResponse(k)
	})
}

// recordInternal writes an event on k that AWS KMS initiated; fill adds what its type carries.
func (s *Server) recordInternal(name string, k *keyRecord, at time.Time, eventType string, fill func(*trail.Record)) {
	if s.cfg.Recorder == nil {
		return
	}
	rec := &trail.Record{
		EventVersion:       trailEventVersion,
		UserIdentity:       &trail.UserIdentity{AccountID: k.Account, InvokedBy: "AWS Internal"},
		EventTime:          at.UTC().Format(time.RFC3339),
		EventSource:        "kms.amazonaws.com",
		EventName:          name,
		AWSRegion:          k.Region,
		SourceIPAddress:    "AWS Internal",
		UserAgent:          "AWS Internal",
		EventID:            uuid.NewString(),
		Resources:          []trail.Resource{keyResource(k)},
		EventType:          eventType,
		ManagementEvent:    true,
		RecipientAccountID: k.Account,
		EventCategory:      "Management",
	}
	fill(rec)
	if err := s.cfg.Recorder.Write(rec); err != nil {
		s.log.Error("trail write failed", "eventID", rec.EventID, "err", err)
	}
}

// tick runs due work every interval until stop closes, so time passing on the base clock
// also deletes and rotates keys.
func (s *Server) tick(interval time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := s.RunDue(context.Background()); err != nil {
				s.log.Error("scheduled key work failed", "err", err)
			}
		case <-stop:
			return
		}
	}
}
