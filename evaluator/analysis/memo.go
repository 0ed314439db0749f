package analysis

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/rego"
)

// Principals that no policy can tell apart get the same answer: Evaluate remembers each answer
// by a signature of everything the policies can observe of the request (see signature), with
// the statements named by their place in the request (see placeholder), and names them for
// each principal it serves.

// maxMemo bounds the remembered answers; past it the memo starts over.
const maxMemo = 1 << 20

// memoEntry is a remembered answer.
type memoEntry struct {
	ways []template
	// shared is the answer every principal gets, when no statement name depends on the principal.
	shared   []Way
	reason   string
	reasoned bool // reason is set
}

// docInfo is what the signature needs of one policy document.
type docInfo struct {
	id int
	// strs holds the document's string values: a principal name not among them cannot be told
	// apart from another by the document.
	strs map[string]bool
	// personal is set when the document reads a condition key or policy variable whose value
	// differs between principals of one account (aws:PrincipalArn, aws:userid, aws:username,
	// aws:PrincipalTag/..., aws:PrincipalServiceName), or cannot be read.
	personal bool
}

// memo holds the remembered answers, the documents seen, and the subject and key parts of
// signatures, each kept once.
type memo struct {
	mu      sync.Mutex
	docs    map[string]*docInfo
	answers map[signature]*memoEntry
	sigs    map[subjectSig]*subjectSig
	keys    map[string]int
}

func newMemo() *memo {
	return &memo{docs: map[string]*docInfo{}, answers: map[signature]*memoEntry{}, sigs: map[subjectSig]*subjectSig{}, keys: map[string]int{}}
}

// signature is everything an answer can depend on (see Analyzer.signature). Its parts are
// kept once, so building one does not allocate.
type signature struct {
	subject *subjectSig
	key     int
	// names are the principal's ARN, role ARN and subject ARN where a document names them.
	names [3]string
	// extra holds the principal's personal values and the grants that name it, if any.
	extra string
}

// personalKeys are the condition keys whose value differs between principals of one account.
var personalKeys = map[string]bool{"aws:principalarn": true, "aws:userid": true, "aws:username": true, "aws:principalservicename": true}

func (m *memo) doc(d []byte, kind evaluator.PolicyKind) *docInfo {
	m.mu.Lock()
	info, ok := m.docs[string(d)]
	m.mu.Unlock()
	if ok {
		return info
	}
	info = &docInfo{strs: map[string]bool{}}
	var v any
	if err := json.Unmarshal(d, &v); err != nil {
		info.personal = true
	}
	collectStrings(v, info.strs)
	keys, err := rego.ConditionKeys(d, rego.Kind(kind))
	if err != nil {
		info.personal = true
	}
	for k := range keys {
		if personalKeys[k] || strings.HasPrefix(k, "aws:principaltag/") {
			info.personal = true
		}
	}
	m.mu.Lock()
	if old, ok := m.docs[string(d)]; ok {
		info = old
	} else {
		info.id = len(m.docs)
		m.docs[string(d)] = info
	}
	m.mu.Unlock()
	return info
}

func collectStrings(v any, into map[string]bool) {
	switch x := v.(type) {
	case string:
		into[x] = true
	case []any:
		for _, e := range x {
			collectStrings(e, into)
		}
	case map[string]any:
		for _, e := range x {
			collectStrings(e, into)
		}
	}
}

func (m *memo) get(sig signature) (*memoEntry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.answers[sig]
	return e, ok
}

func (m *memo) put(sig signature, e *memoEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.answers) >= maxMemo {
		m.answers = map[signature]*memoEntry{}
	}
	m.answers[sig] = e
}

// subjectSig is the part of a signature that depends on the subject alone: its kind, type,
// account and organization, its own policy documents in their places, and which of its names
// those documents mention.
type subjectSig struct {
	prefix   string
	personal bool
	// own[i]: name i (ARN, role ARN, subject ARN) is among the strings of its own documents.
	own [3]bool
}

