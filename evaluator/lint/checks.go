package lint

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/kmsim/kmsim/rego"
)

// checkActions reports unknown kms: actions (KMS004) and malformed actions (KMS005).
func (c *checker) checkActions(st *stmt) {
	for j, a := range st.Actions {
		n := st.n
		if j < len(st.actions) {
			n = st.actions[j]
		}
		if a == "*" {
			continue
		}
		svc, name, _ := strings.Cut(a, ":")
		if !serviceRE.MatchString(svc) || !actionNameRE.MatchString(name) {
			c.add(CodeActionFormat, n.pos, st.ptr, st, "action %q is not of the form service:Action", a)
			continue
		}
		if !strings.EqualFold(svc, "kms") {
			continue
		}
		if strings.ContainsAny(name, "*?") {
			if len(expandKMS(a)) == 0 {
				c.add(CodeUnknownAction, n.pos, st.ptr, st, "action %q matches no KMS action", a)
			}
			continue
		}
		if _, ok := kmsActionByLower[strings.ToLower(name)]; ok {
			continue
		}
		if s := closest(name, kmsActions); s != "" {
			c.add(CodeUnknownAction, n.pos, st.ptr, st, "unknown action %q: did you mean \"kms:%s\"?", a, s)
		} else {
			c.add(CodeUnknownAction, n.pos, st.ptr, st, "unknown action %q", a)
		}
	}
}

// restrictingKeys are the condition keys that restrict a Principal "*" to known callers.
var restrictingKeys = map[string]bool{
	"kms:calleraccount":     true,
	"kms:viaservice":        true,
	"aws:principalaccount":  true,
	"aws:principalorgid":    true,
	"aws:principalorgpaths": true,
	"aws:principalarn":      true,
	"aws:sourceaccount":     true,
	"aws:sourcearn":         true,
	"aws:sourceorgid":       true,
	"aws:sourcevpce":        true,
	"aws:sourcevpc":         true,
}

// restricted reports whether a condition of the statement limits who can call: a positive String or
// Arn operator, without IfExists or ForAllValues, on a restricting key, with a value that is not
// only wildcards.
func restricted(st *stmt) bool {
	for _, cond := range st.Conditions {
		if !restrictingKeys[strings.ToLower(cond.Key)] || cond.Negated || cond.IfExists || cond.Set == "ForAllValues" {
			continue
		}
		if !strings.HasPrefix(cond.Base, "String") && !strings.HasPrefix(cond.Base, "Arn") {
			continue
		}
		for _, v := range cond.Values {
			if strings.Trim(v, "*?") != "" {
				return true
			}
		}
	}
	return false
}

// checkPrincipals reports public access (KMS010) and Allow with NotPrincipal (KMS017).
func (c *checker) checkPrincipals(st *stmt) {
	if st.Effect != "Allow" {
		return
	}
	if st.NotPrincipal {
		n := st.n.field("NotPrincipal")
		c.add(CodeNotPrincipalAllow, n.at(), st.ptr+"/NotPrincipal", st,
			"%s allows every principal except those in NotPrincipal, including other accounts; use Principal", st.label())
		return
	}
	if restricted(st) {
		return
	}
	for _, p := range st.principals {
		if p.typ == "*" {
			c.add(CodePublicAccess, p.n.pos, st.ptr+"/Principal", st,
				"%s allows Principal \"*\" with no condition restricting the caller (kms:CallerAccount, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, kms:ViaService, aws:SourceVpce...)", st.label())
			return
		}
	}
}

// checkFullAccess reports kms:* or * granted to a principal other than the account root (KMS012).
func (c *checker) checkFullAccess(st *stmt) {
	if st.Effect != "Allow" || st.NotPrincipal || st.NotAction || !hasFullAccess(st.Actions) {
		return
	}
	var who []string
	for _, p := range st.principals {
		if p.typ == "AWS" && isRoot(p.value) {
			continue
		}
		who = append(who, p.value)
	}
	if len(who) == 0 {
		return
	}
	at := st.n.pos
	for j, a := range st.Actions {
		if (a == "*" || strings.EqualFold(a, "kms:*")) && j < len(st.actions) {
			at = st.actions[j].pos
			break
		}
	}
	c.add(CodeFullAccessNonRoot, at, st.ptr, st,
		"%s grants every KMS permission, including kms:PutKeyPolicy and kms:ScheduleKeyDeletion, to %s; only the account root should hold kms:*",
		st.label(), strings.Join(who, ", "))
}

