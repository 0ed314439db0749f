package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/rego"
)

// Kind selects how policy files are read: as key policies, identity policies, SCPs, or inferred.
type Kind string

// The kinds the linter accepts.
const (
	// KindAuto infers the kind per document: statements with Principal or NotPrincipal make a
	// resource (key) policy, or a role trust policy when their actions are all sts:*; otherwise an
	// identity policy. Key policies embedded in CloudFormation and Terraform are always key policies.
	KindAuto     Kind = "auto"
	KindKey      Kind = "key"
	KindIdentity Kind = "identity"
	KindSCP      Kind = "scp"
)

// Kinds lists the values --kind accepts.
var Kinds = []Kind{KindKey, KindIdentity, KindSCP, KindAuto}

// Linter checks policy documents. Build it once with New; it is safe for concurrent use.
type Linter struct {
	kind       Kind
	world      *fixtures.World
	keyAccount string
}

// Option configures a Linter.
type Option func(*Linter)

// WithKind sets how documents are read (default KindAuto).
func WithKind(k Kind) Option { return func(l *Linter) { l.kind = k } }

// WithWorld enables the world-aware checks (KMS020, KMS021) and supplies the key's account when a
// policy does not reveal it and the world has a single account.
func WithWorld(w *fixtures.World) Option { return func(l *Linter) { l.world = w } }

// WithKeyAccount fixes the account that owns the key(s), instead of inferring it from each policy.
func WithKeyAccount(id string) Option { return func(l *Linter) { l.keyAccount = id } }

// New returns a Linter.
func New(opts ...Option) *Linter {
	l := &Linter{kind: KindAuto}
	for _, o := range opts {
		o(l)
	}
	return l
}

// LintFile reads and lints one file. The error is a read error; problems in the file are findings.
func (l *Linter) LintFile(path string) ([]Finding, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return l.Lint(path, data), nil
}

// Lint checks the policies in data, read from file (a policy JSON file, a CloudFormation template
// in JSON or YAML, or `terraform show -json` output), and returns the findings sorted.
func (l *Linter) Lint(file string, data []byte) []Finding {
	var out []Finding
	for _, src := range sources(file, data) {
		c := &checker{l: l, src: src}
		c.run()
		out = append(out, c.out...)
	}
	Sort(out)
	return out
}

// Files expands paths into the files to lint: files as given, directories walked for *.json,
// *.yaml, *.yml and *.template files, sorted. Missing paths are errors.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".json", ".yaml", ".yml", ".template":
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

var severities = func() map[string]Severity {
	m := map[string]Severity{}
	for _, r := range Rules {
		m[r.ID] = r.Severity
	}
	return m
}()

// checker lints one policy document.
type checker struct {
	l          *Linter
	src        source
	kind       rego.Kind
	doc        *rego.Document
	stmts      []stmt
	keyAccount string
	out        []Finding
}

// stmt is a parsed statement with the tree it came from.
type stmt struct {
	rego.Statement
	n          *node
	ptr        string
	principals []principal
	actions    []*node // Action or NotAction elements, aligned with Statement.Actions
}

// principal is one element of a Principal or NotPrincipal.
type principal struct {
	typ   string // "*", AWS, Service, Federated, CanonicalUser
	value string // normalised: account ids become root ARNs
	n     *node
}

func (p principal) id() string {
	if p.typ == "*" {
		return "*"
	}
	return p.typ + ":" + p.value
}

func (c *checker) add(code string, at Pos, ptr string, st *stmt, format string, args ...any) {
	f := Finding{
		Code: code, Severity: severities[code], Message: fmt.Sprintf(format, args...),
		File: c.src.file, Line: at.Line, Column: at.Col, Resource: c.src.resource, Pointer: ptr, Statement: -1,
	}
	if st != nil {
		f.Statement, f.Sid = st.Index, st.Sid
	}
	if c.src.resource != "" {
		f.Message = c.src.resource + ": " + f.Message
	}
	c.out = append(c.out, f)
}

func (c *checker) run() {
	if c.src.err != nil {
		c.add(CodeInvalidJSON, c.src.err.Pos, "", nil, "%s", c.src.err.Msg)
		return
	}
	c.kind = c.inferKind()
	raw := c.src.raw
	if len(raw) > rego.MaxPolicySize {
		c.add(CodeTooLarge, c.src.docPos, "", nil, "the policy is %d bytes; AWS KMS accepts at most %d", len(raw), rego.MaxPolicySize)
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil || buf.Len() > rego.MaxPolicySize {
			return
		}
		raw = buf.Bytes()
	}
	d, err := rego.Parse(raw, c.kind)
	if err != nil {
		var es rego.Errors
		if !errors.As(err, &es) {
			c.add(CodeGrammar, c.src.docPos, "", nil, "%v", err)
			return
		}
		for _, e := range es {
			n := c.src.root.lookup(e.Location.Pointer)
			msg := e.Detail
			if msg == "" {
				msg = e.Message
			}
			var st *stmt
			if e.Location.Statement >= 0 {
				st = &stmt{Statement: rego.Statement{Index: e.Location.Statement, Sid: e.Location.Sid}}
			}
			c.add(CodeGrammar, n.at(), e.Location.Pointer, st, "%s (%s)", msg, e.Code)
		}
		return
	}
	c.doc = d
	c.bind()
	c.keyAccount = c.inferKeyAccount()

	for i := range c.stmts {
		st := &c.stmts[i]
		c.checkActions(st)
		c.checkConditions(st)
		if c.kind.ResourceBased() {
			c.checkPrincipals(st)
		}
		if c.kind == rego.KindKey {
			c.checkFullAccess(st)
			c.checkExternal(st)
			c.checkCreateGrant(st)
		}
		if c.l.world != nil {
			c.checkWorld(st)
		}
	}
	if c.kind == rego.KindKey {
		c.checkAdminAndUsage()
		c.checkLockout()
	}
	c.checkRedundant()
	c.checkUnreachable()
}

