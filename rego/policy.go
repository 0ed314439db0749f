package rego

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// MaxPolicySize is the largest policy document AWS KMS accepts, in bytes.
const MaxPolicySize = 32768

// Kind is the role a policy document plays; it decides which elements the grammar requires.
type Kind string

// The policy kinds. Resource-based kinds (key, trust) and VPC endpoint policies require a
// Principal; the others forbid it.
const (
	KindKey      Kind = "key"
	KindIdentity Kind = "identity"
	KindSCP      Kind = "scp"
	KindBoundary Kind = "boundary"
	KindSession  Kind = "session"
	KindTrust    Kind = "trust"
	KindVPCE     Kind = "vpce" // a VPC endpoint policy
)

// ResourceBased reports whether policies of kind k name their principals.
func (k Kind) ResourceBased() bool { return k == KindKey || k == KindTrust || k == KindVPCE }

func (k Kind) valid() bool {
	switch k {
	case KindKey, KindIdentity, KindSCP, KindBoundary, KindSession, KindTrust, KindVPCE:
		return true
	}
	return false
}

// Document is a parsed, validated policy document.
type Document struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one parsed policy statement.
type Statement struct {
	Index  int
	Sid    string
	Effect string // "Allow" or "Deny"
	// Principal is nil when the statement has neither Principal nor NotPrincipal.
	Principal    *Principals
	NotPrincipal bool
	Actions      []string
	NotAction    bool
	Resources    []string
	NotResource  bool
	Conditions   []Condition
}