// checkExternal reports access for accounts other than the key's (KMS011).
func (c *checker) checkExternal(st *stmt) {
	if c.keyAccount == "" || st.Effect != "Allow" || st.NotPrincipal {
		return
	}
	for _, p := range st.principals {
		if p.typ != "AWS" {
			continue
		}
		if acct := accountOf(p.value); acct != "" && acct != c.keyAccount {
			c.add(CodeExternalAccount, p.n.pos, st.ptr+"/Principal", st,
				"%s grants access to %s in account %s, not the key's account %s", st.label(), p.value, acct, c.keyAccount)
		}
	}
	for _, cond := range st.Conditions {
		if !callerAccountKey(cond) {
			continue
		}
		_, vals := st.conditionNodes(cond)
		for j, v := range cond.Values {
			if accountRE.MatchString(v) && v != c.keyAccount {
				at := st.n.pos
				if j < len(vals) {
					at = vals[j].pos
				}
				c.add(CodeExternalAccount, at, st.ptr+"/Condition", st,
					"%s grants access to callers in account %s (%s), not the key's account %s", st.label(), v, cond.Key, c.keyAccount)
			}
		}
	}
}

// callerAccountKey reports whether cond positively matches the caller's account.
func callerAccountKey(cond rego.Condition) bool {
	k := strings.ToLower(cond.Key)
	return (k == "kms:calleraccount" || k == "aws:principalaccount") && !cond.Negated && strings.HasPrefix(cond.Base, "String")
}

// checkCreateGrant reports CreateGrant allowed without kms:GrantIsForAWSResource (KMS015).
func (c *checker) checkCreateGrant(st *stmt) {
	if st.Effect != "Allow" || st.NotPrincipal || st.NotAction {
		return
	}
	nonRoot := false
	for _, p := range st.principals {
		if !(p.typ == "AWS" && isRoot(p.value)) {
			nonRoot = true
		}
	}
	if !nonRoot {
		return
	}
	for _, cond := range st.Conditions {
		if strings.EqualFold(cond.Key, "kms:GrantIsForAWSResource") {
			return
		}
	}
	if c.grantDenyGuard() {
		return
	}
	for j, a := range st.Actions {
		la := strings.ToLower(a)
		if la == "*" || la == "kms:*" || la == "kms:create*" || !grants([]string{a}, "CreateGrant") {
			continue
		}
		at := st.n.pos
		if j < len(st.actions) {
			at = st.actions[j].pos
		}
		c.add(CodeCreateGrantUnrestricted, at, st.ptr, st,
			"%s allows kms:CreateGrant without a \"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"} condition: the grantee can delegate its access to anyone", st.label())
		return
	}
}

// grantDenyGuard reports whether a Deny statement refuses CreateGrant when kms:GrantIsForAWSResource is false.
func (c *checker) grantDenyGuard() bool {
	for _, st := range c.stmts {
		if st.Effect != "Deny" || st.NotAction == grants(st.Actions, "CreateGrant") {
			continue
		}
		for _, cond := range st.Conditions {
			if strings.EqualFold(cond.Key, "kms:GrantIsForAWSResource") && !cond.Negated && len(cond.Values) == 1 && strings.EqualFold(cond.Values[0], "false") {
				return true
			}
		}
	}
	return false
}

var (
	adminActions = []string{"PutKeyPolicy", "ScheduleKeyDeletion", "DisableKey", "DisableKeyRotation",
		"DeleteImportedKeyMaterial", "ImportKeyMaterial", "CreateAlias", "DeleteAlias", "UpdateAlias"}
	usageActions = []string{"Encrypt", "Decrypt", "ReEncrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
		"GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
		"Sign", "GenerateMac", "DeriveSharedSecret", "Decapsulate"}
)

