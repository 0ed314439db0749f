package lint

import (
	_ "embed"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// actionsText is the list of KMS actions: the 52 operations of the AWS KMS Developer Guide plus
// kms:ReEncryptFrom, kms:ReEncryptTo, kms:SynchronizeMultiRegionKey and the newer Encapsulate,
// Decapsulate, DeriveSharedSecret and GetKeyLastUsage.
//
//go:embed data/actions.txt
var actionsText string

// conditionKeysJSON lists each kms: condition key with its type and the operations it applies to
// (from the guide's "Condition keys for AWS KMS", /work/shared/reference/condition-keys.json).
//
//go:embed data/condition_keys.json
var conditionKeysJSON []byte

// conditionKey is one kms: condition key.
type conditionKey struct {
	Name       string   `json:"name"`
	Prefix     bool     `json:"prefix"` // Name is a prefix, e.g. kms:EncryptionContext:
	Type       string   `json:"type"`   // String, Bool, Numeric, Date
	Multi      bool     `json:"multi"`
	Deprecated bool     `json:"deprecated"`
	Operations []string `json:"operations"`
	ops        map[string]bool
}

var (
	// kmsActions are the action names without "kms:", sorted.
	kmsActions []string
	// kmsActionsLower is kmsActions in lower case, index for index.
	kmsActionsLower []string
	// kmsActionByLower maps lower-cased names to their spelling.
	kmsActionByLower = map[string]string{}
	conditionKeys    []*conditionKey
	// opsInData are the operations some condition key lists; an action outside it (e.g. Encapsulate)
	// has unknown condition keys and never makes a key "not applicable".
	opsInData = map[string]bool{}
)

func init() {
	for _, a := range strings.Fields(actionsText) {
		kmsActions = append(kmsActions, a)
		kmsActionByLower[strings.ToLower(a)] = a
	}
	sort.Strings(kmsActions)
	for _, a := range kmsActions {
		kmsActionsLower = append(kmsActionsLower, strings.ToLower(a))
	}
	if err := json.Unmarshal(conditionKeysJSON, &conditionKeys); err != nil {
		panic("lint: bad embedded condition_keys.json: " + err.Error())
	}
	for _, k := range conditionKeys {
		k.ops = map[string]bool{}
		for _, o := range k.Operations {
			k.ops[o] = true
			opsInData[o] = true
		}
	}
}

// operation maps an IAM action to the API operation condition keys are documented for.
func operation(action string) string {
	switch action {
	case "ReEncryptFrom", "ReEncryptTo":
		return "ReEncrypt"
	}
	return action
}

// lookupConditionKey finds a kms: condition key, case-insensitively.
func lookupConditionKey(key string) *conditionKey {
	lk := strings.ToLower(key)
	for _, k := range conditionKeys {
		ln := strings.ToLower(k.Name)
		if lk == ln || (k.Prefix && strings.HasPrefix(lk, ln) && len(lk) > len(ln)) {
			return k
		}
	}
	return nil
}

// globalKeyTypes are the types of the AWS global condition keys the linter knows.
var globalKeyTypes = map[string]string{
	"aws:principalarn":           "Arn",
	"aws:sourcearn":              "Arn",
	"aws:principalaccount":       "String",
	"aws:principalorgid":         "String",
	"aws:principalorgpaths":      "String",
	"aws:principaltype":          "String",
	"aws:principalservicename":   "String",
	"aws:principalisawsservice":  "Bool",
	"aws:sourceaccount":          "String",
	"aws:sourceorgid":            "String",
	"aws:sourcevpc":              "String",
	"aws:sourcevpce":             "String",
	"aws:sourceip":               "Ip",
	"aws:vpcsourceip":            "Ip",
	"aws:securetransport":        "Bool",
	"aws:multifactorauthpresent": "Bool",
	"aws:multifactorauthage":     "Numeric",
	"aws:viaawsservice":          "Bool",
	"aws:calledvia":              "String",
	"aws:calledviafirst":         "String",
	"aws:calledvialast":          "String",
	"aws:currenttime":            "Date",
	"aws:epochtime":              "Date",
	"aws:tokenissuetime":         "Date",
	"aws:userid":                 "String",
	"aws:username":               "String",
	"aws:requestedregion":        "String",
	"aws:tagkeys":                "String",
}

// keyType returns the type of a condition key (String, Bool, Numeric, Date, Arn, Ip) or "" if unknown.
func keyType(key string) string {
	lk := strings.ToLower(key)
	if strings.HasPrefix(lk, "kms:") {
		if k := lookupConditionKey(key); k != nil {
			return k.Type
		}
		return ""
	}
	if t, ok := globalKeyTypes[lk]; ok {
		return t
	}
	for _, p := range []string{"aws:requesttag/", "aws:resourcetag/", "aws:principaltag/"} {
		if strings.HasPrefix(lk, p) {
			return "String"
		}
	}
	return ""
}

// globMatch matches s against a pattern with * and ?, case-insensitively. A * or ? in s is an
// ordinary character, so globMatch(p, q) also tells whether pattern p covers pattern q.
func globMatch(pattern, s string) bool {
	return globMatchLower(strings.ToLower(pattern), strings.ToLower(s))
}

// globMatchLower is globMatch for arguments already in lower case.
func globMatchLower(p, t string) bool {
	// Iterative matcher with backtracking on the last star.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// expandKMS returns the KMS action names an action pattern matches ("*" and "kms:*" match all).
func expandKMS(pattern string) []string {
	if pattern == "*" {
		return kmsActions
	}
	svc, name, ok := strings.Cut(pattern, ":")
	if !ok || !strings.EqualFold(svc, "kms") {
		return nil
	}
	name = strings.ToLower(name)
	var out []string
	for i, a := range kmsActionsLower {
		if globMatchLower(name, a) {
			out = append(out, kmsActions[i])
		}
	}
	return out
}

// grants reports whether any of the patterns matches the KMS action name (e.g. "PutKeyPolicy").
func grants(patterns []string, action string) bool {
	action = strings.ToLower(action)
	for _, p := range patterns {
		if p == "*" {
			return true
		}
		if svc, name, ok := strings.Cut(p, ":"); ok && strings.EqualFold(svc, "kms") && globMatchLower(strings.ToLower(name), action) {
			return true
		}
	}
	return false
}

// closest returns the candidate nearest to s by edit distance (case-insensitive), if near enough.
func closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if d := levenshtein(ls, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	limit := len(s) / 3
	if limit < 2 {
		limit = 2
	}
	if bestD > limit {
		return ""
	}
	return best
}

// levenshtein is the optimal-string-alignment distance: insertions, deletions, substitutions and
// transpositions of adjacent characters each cost 1, so kms:Decrpyt is one edit from kms:Decrypt.
func levenshtein(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

var (
	serviceRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)
	actionNameRE = regexp.MustCompile(`^[A-Za-z0-9*?]+$`)
	arnAccountRE = regexp.MustCompile(`^arn:aws[a-z-]*:(?:iam|sts)::([0-9]{12}):(.*)$`)
)

// accountOf returns the account of an IAM or STS principal ARN.
func accountOf(arn string) string {
	if m := arnAccountRE.FindStringSubmatch(arn); m != nil {
		return m[1]
	}
	return ""
}

// isRoot reports whether arn is an account root principal.
func isRoot(arn string) bool {
	m := arnAccountRE.FindStringSubmatch(arn)
	return m != nil && m[2] == "root"
}