// Principals is a Principal or NotPrincipal element, normalised: account ids become
// arn:aws:iam::ACCOUNT:root and "*" or {"AWS": "*"} sets Any.
type Principals struct {
	Any           bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one operator/key pair of a Condition block.
type Condition struct {
	// Operator is the operator as written, e.g. "ForAnyValue:StringNotLikeIfExists".
	Operator string
	// Base is the positive operator it is built on, e.g. "StringLike".
	Base string
	// Set is "", "ForAnyValue" or "ForAllValues".
	Set      string
	IfExists bool
	// Negated is set for StringNotEquals, NotIpAddress, ArnNotLike and the like.
	Negated bool
	// Key is the condition key as written.
	Key    string
	Values []string
}

// ConditionKeys returns the condition keys the statement references, as written, sorted, without duplicates.
func (s Statement) ConditionKeys() []string {
	seen := map[string]bool{}
	var keys []string
	for _, c := range s.Conditions {
		if !seen[c.Key] {
			seen[c.Key] = true
			keys = append(keys, c.Key)
		}
	}
	sort.Strings(keys)
	return keys
}

// operators maps each condition operator (lower-cased, without qualifiers and IfExists) to its
// positive base operator and whether it is negated.
var operators = map[string]struct {
	base    string
	negated bool
}{
	"stringequals":              {"StringEquals", false},
	"stringnotequals":           {"StringEquals", true},
	"stringequalsignorecase":    {"StringEqualsIgnoreCase", false},
	"stringnotequalsignorecase": {"StringEqualsIgnoreCase", true},
	"stringlike":                {"StringLike", false},
	"stringnotlike":             {"StringLike", true},
	"numericequals":             {"NumericEquals", false},
	"numericnotequals":          {"NumericEquals", true},
	"numericlessthan":           {"NumericLessThan", false},
	"numericlessthanequals":     {"NumericLessThanEquals", false},
	"numericgreaterthan":        {"NumericGreaterThan", false},
	"numericgreaterthanequals":  {"NumericGreaterThanEquals", false},
	"dateequals":                {"DateEquals", false},
	"datenotequals":             {"DateEquals", true},
	"datelessthan":              {"DateLessThan", false},
	"datelessthanequals":        {"DateLessThanEquals", false},
	"dategreaterthan":           {"DateGreaterThan", false},
	"dategreaterthanequals":     {"DateGreaterThanEquals", false},
	"bool":                      {"Bool", false},
	"binaryequals":              {"BinaryEquals", false},
	"ipaddress":                 {"IpAddress", false},
	"notipaddress":              {"IpAddress", true},
	"arnequals":                 {"ArnEquals", false},
	"arnnotequals":              {"ArnEquals", true},
	"arnlike":                   {"ArnLike", false},
	"arnnotlike":                {"ArnLike", true},
	"null":                      {"Null", false},
}

// globOperator reports whether values of the base operator are wildcard patterns.
func globOperator(base string) bool {
	return base == "StringLike" || base == "ArnLike" || base == "ArnEquals"
}

var (
	accountID    = regexp.MustCompile(`^[0-9]{12}$`)
	iamPrincipal = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:(root|user/.+|role/.+|federated-user/.+)$`)
	stsPrincipal = regexp.MustCompile(`^arn:aws[a-z-]*:sts::[0-9]{12}:(assumed-role/[^/]+/.+|federated-user/.+)$`)
)

// Parse decodes and validates a policy document of the given kind.
// The error, if any, is an Errors value listing every problem found.
func Parse(doc []byte, kind Kind) (*Document, error) {
	p := &parser{kind: kind}
	d := p.parse(doc)
	if len(p.errs) > 0 {
		p.errs.sort()
		return nil, p.errs
	}
	return d, nil
}

type parser struct {
	kind Kind
	errs Errors
	stmt int
	sid  string
}

func (p *parser) fail(code, msg, pointer, detail string, args ...any) {
	p.errs = append(p.errs, &Error{
		Code:     code,
		Location: Location{Statement: p.stmt, Sid: p.sid, Pointer: pointer},
		Message:  msg,
		Detail:   fmt.Sprintf(detail, args...),
	})
}

func (p *parser) parse(doc []byte) *Document {
	p.stmt = -1
	if !p.kind.valid() {
		p.fail(CodeInvalidKind, msgSyntax, "", "unknown policy kind %q", p.kind)
		return nil
	}
	if len(doc) > MaxPolicySize {
		p.fail(CodeTooLarge, fmt.Sprintf("Policy document exceeds the maximum size of %d bytes.", MaxPolicySize), "", "%d bytes", len(doc))
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		p.fail(CodeInvalidJSON, msgSyntax, "", "invalid JSON: %v", err)
		return nil
	}
	if dec.More() {
		p.fail(CodeInvalidJSON, msgSyntax, "", "trailing data after the policy object")
		return nil
	}
	top, ok := raw.(map[string]any)
	if !ok {
		p.fail(CodeInvalidJSON, msgSyntax, "", "the policy is not a JSON object")
		return nil
	}
	d := &Document{Version: "2008-10-17"}
	for _, k := range sortedKeys(top) {
		v := top[k]
		switch k {
		case "Version":
			s, ok := v.(string)
			if !ok || (s != "2008-10-17" && s != "2012-10-17") {
				p.fail(CodeInvalidVersion, msgSyntax, "/Version", "Version must be 2008-10-17 or 2012-10-17, got %v", v)
				continue
			}
			d.Version = s
		case "Id":
			s, ok := v.(string)
			if !ok {
				p.fail(CodeInvalidValue, msgSyntax, "/Id", "Id must be a string")
			}
			d.ID = s
		case "Statement":
		default:
			p.fail(CodeUnknownElement, msgSyntax, "/"+k, "unknown policy element %q", k)
		}
	}
	rawStmts, ok := top["Statement"]
	if !ok {
		p.fail(CodeMissingStatement, msgSyntax, "/Statement", "the policy has no Statement")
		return d
	}
	var list []any
	switch s := rawStmts.(type) {
	case map[string]any:
		list = []any{s}
	case []any:
		list = s
	default:
		p.fail(CodeInvalidValue, msgSyntax, "/Statement", "Statement must be an object or an array of objects")
		return d
	}
	for i, rs := range list {
		p.stmt, p.sid = i, ""
		m, ok := rs.(map[string]any)
		if !ok {
			p.fail(CodeInvalidValue, msgSyntax, fmt.Sprintf("/Statement/%d", i), "a statement must be an object")
			continue
		}
		d.Statements = append(d.Statements, p.statement(i, m))
	}
	return d
}

func (p *parser) statement(i int, m map[string]any) Statement {
	st := Statement{Index: i}
	ptr := func(elem string) string { return fmt.Sprintf("/Statement/%d/%s", i, elem) }
	if v, ok := m["Sid"]; ok {
		s, ok := v.(string)
		if !ok {
			p.fail(CodeInvalidValue, msgSyntax, ptr("Sid"), "Sid must be a string")
		}
		st.Sid, p.sid = s, s
	}
	for _, k := range sortedKeys(m) {
		switch k {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		default:
			p.fail(CodeUnknownElement, msgSyntax, ptr(k), "unknown statement element %q", k)
		}
	}
	switch e := m["Effect"].(type) {
	case string:
		if e != "Allow" && e != "Deny" {
			p.fail(CodeInvalidEffect, msgSyntax, ptr("Effect"), "Effect must be Allow or Deny, got %q", e)
		}
		st.Effect = e
	default:
		p.fail(CodeInvalidEffect, msgSyntax, ptr("Effect"), "Effect is missing or not a string")
	}

	pr, hasP := m["Principal"]
	npr, hasNP := m["NotPrincipal"]
	switch {
	case hasP && hasNP:
		p.fail(CodeMissingPrincipal, msgSyntax, ptr("Principal"), "a statement cannot have both Principal and NotPrincipal")
	case !p.kind.ResourceBased() && (hasP || hasNP):
		p.fail(CodeUnexpectedPrincipal, "Policy document should not specify a principal.", ptr("Principal"), "%s policies do not name principals", p.kind)
	case p.kind.ResourceBased() && !hasP && !hasNP:
		p.fail(CodeMissingPrincipal, msgPrincipals, ptr("Principal"), "a %s policy statement must have a Principal", p.kind)
	case hasP:
		st.Principal = p.principals(pr, ptr("Principal"))
	case hasNP:
		st.Principal, st.NotPrincipal = p.principals(npr, ptr("NotPrincipal")), true
	}

	st.Actions, st.NotAction = p.pair(m, "Action", "NotAction", CodeMissingAction, ptr)
	for j, a := range st.Actions {
		if a != "*" && !strings.Contains(a, ":") {
			p.fail(CodeInvalidValue, msgSyntax, ptr(fmt.Sprintf("Action/%d", j)), "action %q has no service prefix", a)
		}
	}
	_, hasR := m["Resource"]
	_, hasNR := m["NotResource"]
	if p.kind == KindTrust && !hasR && !hasNR {
		// A role trust policy names no resource: the role it is attached to is the resource.
		st.Resources = []string{"*"}
	} else {
		st.Resources, st.NotResource = p.pair(m, "Resource", "NotResource", CodeMissingResource, ptr)
	}
	if c, ok := m["Condition"]; ok {
		st.Conditions = p.conditions(c, ptr("Condition"))
	}
	return st
}

// pair reads a positive/negated element pair such as Action/NotAction; exactly one must be present.
func (p *parser) pair(m map[string]any, pos, neg, code string, ptr func(string) string) ([]string, bool) {
	v, hasPos := m[pos]
	nv, hasNeg := m[neg]
	switch {
	case hasPos && hasNeg:
		p.fail(code, msgSyntax, ptr(pos), "a statement cannot have both %s and %s", pos, neg)
	case hasPos:
		return p.strings(v, ptr(pos)), false
	case hasNeg:
		return p.strings(nv, ptr(neg)), true
	default:
		p.fail(code, msgSyntax, ptr(pos), "a statement must have %s or %s", pos, neg)
	}
	return nil, false
}

// strings reads a string or a non-empty array of strings.
func (p *parser) strings(v any, pointer string) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		if len(t) == 0 {
			p.fail(CodeInvalidValue, msgSyntax, pointer, "the array is empty")
			return nil
		}
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				p.fail(CodeInvalidValue, msgSyntax, pointer, "expected strings, got %v", e)
				continue
			}
			out = append(out, s)
		}
		return out
	}
	p.fail(CodeInvalidValue, msgSyntax, pointer, "expected a string or an array of strings")
	return nil
}

func (p *parser) principals(v any, pointer string) *Principals {
	ps := &Principals{}
	if s, ok := v.(string); ok {
		if s != "*" {
			p.fail(CodeInvalidPrincipal, msgPrincipals, pointer, "a string principal must be \"*\", got %q", s)
		}
		ps.Any = true
		return ps
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		p.fail(CodeInvalidPrincipal, msgPrincipals, pointer, "Principal must be \"*\" or an object")
		return ps
	}
	for _, k := range sortedKeys(m) {
		vals := p.strings(m[k], pointer+"/"+k)
		switch k {
		case "AWS":
			for _, a := range vals {
				switch {
				case a == "*":
					ps.Any = true
				case accountID.MatchString(a):
					ps.AWS = append(ps.AWS, "arn:aws:iam::"+a+":root")
				case iamPrincipal.MatchString(a), stsPrincipal.MatchString(a):
					ps.AWS = append(ps.AWS, a)
				default:
					p.fail(CodeInvalidPrincipal, msgPrincipals, pointer+"/AWS", "invalid AWS principal %q", a)
				}
			}
		case "Service":
			for _, s := range vals {
				if s == "" || strings.ContainsAny(s, " *") {
					p.fail(CodeInvalidPrincipal, msgPrincipals, pointer+"/Service", "invalid service principal %q", s)
				}
			}
			ps.Service = append(ps.Service, vals...)
		case "Federated":
			ps.Federated = append(ps.Federated, vals...)
		case "CanonicalUser":
			ps.CanonicalUser = append(ps.CanonicalUser, vals...)
		default:
			p.fail(CodeInvalidPrincipal, msgPrincipals, pointer+"/"+k, "unknown principal type %q", k)
		}
	}
	return ps
}

func (p *parser) conditions(v any, pointer string) []Condition {
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(CodeInvalidCondition, msgSyntax, pointer, "Condition must be an object")
		return nil
	}
	var out []Condition
	for _, op := range sortedKeys(m) {
		c := Condition{Operator: op}
		name := op
		if i := strings.IndexByte(name, ':'); i >= 0 {
			switch strings.ToLower(name[:i]) {
			case "foranyvalue":
				c.Set = "ForAnyValue"
			case "forallvalues":
				c.Set = "ForAllValues"
			default:
				p.fail(CodeUnsupportedConditionOperator, msgSyntax, pointer+"/"+op, "unknown set operator %q", name[:i])
				continue
			}
			name = name[i+1:]
		}
		if strings.HasSuffix(strings.ToLower(name), "ifexists") {
			c.IfExists = true
			name = name[:len(name)-len("ifexists")]
		}
		info, ok := operators[strings.ToLower(name)]
		if !ok || (info.base == "Null" && (c.IfExists || c.Set != "")) {
			p.fail(CodeUnsupportedConditionOperator, msgSyntax, pointer+"/"+op, "unsupported condition operator %q", op)
			continue
		}
		c.Base, c.Negated = info.base, info.negated
		block, ok := m[op].(map[string]any)
		if !ok {
			p.fail(CodeInvalidCondition, msgSyntax, pointer+"/"+op, "the operator's value must be an object of condition keys")
			continue
		}
		for _, key := range sortedKeys(block) {
			cc := c
			cc.Key = key
			if key == "" {
				p.fail(CodeInvalidCondition, msgSyntax, pointer+"/"+op, "empty condition key")
				continue
			}
			cc.Values = p.scalars(block[key], pointer+"/"+op+"/"+key)
			if cc.Base == "Null" {
				for _, v := range cc.Values {
					if lv := strings.ToLower(v); lv != "true" && lv != "false" {
						p.fail(CodeInvalidCondition, msgSyntax, pointer+"/"+op+"/"+key, "Null takes true or false, got %q", v)
					}
				}
			}
			out = append(out, cc)
		}
	}
	return out
}

// scalars reads a condition value: a string, number or boolean, or an array of them.
func (p *parser) scalars(v any, pointer string) []string {
	one := func(e any) (string, bool) {
		switch t := e.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		case bool:
			if t {
				return "true", true
			}
			return "false", true
		}
		return "", false
	}
	if arr, ok := v.([]any); ok {
		if len(arr) == 0 {
			p.fail(CodeInvalidCondition, msgSyntax, pointer, "a condition key needs at least one value")
		}
		out := make([]string, 0, len(arr))
		for _, e := range arr {
			s, ok := one(e)
			if !ok {
				p.fail(CodeInvalidCondition, msgSyntax, pointer, "condition values must be strings, numbers or booleans")
				continue
			}
			out = append(out, s)
		}
		return out
	}
	s, ok := one(v)
	if !ok {
		p.fail(CodeInvalidCondition, msgSyntax, pointer, "condition values must be strings, numbers or booleans")
		return nil
	}
	return []string{s}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