// checkAdminAndUsage reports a non-root principal that gets both key-administration and key-usage
// actions (KMS013). Statements granting kms:* are KMS012's business and are skipped.
func (c *checker) checkAdminAndUsage() {
	type grant struct {
		admin, usage []string
		adminAt      *stmt
		usageAt      *stmt
		usageNode    *node
	}
	byPrincipal := map[string]*grant{}
	var order []string
	for i := range c.stmts {
		st := &c.stmts[i]
		if st.Effect != "Allow" || st.NotPrincipal || st.NotAction || hasFullAccess(st.Actions) {
			continue
		}
		for _, p := range st.principals {
			if p.typ != "AWS" || isRoot(p.value) {
				continue
			}
			g := byPrincipal[p.value]
			if g == nil {
				g = &grant{}
				byPrincipal[p.value] = g
				order = append(order, p.value)
			}
			for _, a := range adminActions {
				if grants(st.Actions, a) && !contains(g.admin, a) {
					g.admin = append(g.admin, a)
					if g.adminAt == nil {
						g.adminAt = st
					}
				}
			}
			for _, a := range usageActions {
				if grants(st.Actions, a) && !contains(g.usage, a) {
					g.usage = append(g.usage, a)
					if g.usageAt == nil {
						g.usageAt, g.usageNode = st, p.n
					}
				}
			}
		}
	}
	for _, who := range order {
		g := byPrincipal[who]
		if len(g.admin) == 0 || len(g.usage) == 0 {
			continue
		}
		c.add(CodeAdminAndUsage, g.usageNode.pos, g.usageAt.ptr+"/Principal", g.usageAt,
			"%s gets key administration (%s, in %s) and key usage (%s, in %s): split administrators and users",
			who, list(g.admin), g.adminAt.label(), list(g.usage), g.usageAt.label())
	}
}

func list(actions []string) string {
	var parts []string
	for i, a := range actions {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(actions)-3))
			break
		}
		parts = append(parts, "kms:"+a)
	}
	return strings.Join(parts, ", ")
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// checkLockout reports a key policy that leaves nobody able to call kms:PutKeyPolicy (KMS014).
func (c *checker) checkLockout() {
	for _, st := range c.stmts {
		if st.Effect != "Allow" || st.NotPrincipal || st.NotAction == grants(st.Actions, "PutKeyPolicy") {
			continue
		}
		for _, p := range st.principals {
			if (p.typ == "AWS" || p.typ == "*") && !c.deniedPutKeyPolicy(p) {
				return
			}
		}
	}
	sn := c.src.root.field("Statement")
	c.add(CodeLockout, sn.at(), "/Statement", nil,
		"no principal can call kms:PutKeyPolicy (neither the account root nor anyone with kms:*, kms:Put* or kms:PutKeyPolicy): the key would become unmanageable")
}

func (c *checker) deniedPutKeyPolicy(p principal) bool {
	for _, st := range c.stmts {
		if st.Effect != "Deny" || len(st.Conditions) > 0 || st.NotPrincipal || st.NotAction == grants(st.Actions, "PutKeyPolicy") {
			continue
		}
		for _, q := range st.principals {
			if q.typ == "*" || q.id() == p.id() {
				return true
			}
		}
	}
	return false
}

// checkConditions reports unknown kms: keys (KMS006), keys that do not apply to the statement's
// actions (KMS007), value/operator (KMS008) and operator/key (KMS009) type mismatches, and
// ForAllValues in an Allow without a Null guard (KMS016).
func (c *checker) checkConditions(st *stmt) {
	for _, cond := range st.Conditions {
		kn, vals := st.conditionNodes(cond)
		ptr := st.ptr + "/Condition/" + cond.Operator + "/" + cond.Key
		if strings.HasPrefix(strings.ToLower(cond.Key), "kms:") {
			k := lookupConditionKey(cond.Key)
			if k == nil {
				names := make([]string, 0, len(conditionKeys))
				for _, ck := range conditionKeys {
					names = append(names, ck.Name)
				}
				if s := closest(cond.Key, names); s != "" {
					c.add(CodeUnknownConditionKey, kn.at(), ptr, st, "unknown condition key %q: did you mean %q?", cond.Key, s)
				} else {
					c.add(CodeUnknownConditionKey, kn.at(), ptr, st, "unknown condition key %q", cond.Key)
				}
				continue
			}
			if !applicable(k, st) {
				c.add(CodeConditionKeyNotApplicable, kn.at(), ptr, st,
					"condition key %q does not apply to any action of %s (it applies to %s)", cond.Key, st.label(), opsSummary(k))
			}
		}
		if t := keyType(cond.Key); t != "" && !operatorSuits(cond.Base, t) {
			c.add(CodeConditionOperatorType, kn.at(), ptr, st,
				"operator %s does not suit condition key %q, which holds %s values", cond.Operator, cond.Key, typeWord(t))
		} else {
			for j, v := range cond.Values {
				if reason := valueMismatch(cond.Base, v); reason != "" {
					at := kn.at()
					if j < len(vals) {
						at = vals[j].pos
					}
					c.add(CodeConditionValueType, at, ptr, st, "%s value %q for %q is %s", cond.Operator, v, cond.Key, reason)
				}
			}
		}
		if cond.Set == "ForAllValues" && st.Effect == "Allow" && !nullGuard(st, cond.Key) {
			c.add(CodeForAllValuesAllow, kn.at(), ptr, st,
				"%s with %q in an Allow also matches requests that have no %s at all; add \"Null\": {%q: \"false\"}",
				cond.Operator, cond.Key, cond.Key, cond.Key)
		}
	}
}

