package common

import (
	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/evaluator/lint"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/simulator"
	"github.com/kmsim/kmsim/trail"
)

// Key is one key as the keys and key detail views show it: a key of the world or, with TrailOnly,
// a key the trail names that the world does not hold (only its account, Region and id are known).
type Key struct {
	*fixtures.Key
	ARN         string
	AccountName string
	TrailOnly   bool
	// Events is how many events of the trail name the key; LastEvent is the time of the latest.
	Events    int
	LastEvent string
	// Live is the key in the simulator's state (origin, dates, rotation), nil when no state holds it.
	Live *simulator.SnapshotKey
}

// Alias is the key's first alias, or "" when it has none.
func (k Key) Alias() string {
	if len(k.Aliases) == 0 {
		return ""
	}
	return k.Aliases[0]
}

// Policy is a key's policy as JSON and as the Rego module kmsim evaluates, with the key as it
// stood when the policy was read (its state, grants and rotations may have changed since it was listed).
type Policy struct {
	JSON string
	Rego string
	Key  Key
}

// Explanation is a decided request with the text `kmsim simulate` prints for it.
type Explanation struct {
	Effect  string // allowed, explicitDeny, implicitDeny
	Message string
	Text    string
	// KeyPolicy is the key policy decided with; Matched are the indexes of its statements that
	// matched, with their effects ("Allow" or "Deny").
	KeyPolicy []byte
	Matched   map[int]string
}

// ExplainRequest is the question the explain view asks.
type ExplainRequest struct {
	Principal string
	Action    string
	Key       Key
	Context   []string // KEY=VALUE
}

// Findings are the lint findings on the world's key policies and, when a trail exists, its detections.
type Findings struct {
	Lint       []lint.Finding
	Detections []trail.Finding
	// Keys are the keys the lint findings name, by their File.
	Keys map[string]Key
	// TrailNote says why detections are absent (no trail, or they failed); empty when they ran.
	TrailNote string
}

// PrincipalInfo is what the principal view shows of one principal, apart from its recent calls.
type PrincipalInfo struct {
	ARN  string
	Kind string // analysis.KindUser, KindRole, KindAccount, KindService, KindAnyone
	Note string
	// Policies are the ids of its identity-based policies (a managed policy's ARN, "user/NAME/inline/POLICY").
	Policies []string
	Groups   []string
	Boundary string
	// Can lists the keys and key actions it can use.
	Can []analysis.Capability
}

// DryRun is what a proposed key policy would change: who gains or loses access and, when a trail
// exists, which recorded calls would now be decided otherwise.
type DryRun struct {
	Changes []analysis.Change
	Replay  *analysis.ReplayReport
	// ReplayNote says why Replay is absent (no trail), or is empty.
	ReplayNote string
}

// SavePlan is who can save a proposed key policy and where the call goes.
type SavePlan struct {
	// Actors are the principals with credentials that may call PutKeyPolicy on the key now: first
	// those the proposal keeps able to, then the LockedOut last ones it would lock out (the
	// simulator's lockout safety check refuses the call for them).
	Actors    []string
	LockedOut int
	// Via names where PutKeyPolicy goes: a running server or a simulator started on the data directory.
	Via string
}

// SaveResult is AWS's answer to a PutKeyPolicy: saved, or the exception's code and message.
type SaveResult struct {
	Actor, Via    string
	Saved         bool
	Code, Message string
}
