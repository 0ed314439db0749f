package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/tui/common"
)

func (s *worldService) analyzer() *analysis.Analyzer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.an == nil {
		s.an = analysis.New(s.world)
	}
	return s.an
}

// WhoCan lists who can perform action on k, with the ways they can, as `kmsim who-can` does.
func (s *worldService) WhoCan(ctx context.Context, k common.Key, action string) ([]analysis.Access, error) {
	s.sync(ctx)
	k = s.resolve(k)
	return s.analyzer().WhoCan(ctx, analysis.Query{Action: analysis.NormalizeAction(action), Key: k.Key})
}

// Principal describes the principal arn names: its identity policies, groups and boundary, and what
// it can do on which keys, as `kmsim can` does.
func (s *worldService) Principal(ctx context.Context, arn string) (common.PrincipalInfo, error) {
	s.sync(ctx)
	a := s.analyzer()
	sub, err := a.SubjectByARN(arn)
	if err != nil {
		return common.PrincipalInfo{}, err
	}
	info := common.PrincipalInfo{ARN: arn, Kind: sub.Kind, Note: sub.Note}
	w := s.current()
	for i := range w.Users {
		if u := &w.Users[i]; w.UserARN(u) == sub.ARN {
			for _, p := range w.UserPolicies(u) {
				info.Policies = append(info.Policies, p.ID)
			}
			info.Groups, info.Boundary = u.Groups, u.PermissionsBoundary
		}
	}
	for i := range w.Roles {
		if r := &w.Roles[i]; w.RoleARN(r) == sub.ARN {
			for _, p := range w.RolePolicies(r) {
				info.Policies = append(info.Policies, p.ID)
			}
			info.Boundary = r.PermissionsBoundary
		}
	}
	info.Can, err = a.Can(ctx, arn, nil)
	return info, err
}

// DryRun compares the key's current policy with doc, as `kmsim diff` does, and, when a trail
// exists, replays the recorded calls on the key under doc, as `kmsim replay` does. Nothing is saved.
func (s *worldService) DryRun(ctx context.Context, k common.Key, doc []byte) (common.DryRun, error) {
	var out common.DryRun
	if err := evaluator.CheckPolicy(doc, evaluator.KindKey); err != nil {
		return out, fmt.Errorf("proposed key policy: %w", err)
	}
	s.sync(ctx)
	k = s.resolve(k)
	a := s.analyzer()
	changes, err := a.Diff(ctx, analysis.DiffQuery{Key: k.Key, KeyPolicy: doc})
	if err != nil {
		return out, err
	}
	out.Changes = changes
	if _, err := os.Stat(filepath.Join(s.dataDir, "kmsim.duckdb")); errors.Is(err, os.ErrNotExist) && !s.Live() {
		out.ReplayNote = "no trail in " + s.dataDir + ": nothing to replay"
		return out, nil
	}
	rep, err := a.Replay(ctx, s.Query, analysis.ReplayQuery{Key: k.Key, KeyPolicy: doc})
	if err != nil {
		out.ReplayNote = "replay: " + err.Error()
		return out, nil
	}
	out.Replay = rep
	return out, nil
}