func nullGuard(st *stmt, key string) bool {
	for _, cond := range st.Conditions {
		if cond.Base == "Null" && strings.EqualFold(cond.Key, key) && len(cond.Values) > 0 && strings.EqualFold(cond.Values[0], "false") {
			return true
		}
	}
	return false
}

// applicable reports whether some action of the statement supports the kms: condition key. Actions
// the reference data does not cover (and NotAction) are assumed to support it.
func applicable(k *conditionKey, st *stmt) bool {
	if st.NotAction {
		return true
	}
	for _, a := range st.Actions {
		if a == "*" {
			return true
		}
		svc, _, _ := strings.Cut(a, ":")
		if !strings.EqualFold(svc, "kms") {
			continue
		}
		acts := expandKMS(a)
		if len(acts) == 0 {
			return true // an unknown action: KMS004 reports it
		}
		for _, act := range acts {
			op := operation(act)
			if !opsInData[op] || k.ops[op] {
				return true
			}
		}
	}
	return false
}

func opsSummary(k *conditionKey) string {
	if len(k.Operations) > 6 {
		return fmt.Sprintf("%d operations, e.g. kms:%s", len(k.Operations), strings.Join(k.Operations[:3], ", kms:"))
	}
	return "kms:" + strings.Join(k.Operations, ", kms:")
}

func typeWord(t string) string {
	switch t {
	case "Bool":
		return "boolean"
	case "Numeric":
		return "numeric"
	case "Date":
		return "date"
	case "Arn":
		return "ARN"
	case "Ip":
		return "IP address"
	}
	return "string"
}

// operatorSuits reports whether an operator family can compare values of a key type. String
// operators are accepted on every type (AWS compares the text); the others need their own type.
func operatorSuits(base, t string) bool {
	switch {
	case strings.HasPrefix(base, "Numeric"):
		return t == "Numeric" || t == "Date"
	case strings.HasPrefix(base, "Date"):
		return t == "Date"
	case base == "Bool":
		return t == "Bool"
	case base == "IpAddress":
		return t == "Ip"
	case strings.HasPrefix(base, "Arn"):
		return t == "Arn"
	}
	return true
}

var dateLayouts = []string{
	time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05",
	"2006-01-02T15:04Z", "2006-01-02",
}

// valueMismatch says why v cannot be compared by the operator, or "" if it can.
func valueMismatch(base, v string) string {
	if strings.Contains(v, "${") {
		return "" // a policy variable
	}
	switch {
	case strings.HasPrefix(base, "Numeric"):
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "not a number"
		}
	case strings.HasPrefix(base, "Date"):
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return ""
		}
		for _, l := range dateLayouts {
			if _, err := time.Parse(l, v); err == nil {
				return ""
			}
		}
		return "neither an ISO 8601 date nor epoch seconds"
	case base == "Bool":
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return "not true or false"
		}
	case base == "IpAddress":
		if _, _, err := net.ParseCIDR(v); err == nil {
			return ""
		}
		if net.ParseIP(v) == nil {
			return "not an IP address or CIDR block"
		}
	case strings.HasPrefix(base, "Arn"):
		if !strings.HasPrefix(v, "arn:") && strings.Trim(v, "*") != "" {
			return "not an ARN"
		}
	}
	return ""
}

