package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// StackAccount stands for the account a CloudFormation stack is deployed in: ${AWS::AccountId} and
// !Ref AWS::AccountId become this id so that ARNs built from them stay valid principals.
const StackAccount = "000000000000"

// source is one policy document found in a file.
type source struct {
	file     string
	resource string // CloudFormation logical id or Terraform address; "" for a policy file
	root     *node  // the policy, positioned in file
	raw      []byte // the policy's JSON text, as handed to rego.Parse
	docPos   Pos    // where the policy starts in file
	forceKey bool   // embedded key policies are always key policies
	stack    bool   // a CloudFormation key policy: StackAccount is the key's account
	err      *SyntaxError
}

// format is what a file holds.
type format int

const (
	formatPolicy format = iota
	formatCloudFormation
	formatTerraform
)

// sources splits a file into the policy documents it holds.
func sources(file string, data []byte) []source {
	ext := strings.ToLower(filepath.Ext(file))
	trimmed := bytes.TrimSpace(data)
	isJSON := ext == ".json" || (len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['))
	if !isJSON {
		root, err := parseYAML(data)
		if err != nil {
			return []source{{file: file, err: err.(*SyntaxError)}}
		}
		return cloudFormation(file, root)
	}
	root, _, err := parseJSON(data)
	if err != nil {
		return []source{{file: file, err: err.(*SyntaxError)}}
	}
	switch detect(root) {
	case formatCloudFormation:
		return cloudFormation(file, root)
	case formatTerraform:
		return terraform(file, root)
	}
	return []source{{file: file, root: root, raw: data, docPos: root.pos}}
}

func detect(root *node) format {
	if root.kind != 'o' {
		return formatPolicy
	}
	if root.field("Statement") != nil {
		return formatPolicy
	}
	if res := root.field("Resources"); res != nil && res.kind == 'o' {
		return formatCloudFormation
	}
	if root.field("resource_changes") != nil || root.field("planned_values") != nil || root.field("terraform_version") != nil {
		return formatTerraform
	}
	return formatPolicy
}

// cloudFormation returns the KeyPolicy of every AWS::KMS::Key resource, in template order.
func cloudFormation(file string, root *node) []source {
	res := root.field("Resources")
	if res == nil || res.kind != 'o' {
		return nil
	}
	var out []source
	for _, id := range res.keys {
		r := res.fields[id]
		if t := r.field("Type"); t == nil || t.kind != 's' || t.str != "AWS::KMS::Key" {
			continue
		}
		kp := r.field("Properties").field("KeyPolicy")
		if kp == nil {
			continue
		}
		if kp.kind == 's' {
			s := embedded(file, id, kp)
			s.stack = true
			out = append(out, s)
			continue
		}
		doc := resolveIntrinsics(kp, false)
		raw, err := json.Marshal(doc.value())
		if err != nil {
			continue
		}
		out = append(out, source{file: file, resource: id, root: doc, raw: raw, docPos: kp.at(), forceKey: true, stack: true})
	}
	return out
}

// embedded reads a policy held as a JSON string; its findings point at the string.
func embedded(file, resource string, s *node) source {
	src := source{file: file, resource: resource, raw: []byte(s.str), docPos: s.pos, forceKey: true}
	root, _, err := parseJSON(src.raw)
	if err != nil {
		se := err.(*SyntaxError)
		src.err = &SyntaxError{Pos: s.pos, Msg: fmt.Sprintf("%s (at %d:%d of the embedded policy)", se.Msg, se.Pos.Line, se.Pos.Col)}
		return src
	}
	root.flatten(s.pos)
	src.root = root
	return src
}

// terraform returns the key policies of aws_kms_key and aws_kms_key_policy resources in `terraform show
// -json` output: resource_changes[].change.after.policy, then planned_values (root and child modules)
// for addresses not already seen.
func terraform(file string, root *node) []source {
	var out []source
	seen := map[string]bool{}
	add := func(addr, typ string, policy *node) {
		if typ != "aws_kms_key" && typ != "aws_kms_key_policy" {
			return
		}
		if policy == nil || policy.kind != 's' || strings.TrimSpace(policy.str) == "" || seen[addr] {
			return
		}
		seen[addr] = true
		out = append(out, embedded(file, addr, policy))
	}
	if rc := root.field("resource_changes"); rc != nil {
		for _, r := range rc.elems {
			add(str(r.field("address")), str(r.field("type")), r.field("change").field("after").field("policy"))
		}
	}
	var walk func(m *node, depth int)
	walk = func(m *node, depth int) {
		if m == nil || depth > 50 {
			return
		}
		if rs := m.field("resources"); rs != nil {
			for _, r := range rs.elems {
				add(str(r.field("address")), str(r.field("type")), r.field("values").field("policy"))
			}
		}
		if cm := m.field("child_modules"); cm != nil {
			for _, c := range cm.elems {
				walk(c, depth+1)
			}
		}
	}
	walk(root.field("planned_values").field("root_module"), 0)
	return out
}

func str(n *node) string {
	if n == nil || n.kind != 's' {
		return ""
	}
	return n.str
}

var subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// resolveIntrinsics replaces CloudFormation intrinsic functions ({"Ref": ...}, {"Fn::Sub": ...},
// {"Fn::GetAtt": ...}, {"Fn::Join": ...}, others) with strings, keeping positions. Pseudo parameters
// resolve to StackAccount, "aws" and "us-east-1"; other references keep their name. Inside a
// Principal, a reference that is not already an ARN becomes a role ARN in StackAccount, so that the
// policy still parses.
func resolveIntrinsics(n *node, principal bool) *node {
	switch n.kind {
	case 'o':
		if len(n.keys) == 1 && (n.keys[0] == "Ref" || strings.HasPrefix(n.keys[0], "Fn::")) {
			s := intrinsic(n.keys[0], n.fields[n.keys[0]])
			if principal && !strings.HasPrefix(s, "arn:") && !accountRE.MatchString(s) && s != "*" {
				s = "arn:aws:iam::" + StackAccount + ":role/" + sanitize(strings.TrimSuffix(s, ".Arn"))
			}
			return &node{kind: 's', str: s, pos: n.pos, keyPos: n.keyPos, hasKey: n.hasKey}
		}
		out := *n
		out.fields = make(map[string]*node, len(n.fields))
		for k, v := range n.fields {
			out.fields[k] = resolveIntrinsics(v, principal || k == "Principal" || k == "NotPrincipal")
		}
		return &out
	case 'a':
		out := *n
		out.elems = make([]*node, len(n.elems))
		for i, e := range n.elems {
			out.elems[i] = resolveIntrinsics(e, principal)
		}
		return &out
	}
	return n
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

func sanitize(s string) string {
	s = strings.NewReplacer("${", "", "}", "", ".", "-", ":", "-", " ", "-").Replace(s)
	if s == "" {
		return "Ref"
	}
	return s
}

func pseudo(name string) (string, bool) {
	switch name {
	case "AWS::AccountId":
		return StackAccount, true
	case "AWS::Partition":
		return "aws", true
	case "AWS::Region":
		return "us-east-1", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::StackName":
		return "stack", true
	}
	return "", false
}

func intrinsic(fn string, arg *node) string {
	switch fn {
	case "Ref":
		if arg.kind == 's' {
			if v, ok := pseudo(arg.str); ok {
				return v
			}
			return arg.str
		}
	case "Fn::Sub":
		tmpl, vars := arg, (*node)(nil)
		if arg.kind == 'a' && len(arg.elems) > 0 {
			tmpl = arg.elems[0]
			if len(arg.elems) > 1 {
				vars = arg.elems[1]
			}
		}
		if tmpl.kind != 's' {
			return "${Fn::Sub}"
		}
		return subVar.ReplaceAllStringFunc(tmpl.str, func(m string) string {
			name := m[2 : len(m)-1]
			if v, ok := pseudo(name); ok {
				return v
			}
			if vars != nil {
				if v := vars.field(name); v != nil {
					return leaf(v)
				}
			}
			return sanitize(name)
		})
	case "Fn::GetAtt":
		parts := []string{}
		for _, e := range arg.list() {
			parts = append(parts, leaf(e))
		}
		return strings.Join(parts, ".")
	case "Fn::Join":
		if arg.kind == 'a' && len(arg.elems) == 2 && arg.elems[1].kind == 'a' {
			var parts []string
			for _, e := range arg.elems[1].elems {
				parts = append(parts, leaf(e))
			}
			return strings.Join(parts, leaf(arg.elems[0]))
		}
	case "Fn::ImportValue", "Fn::Select", "Fn::If", "Fn::FindInMap", "Fn::Base64":
	}
	return "${" + fn + "}"
}

// leaf renders a scalar or a nested intrinsic as a string.
func leaf(n *node) string {
	switch n.kind {
	case 's', 'n', 'b':
		return n.str
	case 'o':
		if len(n.keys) == 1 {
			return intrinsic(n.keys[0], n.fields[n.keys[0]])
		}
	}
	return ""
}
