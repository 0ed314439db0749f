package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestModelConstraints walks the service model's input shapes: for every operation and every
// top-level member with a constraint (length, range, enum, pattern), it sends a request whose
// other required members are valid and that member violates the constraint, and expects AWS's
// "1 validation error detected: Value … at '<member>' failed to satisfy constraint: …" answer.
func TestModelConstraints(t *testing.T) {
	raw, err := os.ReadFile(contractModel)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("service model %s not present", contractModel)
	}
	must(t, err)
	var model constraintModel
	must(t, json.Unmarshal(raw, &model))
	h := newHarness(t)
	ops := make([]string, 0, len(model.Operations))
	for op := range model.Operations {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	n := 0
	for _, op := range ops {
		input := model.Shapes[model.Operations[op].Input.Shape]
		for _, member := range sortedKeys(input.Members) {
			for _, v := range model.memberViolations(member, model.Shapes[input.Members[member].Shape]) {
				if reason, skip := constraintExceptions[op+"."+member+"/"+v.constraint]; skip {
					t.Logf("%s.%s %s: not checked: %s", op, member, v.constraint, reason)
					continue
				}
				n++
				body := model.validRequest(input, member)
				body[member] = v.value
				code, msg := h.rawCall(op, body)
				if code != "ValidationException" || !reportsViolation(msg, v.path, v.message) {
					t.Errorf("%s.%s %s: got %s %q", op, member, v.constraint, code, msg)
				}
			}
		}
	}
	t.Logf("%d constraints checked", n)
}

// memberViolations are the violations of a top-level member's own constraints and, one level
// down, of the members of a structure or of the first item of a list, with the paths AWS names
// them by ("tags.1.member.tagKey", "operations.1.member", "xksProxyAuthenticationCredential.accessKeyId").
func (m constraintModel) memberViolations(member string, s constraintShape) []violation {
	out := m.violations(s)
	for i := range out {
		out[i].path = lowerFirst(member)
	}
	switch {
	case s.Type == "structure":
		for _, inner := range sortedKeys(s.Members) {
			for _, v := range m.violations(m.Shapes[s.Members[inner].Shape]) {
				value := m.validValue("", s).(map[string]any)
				value[inner] = v.value
				v.constraint, v.path, v.value = inner+"/"+v.constraint, lowerFirst(member)+"."+lowerFirst(inner), value
				out = append(out, v)
			}
		}
	case s.Type == "list" && m.Shapes[s.Member.Shape].Type == "structure":
		item := m.Shapes[s.Member.Shape]
		for _, inner := range sortedKeys(item.Members) {
			for _, v := range m.violations(m.Shapes[item.Members[inner].Shape]) {
				value := m.validValue("", item).(map[string]any)
				value[inner] = v.value
				v.constraint, v.path, v.value = "member."+inner+"/"+v.constraint, lowerFirst(member)+".1.member."+lowerFirst(inner), []any{value}
				out = append(out, v)
			}
		}
	case s.Type == "list":
		for _, v := range m.violations(m.Shapes[s.Member.Shape]) {
			v.constraint, v.path, v.value = "member/"+v.constraint, lowerFirst(member)+".1.member", []any{v.value}
			out = append(out, v)
		}
	}
	return out
}

var validationCount = regexp.MustCompile(`^(\d+) validation errors? detected: (.*)$`)

// reportsViolation reports whether msg is AWS's validation message about member alone, naming the
// constraint message among its errors (a value can break a length and a pattern at once).
func reportsViolation(msg, member, constraint string) bool {
	m := validationCount.FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	at := regexp.MustCompile(`^Value (.* )?at '` + regexp.QuoteMeta(member) + `' failed to satisfy constraint: `)
	found := false
	for _, part := range strings.Split(m[2], "; ") {
		if !at.MatchString(part) {
			return false
		}
		found = found || regexp.MustCompile(constraint).MatchString(at.ReplaceAllString(part, ""))
	}
	return found
}

// constraintExceptions are constraints AWS itself answers otherwise, as the reference records.
var constraintExceptions = map[string]string{
	"CreateKey.Tags/max":            "AWS answers too many tags with TagException (\"Too many tags\", recorded)",
	"ReplicateKey.Tags/max":         "AWS answers too many tags with TagException (\"Too many tags\", recorded)",
	"TagResource.Tags/max":          "AWS answers too many tags with TagException (\"Too many tags\", recorded)",
	"CreateCustomKeyStore.Tags/max": "AWS answers too many tags with TagException (\"Too many tags\", recorded)",
}

type constraintShape struct {
	Type     string
	Min, Max *int64
	Enum     []string
	Pattern  string
	Required []string
	Members  map[string]struct{ Shape string }
	Member   *struct{ Shape string }
}