// covers reports whether every pattern of inner is matched by some pattern of outer.
func covers(outer, inner []string) bool {
	for _, i := range inner {
		ok := false
		for _, o := range outer {
			if globMatch(o, i) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// principalsCover reports whether outer's principals include all of inner's.
func principalsCover(outer, inner *stmt) bool {
	if len(outer.principals) == 0 || len(inner.principals) == 0 {
		return len(outer.principals) == 0 && len(inner.principals) == 0
	}
	if outer.any() {
		return true
	}
	for _, p := range inner.principals {
		found := false
		for _, q := range outer.principals {
			if p.id() == q.id() {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func simple(st *stmt) bool { return !st.NotAction && !st.NotResource && !st.NotPrincipal }

// stmtCovers reports whether outer matches every request inner matches, ignoring conditions.
func stmtCovers(outer, inner *stmt) bool {
	return simple(outer) && simple(inner) && principalsCover(outer, inner) &&
		covers(outer.Actions, inner.Actions) && covers(outer.Resources, inner.Resources)
}

// checkRedundant reports an unconditional Allow covered by another unconditional Allow (KMS018).
func (c *checker) checkRedundant() {
	for i := range c.stmts {
		a := &c.stmts[i]
		if a.Effect != "Allow" || len(a.Conditions) > 0 {
			continue
		}
		for j := range c.stmts {
			b := &c.stmts[j]
			if i == j || b.Effect != "Allow" || len(b.Conditions) > 0 || !stmtCovers(b, a) {
				continue
			}
			if stmtCovers(a, b) && i < j {
				continue // identical: report the later one
			}
			c.add(CodeRedundantStatement, a.n.pos, a.ptr, a, "%s is redundant: %s already allows all of it", a.label(), b.label())
			break
		}
	}
}

// checkUnreachable reports an Allow entirely shadowed by an unconditional Deny (KMS019).
func (c *checker) checkUnreachable() {
	for i := range c.stmts {
		a := &c.stmts[i]
		if a.Effect != "Allow" {
			continue
		}
		for j := range c.stmts {
			d := &c.stmts[j]
			if d.Effect != "Deny" || len(d.Conditions) > 0 || !stmtCovers(d, a) {
				continue
			}
			c.add(CodeUnreachableStatement, a.n.pos, a.ptr, a, "%s never takes effect: %s denies everything it allows", a.label(), d.label())
			break
		}
	}
}

// checkWorld reports principals (KMS020) and accounts (KMS021) the world does not define.
func (c *checker) checkWorld(st *stmt) {
	w := c.l.world
	known := func(acct string) bool { return w.Account(acct) != nil }
	for _, p := range st.principals {
		if p.typ != "AWS" {
			continue
		}
		acct := accountOf(p.value)
		if acct == "" {
			continue
		}
		if !known(acct) {
			c.add(CodeUnknownAccount, p.n.pos, st.ptr+"/Principal", st, "account %s (in %s) is not in world %q", acct, p.value, w.Name)
			continue
		}
		m := arnAccountRE.FindStringSubmatch(p.value)
		res := m[2]
		kind, rest, _ := strings.Cut(res, "/")
		exists := true
		switch kind {
		case "user":
			exists = w.User(acct, lastSegment(rest)) != nil
		case "role":
			exists = w.Role(acct, lastSegment(rest)) != nil
		case "assumed-role":
			role, _, _ := strings.Cut(rest, "/")
			exists = w.Role(acct, role) != nil
		}
		if !exists {
			c.add(CodeUnknownPrincipal, p.n.pos, st.ptr+"/Principal", st, "principal %s does not exist in world %q", p.value, w.Name)
		}
	}
	for _, cond := range st.Conditions {
		if !callerAccountKey(cond) {
			continue
		}
		kn, vals := st.conditionNodes(cond)
		for j, v := range cond.Values {
			if accountRE.MatchString(v) && !known(v) {
				at := kn.at()
				if j < len(vals) {
					at = vals[j].pos
				}
				c.add(CodeUnknownAccount, at, st.ptr+"/Condition", st, "account %s (in %s) is not in world %q", v, cond.Key, w.Name)
			}
		}
	}
}

func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}
