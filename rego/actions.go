package rego

import (
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// crossAccountActions is kmsim.authz's cross_account_actions, read from the module.
var crossAccountActions = func() map[string]bool {
	out := map[string]bool{}
	for _, r := range authzModule.Rules {
		if r.Head.Name.String() != "cross_account_actions" || r.Head.Value == nil {
			continue
		}
		if set, ok := r.Head.Value.Value.(ast.Set); ok {
			set.Foreach(func(t *ast.Term) {
				if s, ok := t.Value.(ast.String); ok {
					out[string(s)] = true
				}
			})
		}
	}
	if len(out) == 0 {
		panic("kmsim.authz has no cross_account_actions")
	}
	return out
}()

// CrossAccountUsable reports whether a principal of another account can use action on a
// resource: false for the KMS permissions the guide's permissions table does not mark
// "Cross-account use: Yes" (kmsim.authz's cross_account_actions), true for other services'
// actions.
func CrossAccountUsable(action string) bool {
	action = strings.ToLower(action)
	return !strings.HasPrefix(action, "kms:") || crossAccountActions[action]
}