func (a *Analyzer) subjectSig(s Subject, p evaluator.Principal) *subjectSig {
	var b strings.Builder
	for _, f := range []string{s.Kind, p.Type, p.Account, p.OrgID, strings.Join(p.OrgPaths, ",")} {
		b.WriteString(f)
		b.WriteByte(0)
	}
	ss := &subjectSig{}
	var infos []*docInfo
	add := func(tag byte, pol *evaluator.Policy) {
		info := a.memo.doc(pol.Document, pol.Kind)
		infos = append(infos, info)
		ss.personal = ss.personal || info.personal
		b.WriteByte(tag)
		b.WriteString(strconv.Itoa(info.id))
	}
	for i := range p.IdentityPolicies {
		add('i', &p.IdentityPolicies[i])
	}
	for i := range p.SessionPolicies {
		add('s', &p.SessionPolicies[i])
	}
	if p.Boundary != nil {
		add('b', p.Boundary)
	}
	for _, level := range p.SCPs {
		b.WriteByte('|')
		for i := range level {
			add('p', &level[i])
		}
	}
	for i, name := range []string{p.ARN, p.RoleARN, s.ARN} {
		for _, info := range infos {
			ss.own[i] = ss.own[i] || (name != "" && info.strs[name])
		}
	}
	if ss.personal {
		fmt.Fprintf(&b, "\x00%s\x00%s\x00%s\x00%v", p.UserID, p.Name, p.SessionName, sortedTags(p.Tags))
	}
	ss.prefix = b.String()
	a.memo.mu.Lock()
	defer a.memo.mu.Unlock()
	if kept, ok := a.memo.sigs[*ss]; ok {
		return kept
	}
	a.memo.sigs[*ss] = ss
	return ss
}

// keyID numbers a key part of signatures: key ARN, action, key policy and grants.
func (m *memo) keyID(arn, action string, kp *docInfo, grants []evaluator.Grant) int {
	var b strings.Builder
	b.WriteString(arn + "\x00" + action + "\x00" + strconv.Itoa(kp.id))
	for _, g := range grants {
		fmt.Fprintf(&b, "\x00%s %s %v %v %v", g.ID, g.GranteePrincipal, g.Operations, g.EncryptionContextEquals, g.EncryptionContextSubset)
	}
	k := b.String()
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.keys[k]
	if !ok {
		id = len(m.keys)
		m.keys[k] = id
	}
	return id
}

// signature is everything the answer for subject s (with principal p, its identity policies
// possibly replaced) to the query kq can depend on: its subjectSig, the key part (key, action,
// key policy, grants), the principal's names where some document names them (all of its names
// when a document reads a personal condition key), and the grants that name it.
func (a *Analyzer) signature(s *Subject, p *evaluator.Principal, replaced bool, kq *keyQuery) signature {
	ss := s.sig
	if ss == nil || replaced {
		ss = a.subjectSig(*s, *p)
	}
	sig := signature{subject: ss, key: kq.id}
	personal := ss.personal || kq.doc.personal
	for i, name := range [3]string{p.ARN, p.RoleARN, s.ARN} {
		if name != "" && (personal || ss.own[i] || kq.doc.strs[name]) {
			sig.names[i] = name
		}
	}
	if personal && !ss.personal {
		sig.extra = fmt.Sprintf("%s\x00%s\x00%s\x00%v", p.UserID, p.Name, p.SessionName, sortedTags(p.Tags))
	}
	for _, g := range kq.grants {
		if g.GranteePrincipal == s.ARN || g.GranteePrincipal == p.ARN || (p.RoleARN != "" && g.GranteePrincipal == p.RoleARN) ||
			(p.Account != "" && g.GranteePrincipal == "arn:aws:iam::"+p.Account+":root") {
			sig.extra += "\x00g" + g.ID
		}
	}
	return sig
}

