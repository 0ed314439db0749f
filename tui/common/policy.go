package common

import (
	"encoding/json"
	"strconv"
	"strings"
)

// StatementSummaries describes each statement of a policy document on one line: its Sid, effect,
// principals, whether conditions apply, and actions. ok is false when doc is not a policy.
func StatementSummaries(doc []byte) (lines []string, ok bool) {
	var p struct{ Statement json.RawMessage }
	if json.Unmarshal(doc, &p) != nil {
		return nil, false
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(p.Statement, &one) != nil {
			return nil, false
		}
		stmts = append(stmts, one)
	}
	for _, st := range stmts {
		lines = append(lines, statementSummary(st))
	}
	return lines, true
}

// statementSummary is one statement on a line: "Sid" Effect principals: [(conditions)] actions.
func statementSummary(st map[string]json.RawMessage) string {
	var parts []string
	if sid, ok := st["Sid"]; ok {
		parts = append(parts, strconv.Quote(text(sid)))
	}
	parts = append(parts, text(st["Effect"]))
	if p, ok := st["Principal"]; ok {
		parts = append(parts, text(p)+":")
	} else if p, ok := st["NotPrincipal"]; ok {
		parts = append(parts, "all but "+text(p)+":")
	}
	if _, ok := st["Condition"]; ok {
		parts = append(parts, "(conditions)")
	}
	if a, ok := st["Action"]; ok {
		parts = append(parts, text(a))
	} else if a, ok := st["NotAction"]; ok {
		parts = append(parts, "all but "+text(a))
	}
	return strings.Join(parts, " ")
}

// text renders a policy value: a string, a list of strings, or principals by type.
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, ", ")
	}
	var byType map[string]json.RawMessage
	if json.Unmarshal(raw, &byType) == nil {
		var parts []string
		for _, t := range []string{"AWS", "Service", "Federated", "CanonicalUser"} {
			if v, ok := byType[t]; ok {
				parts = append(parts, text(v))
			}
		}
		return strings.Join(parts, ", ")
	}
	return string(raw)
}
