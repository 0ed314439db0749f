package evaluator

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Case is one data-driven evaluator test: policies, a request and the expected decision.
// Policies are written inline (as YAML/JSON objects) or as "@name", which loads
// policies/name.json next to the cases directory.
type Case struct {
	Note string `yaml:"note"`
	// File is the YAML file the case came from.
	File string `yaml:"-"`

	KeyPolicy        PolicyDoc     `yaml:"key_policy"`
	TrustPolicy      PolicyDoc     `yaml:"trust_policy"`
	IdentityPolicies []PolicyDoc   `yaml:"identity_policies"`
	SCPs             [][]PolicyDoc `yaml:"scps"`
	Boundary         PolicyDoc     `yaml:"boundary"`
	SessionPolicies  []PolicyDoc   `yaml:"session_policies"`
	// VPCEPolicy is the policy of the VPC endpoint the request came through.
	VPCEPolicy PolicyDoc `yaml:"vpce_policy"`

	Principal       CasePrincipal         `yaml:"principal"`
	Action          string                `yaml:"action"`
	Resource        string                `yaml:"resource"`
	ResourceAccount string                `yaml:"resource_account"`
	Context         map[string]StringList `yaml:"context"`
	// Grants are grants on the key; a grant's key_arn defaults to the case's resource.
	Grants []CaseGrant `yaml:"grants"`

	WantDecision Effect          `yaml:"want_decision"`
	WantReason   DenyReason      `yaml:"want_reason"`
	WantMatched  []WantStatement `yaml:"want_matched"`
	WantMissing  []string        `yaml:"want_missing_context"`
	// WantGrant is the id of the grant that must allow the request ("" checks nothing; "none"
	// requires that no grant allowed it).
	WantGrant     string `yaml:"want_grant"`
	WantErrorCode string `yaml:"want_error_code"`
}

// CaseGrant is a Grant in case files.
type CaseGrant struct {
	ID         string            `yaml:"id"`
	KeyARN     string            `yaml:"key_arn"`
	Grantee    string            `yaml:"grantee"`
	Operations []string          `yaml:"operations"`
	Equals     map[string]string `yaml:"encryption_context_equals"`
	Subset     map[string]string `yaml:"encryption_context_subset"`
}

// WantStatement names an expected matched statement by policy kind and Sid or index.
type WantStatement struct {
	Kind   PolicyKind `yaml:"kind"`
	Sid    string     `yaml:"sid"`
	Index  *int       `yaml:"index"`
	Effect string     `yaml:"effect"`
}

// Matches reports whether s is the statement w describes.
func (w WantStatement) Matches(s Statement) bool {
	if w.Kind != "" && w.Kind != s.PolicyKind {
		return false
	}
	if w.Sid != "" && w.Sid != s.Sid {
		return false
	}
	if w.Index != nil && *w.Index != s.Index {
		return false
	}
	return w.Effect == "" || w.Effect == s.Effect
}

// CasePrincipal is a Principal in case files. Only arn is required: type, account, role_arn,
// session_name and name are derived from it when absent (see PrincipalFromARN).
type CasePrincipal struct {
	ARN         string            `yaml:"arn"`
	Type        string            `yaml:"type"`
	Account     string            `yaml:"account"`
	UserID      string            `yaml:"user_id"`
	Name        string            `yaml:"name"`
	RoleARN     string            `yaml:"role_arn"`
	SessionName string            `yaml:"session_name"`
	Tags        map[string]string `yaml:"tags"`
	OrgID       string            `yaml:"org_id"`
	OrgPaths    []string          `yaml:"org_paths"`
}

// PolicyDoc is a policy document in a case file: a YAML mapping, a JSON string, or "@name".
type PolicyDoc struct {
	// Ref is the name after "@", if the document was a reference.
	Ref  string
	JSON []byte
}

// UnmarshalYAML reads a mapping as the policy itself and a string as JSON text or "@name".
func (p *PolicyDoc) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if strings.HasPrefix(n.Value, "@") {
			p.Ref = n.Value[1:]
			return nil
		}
		p.JSON = []byte(n.Value)
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	p.JSON = b
	return nil
}

func (p PolicyDoc) empty() bool { return p.Ref == "" && p.JSON == nil }

// StringList is a condition value: a scalar or a list of scalars.
type StringList []string

// UnmarshalYAML accepts a scalar or a sequence.
func (s *StringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = []string{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*s = l
	return nil
}

// LoadCases reads every *.yaml file in dir (each a list of cases), resolves "@name" policy
// references against dir/../policies, and returns the cases sorted by file and position.
func LoadCases(dir string) ([]Case, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	refs := map[string][]byte{}
	resolve := func(p *PolicyDoc) error {
		if p.Ref == "" {
			return nil
		}
		if b, ok := refs[p.Ref]; ok {
			p.JSON = b
			return nil
		}
		b, err := os.ReadFile(filepath.Join(dir, "..", "policies", p.Ref+".json"))
		if err != nil {
			return err
		}
		refs[p.Ref], p.JSON = b, b
		return nil
	}
	var out []Case
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var cs []Case
		if err := yaml.Unmarshal(b, &cs); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for i := range cs {
			c := &cs[i]
			c.File = filepath.Base(f)
			docs := []*PolicyDoc{&c.KeyPolicy, &c.TrustPolicy, &c.Boundary, &c.VPCEPolicy}
			for j := range c.IdentityPolicies {
				docs = append(docs, &c.IdentityPolicies[j])
			}
			for j := range c.SessionPolicies {
				docs = append(docs, &c.SessionPolicies[j])
			}
			for j := range c.SCPs {
				for k := range c.SCPs[j] {
					docs = append(docs, &c.SCPs[j][k])
				}
			}
			for _, d := range docs {
				if err := resolve(d); err != nil {
					return nil, fmt.Errorf("%s: case %q: %w", f, c.Note, err)
				}
			}
		}
		out = append(out, cs...)
	}
	return out, nil
}