func sortedTags(tags map[string]string) []string {
	out := make([]string, 0, len(tags))
	for k, v := range tags {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// placeholder names a matched statement by its place in the request (role, SCP level, position
// in its list); Suffix is its index and Sid.
type placeholder struct {
	Role            string
	Level, Position int
	Suffix          string
}

func placeholderOf(m rego.PartialMatch) placeholder {
	ph := placeholder{Role: m.Role, Level: m.Level, Position: m.Position, Suffix: fmt.Sprintf("#%d", m.Index)}
	if m.Sid != "" {
		ph.Suffix += fmt.Sprintf(" %q", m.Sid)
	}
	return ph
}

// policyID is the id of the policy a placeholder refers to in req.
func (ph placeholder) policyID(req *evaluator.Request) string {
	p := &req.Principal
	at := func(ps []evaluator.Policy, i int) string {
		if i >= 0 && i < len(ps) {
			return ps[i].ID
		}
		return "?"
	}
	switch ph.Role {
	case rego.RoleResource:
		return req.ResourcePolicy.ID
	case rego.RoleSCP:
		if ph.Level < len(p.SCPs) {
			return at(p.SCPs[ph.Level], ph.Position)
		}
	case rego.RoleIdentity:
		return at(p.IdentityPolicies, ph.Position)
	case rego.RoleBoundary:
		if p.Boundary != nil {
			return p.Boundary.ID
		}
	case rego.RoleSession:
		return at(p.SessionPolicies, ph.Position)
	}
	return "?"
}

// template is a remembered way: its statements are placeholders or names. When all are
// names, way.Statements holds them, sorted, for every principal to share.
type template struct {
	way   Way
	stmts []stmtRef
}

// resolveResource names the key policy's statements in ts (the key policy is the same for every
// principal a memo entry serves) and returns the named ways when no other statement is left to
// name (nil otherwise).
func resolveResource(ts []template, keyPolicyID string) []Way {
	all := true
	for i := range ts {
		t := &ts[i]
		fixed := true
		for j, r := range t.stmts {
			if r.ph != nil && r.ph.Role == rego.RoleResource {
				t.stmts[j] = stmtRef{name: keyPolicyID + r.ph.Suffix}
			}
			fixed = fixed && t.stmts[j].ph == nil
		}
		if fixed {
			names := make([]string, len(t.stmts))
			for j, r := range t.stmts {
				names[j] = r.name
			}
			slices.Sort(names)
			t.way.Statements = slices.Compact(names)
		}
		all = all && fixed
	}
	if !all || len(ts) == 0 {
		return nil
	}
	return named(ts, nil)
}

type stmtRef struct {
	ph   *placeholder // nil: name is the statement
	name string
}

func (r stmtRef) key() string {
	if r.ph == nil {
		return r.name
	}
	return fmt.Sprintf("\x00%s\x00%d\x00%d\x00%s", r.ph.Role, r.ph.Level, r.ph.Position, r.ph.Suffix)
}

// named returns the ways of ts for req: statements named, sorted and deduplicated; the ways
// deduplicated and sorted.
func named(ts []template, req *evaluator.Request) []Way {
	if len(ts) == 0 {
		return nil
	}
	out := make([]Way, 0, len(ts))
	for _, t := range ts {
		w := t.way
		if w.Statements != nil {
			out = append(out, w)
			continue
		}
		w.Statements = make([]string, len(t.stmts))
		for i, r := range t.stmts {
			if r.ph == nil {
				w.Statements[i] = r.name
			} else {
				w.Statements[i] = r.ph.policyID(req) + r.ph.Suffix
			}
		}
		if len(w.Statements) > 1 {
			slices.Sort(w.Statements)
			w.Statements = slices.Compact(w.Statements)
		}
		out = append(out, w)
	}
	if len(out) > 1 {
		slices.SortFunc(out, compareWays)
		out = slices.CompactFunc(out, func(x, y Way) bool { return compareWays(x, y) == 0 })
	}
	return out
}

// compareWays orders ways by path, conditions, then statements.
func compareWays(x, y Way) int {
	if c := strings.Compare(x.Path, y.Path); c != 0 {
		return c
	}
	if c := slices.Compare(x.Conditions, y.Conditions); c != 0 {
		return c
	}
	return slices.Compare(x.Statements, y.Statements)
}