func (c *checker) inferKind() rego.Kind {
	if c.src.forceKey {
		return rego.KindKey
	}
	switch c.l.kind {
	case KindKey:
		return rego.KindKey
	case KindIdentity:
		return rego.KindIdentity
	case KindSCP:
		return rego.KindSCP
	}
	stmts := c.src.root.field("Statement").list()
	resource, allSTS := false, true
	for _, s := range stmts {
		if s.field("Principal") != nil || s.field("NotPrincipal") != nil {
			resource = true
		}
		acts := s.field("Action").list()
		if len(acts) == 0 {
			allSTS = false
		}
		for _, a := range acts {
			if !strings.HasPrefix(strings.ToLower(a.str), "sts:") {
				allSTS = false
			}
		}
	}
	switch {
	case resource && allSTS:
		return rego.KindTrust
	case resource:
		return rego.KindKey
	}
	return rego.KindIdentity
}

// bind pairs each parsed statement with its node, pointer, principals and action nodes.
func (c *checker) bind() {
	sn := c.src.root.field("Statement")
	for _, st := range c.doc.Statements {
		s := stmt{Statement: st}
		if sn.kind == 'a' {
			s.n, s.ptr = sn.elems[st.Index], fmt.Sprintf("/Statement/%d", st.Index)
		} else {
			s.n, s.ptr = sn, "/Statement"
		}
		field := "Principal"
		if st.NotPrincipal {
			field = "NotPrincipal"
		}
		s.principals = principalsOf(s.n.field(field))
		if st.NotAction {
			s.actions = s.n.field("NotAction").list()
		} else {
			s.actions = s.n.field("Action").list()
		}
		c.stmts = append(c.stmts, s)
	}
}

func principalsOf(n *node) []principal {
	if n == nil {
		return nil
	}
	if n.kind == 's' {
		return []principal{{typ: "*", value: "*", n: n}}
	}
	var out []principal
	for _, typ := range n.keys {
		for _, e := range n.fields[typ].list() {
			p := principal{typ: typ, value: e.str, n: e}
			if typ == "AWS" {
				switch {
				case e.str == "*":
					p.typ = "*"
				case accountRE.MatchString(e.str):
					p.value = "arn:aws:iam::" + e.str + ":root"
				}
			}
			out = append(out, p)
		}
	}
	return out
}

func (s *stmt) label() string {
	if s.Sid != "" {
		return fmt.Sprintf("statement %d (%q)", s.Index, s.Sid)
	}
	return fmt.Sprintf("statement %d", s.Index)
}

func (s *stmt) any() bool {
	for _, p := range s.principals {
		if p.typ == "*" {
			return true
		}
	}
	return false
}

// conditionNodes returns the node of a condition's key and of each of its values.
func (s *stmt) conditionNodes(cond rego.Condition) (*node, []*node) {
	k := s.n.field("Condition").field(cond.Operator).field(cond.Key)
	if k == nil {
		return s.n, nil
	}
	return k, k.list()
}

// inferKeyAccount returns the account owning the key: WithKeyAccount, else the account root of an
// Allow statement granting kms:* (or, failing that, kms:PutKeyPolicy), else StackAccount for
// CloudFormation, else the world's only account.
func (c *checker) inferKeyAccount() string {
	if c.l.keyAccount != "" {
		return c.l.keyAccount
	}
	for _, full := range []bool{true, false} {
		for _, st := range c.stmts {
			if st.Effect != "Allow" || st.NotPrincipal || st.NotAction {
				continue
			}
			if full && !hasFullAccess(st.Actions) || !full && !grants(st.Actions, "PutKeyPolicy") {
				continue
			}
			for _, p := range st.principals {
				if p.typ == "AWS" && isRoot(p.value) {
					return accountOf(p.value)
				}
			}
		}
	}
	if c.src.stack {
		return StackAccount
	}
	if w := c.l.world; w != nil && len(w.Accounts) == 1 {
		return w.Accounts[0].ID
	}
	return ""
}

func hasFullAccess(actions []string) bool {
	for _, a := range actions {
		if a == "*" || strings.EqualFold(a, "kms:*") {
			return true
		}
	}
	return false
}
