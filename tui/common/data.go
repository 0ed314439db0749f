package common

import (
	"github.com/kmsim/kmsim/evaluator/lint"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/trail"
)

// Key is one key of the world as the keys and key detail views show it.
type Key struct {
	*fixtures.Key
	ARN         string
	AccountName string
}

// Alias is the key's first alias, or "" when it has none.
func (k Key) Alias() string {
	if len(k.Aliases) == 0 {
		return ""
	}
	return k.Aliases[0]
}

// Policy is a key's policy as JSON and as the Rego module kmsim evaluates.
type Policy struct {
	JSON string
	Rego string
}

// Explanation is a decided request with the text `kmsim simulate` prints for it.
type Explanation struct {
	Effect  string // allowed, explicitDeny, implicitDeny
	Message string
	Text    string
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
	// TrailNote says why detections are absent (no trail, or a server holds it); empty when they ran.
	TrailNote string
}