type constraintModel struct {
	Operations map[string]struct {
		Input struct{ Shape string }
	}
	Shapes map[string]constraintShape
}

// violation is one way to break a member's constraint: the value sent and the constraint's
// message (a regular expression).
type violation struct {
	constraint string
	value      any
	message    string
	path       string // the member as the message names it
}

func (m constraintModel) violations(s constraintShape) []violation {
	var out []violation
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			out = append(out, violation{constraint: "enum", value: "NOT_A_MODELED_VALUE", message: `^Member must satisfy enum value set: \[`})
		}
		if s.Max != nil {
			v := strings.Repeat("a", int(*s.Max)+1)
			out = append(out, violation{constraint: "max", value: v, message: fmt.Sprintf(`^Member must have length less than or equal to %d$`, *s.Max)})
		}
		if s.Min != nil && *s.Min > 1 {
			out = append(out, violation{constraint: "min", value: "a", message: fmt.Sprintf(`^Member must have length greater than or equal to %d$`, *s.Min)})
		}
		if s.Pattern != "" {
			re := compiledPattern(s.Pattern)
			for _, v := range []string{"!!", "\x01", "a b!", "UPPER!"} {
				n := int64(len(v))
				if !re.MatchString(v) && (s.Min == nil || n >= *s.Min) && (s.Max == nil || n <= *s.Max) {
					out = append(out, violation{constraint: "pattern", value: v, message: `^Member must satisfy regular expression pattern: ` + regexp.QuoteMeta(s.Pattern) + `$`})
					break
				}
			}
		}
	case "blob":
		if s.Max != nil {
			out = append(out, violation{constraint: "max", value: make([]byte, *s.Max+1), message: fmt.Sprintf(`^Member must have length less than or equal to %d$`, *s.Max)})
		}
		if s.Min != nil && *s.Min > 1 {
			out = append(out, violation{constraint: "min", value: []byte{1}, message: fmt.Sprintf(`^Member must have length greater than or equal to %d$`, *s.Min)})
		}
	case "integer":
		if s.Max != nil {
			out = append(out, violation{constraint: "max", value: *s.Max + 1, message: fmt.Sprintf(`^Member must have value less than or equal to %d$`, *s.Max)})
		}
		if s.Min != nil {
			out = append(out, violation{constraint: "min", value: *s.Min - 1, message: fmt.Sprintf(`^Member must have value greater than or equal to %d$`, *s.Min)})
		}
	case "list":
		if s.Max != nil {
			item := m.validValue("", m.Shapes[s.Member.Shape])
			list := make([]any, *s.Max+1)
			for i := range list {
				list[i] = item
			}
			out = append(out, violation{constraint: "max", value: list, message: fmt.Sprintf(`^Member must have length less than or equal to %d$`, *s.Max)})
		}
	}
	return out
}

// validRequest fills every required member of input except skip with a valid value.
func (m constraintModel) validRequest(input constraintShape, skip string) map[string]any {
	body := map[string]any{}
	for _, r := range input.Required {
		if r != skip {
			body[r] = m.validValue(r, m.Shapes[input.Members[r].Shape])
		}
	}
	return body
}

// validValues are valid values of members whose pattern or meaning a generic value misses.
var validValues = map[string]any{
	"KeyId": appDataKey, "SourceKeyId": appDataKey, "DestinationKeyId": appDataKey, "TargetKeyId": appDataKey,
	"AliasName": "alias/constraints", "GrantId": strings.Repeat("0", 64), "GranteePrincipal": "arn:aws:iam::111122223333:root",
	"RetiringPrincipal": "arn:aws:iam::111122223333:root", "PolicyName": "default", "Policy": "{}",
	"ReplicaRegion": "us-west-2", "PrimaryRegion": "us-west-2", "CustomKeyStoreId": "cks-1234567890abcdef0",
	"CustomKeyStoreName": "constraints", "TagKeys": []string{"k"},
}

func (m constraintModel) validValue(name string, s constraintShape) any {
	if v, ok := validValues[name]; ok {
		return v
	}
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		n := int64(1)
		if s.Min != nil && *s.Min > n {
			n = *s.Min
		}
		return strings.Repeat("a", int(n))
	case "blob":
		return []byte("constraints")
	case "integer":
		if s.Min != nil {
			return *s.Min
		}
		return 1
	case "boolean":
		return false
	case "list":
		return []any{m.validValue("", m.Shapes[s.Member.Shape])}
	case "structure":
		out := map[string]any{}
		for _, r := range s.Required {
			out[r] = m.validValue(r, m.Shapes[s.Members[r].Shape])
		}
		return out
	case "map":
		return map[string]string{"k": "v"}
	}
	return nil
}