// MustLoadCases is LoadCases that panics on error.
func MustLoadCases(dir string) []Case {
	cs, err := LoadCases(dir)
	if err != nil {
		panic(err)
	}
	return cs
}

// Request builds the evaluator Request the case describes. Policy IDs are "key", "trust",
// "identity/N", "scp/LEVEL/N", "boundary", "session/N" and "vpce".
func (c Case) Request() Request {
	p := PrincipalFromARN(c.Principal.ARN)
	cp := c.Principal
	for dst, src := range map[*string]string{&p.Type: cp.Type, &p.Account: cp.Account, &p.UserID: cp.UserID,
		&p.Name: cp.Name, &p.RoleARN: cp.RoleARN, &p.SessionName: cp.SessionName, &p.OrgID: cp.OrgID} {
		if src != "" {
			*dst = src
		}
	}
	p.Tags, p.OrgPaths = cp.Tags, cp.OrgPaths
	for i, d := range c.IdentityPolicies {
		p.IdentityPolicies = append(p.IdentityPolicies, Policy{ID: fmt.Sprintf("identity/%d", i), Kind: KindIdentity, Document: d.JSON})
	}
	for lvl, level := range c.SCPs {
		var ps []Policy
		for i, d := range level {
			ps = append(ps, Policy{ID: fmt.Sprintf("scp/%d/%d", lvl, i), Kind: KindSCP, Document: d.JSON})
		}
		p.SCPs = append(p.SCPs, ps)
	}
	if !c.Boundary.empty() {
		p.Boundary = &Policy{ID: "boundary", Kind: KindBoundary, Document: c.Boundary.JSON}
	}
	for i, d := range c.SessionPolicies {
		p.SessionPolicies = append(p.SessionPolicies, Policy{ID: fmt.Sprintf("session/%d", i), Kind: KindSession, Document: d.JSON})
	}
	req := Request{Principal: p, Action: c.Action, Resource: c.Resource, ResourceAccount: c.ResourceAccount}
	if req.Resource == "" {
		req.Resource = "*"
	}
	switch {
	case !c.KeyPolicy.empty():
		req.ResourcePolicy = &Policy{ID: "key", Kind: KindKey, Document: c.KeyPolicy.JSON}
	case !c.TrustPolicy.empty():
		req.ResourcePolicy = &Policy{ID: "trust", Kind: KindTrust, Document: c.TrustPolicy.JSON}
	}
	if !c.VPCEPolicy.empty() {
		req.VPCEPolicy = &Policy{ID: "vpce", Kind: KindVPCE, Document: c.VPCEPolicy.JSON}
	}
	for _, g := range c.Grants {
		key := g.KeyARN
		if key == "" {
			key = req.Resource
		}
		req.Grants = append(req.Grants, Grant{ID: g.ID, KeyARN: key, GranteePrincipal: g.Grantee, Operations: g.Operations,
			EncryptionContextEquals: g.Equals, EncryptionContextSubset: g.Subset})
	}
	if len(c.Context) > 0 {
		req.Context = map[string][]string{}
		for k, v := range c.Context {
			req.Context[k] = v
		}
	}
	return req
}

// PrincipalFromARN derives a Principal from a caller ARN: root
// (arn:aws:iam::ACCOUNT:root), IAM user (Name is the user name), assumed-role session
// (RoleARN is arn:aws:iam::ACCOUNT:role/NAME; the role path is unknown and taken as /), federated
// user, or, for a string without "arn:", an AWS service principal such as "ec2.amazonaws.com".
func PrincipalFromARN(arn string) Principal {
	if !strings.HasPrefix(arn, "arn:") {
		return Principal{ARN: arn, Type: "AWSService", Name: arn}
	}
	p := Principal{ARN: arn, Account: arnAccount(arn)}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return p
	}
	res := parts[5]
	switch {
	case res == "root":
		p.Type, p.UserID = "Root", p.Account
	case strings.HasPrefix(res, "user/"):
		p.Type = "IAMUser"
		p.Name = res[strings.LastIndexByte(res, '/')+1:]
		p.UserID = "AIDA" + strings.ToUpper(p.Name)
	case strings.HasPrefix(res, "assumed-role/"):
		p.Type = "AssumedRole"
		rs := strings.SplitN(strings.TrimPrefix(res, "assumed-role/"), "/", 2)
		p.RoleARN = "arn:" + parts[1] + ":iam::" + p.Account + ":role/" + rs[0]
		if len(rs) == 2 {
			p.SessionName = rs[1]
		}
		p.UserID = "AROA" + strings.ToUpper(rs[0]) + ":" + p.SessionName
	case strings.HasPrefix(res, "federated-user/"):
		p.Type = "FederatedUser"
	}
	return p
}
