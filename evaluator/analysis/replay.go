package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/trail"
)

// QueryFunc runs SQL over a trail's events table (trail.Store.Query, or the live server's route).
type QueryFunc func(ctx context.Context, sql string) (*trail.Result, error)

// ReplayQuery re-evaluates the recorded calls on a key under a proposed key policy.
type ReplayQuery struct {
	Key *fixtures.Key
	// KeyPolicy is the proposed key policy.
	KeyPolicy []byte
	// Since keeps the calls at or after it (zero: all).
	Since time.Time
	// PageSize is how many rows one query fetches (default 5000).
	PageSize int
}

// ReplayedCall is one recorded call whose outcome the proposal changes.
type ReplayedCall struct {
	EventID   string `json:"eventID"`
	EventTime string `json:"eventTime"`
	EventName string `json:"eventName"`
	Action    string `json:"action"`
	Principal string `json:"principal"`
	// Before and After are the decisions' effects under the current and the proposed policy.
	Before evaluator.Effect `json:"before"`
	After  evaluator.Effect `json:"after"`
	// Statement is the statement responsible for the change, or the layer that now denies.
	Statement string `json:"statement"`
	// Unbuilt lists the parts of the request context the record could not give.
	Unbuilt []string `json:"unbuilt,omitempty"`
}

// ReplayGroup gathers the changed calls of one principal and operation.
type ReplayGroup struct {
	Principal string         `json:"principal"`
	EventName string         `json:"eventName"`
	Change    string         `json:"change"` // "allowed→denied" or "denied→allowed"
	Count     int            `json:"count"`
	Statement string         `json:"statement"`
	Calls     []ReplayedCall `json:"calls"`
}

// ReplayReport is what a replay found.
type ReplayReport struct {
	Key string `json:"key"`
	// Calls is how many recorded calls on the key were read; Evaluated how many were re-decided.
	Calls     int `json:"calls"`
	Evaluated int `json:"evaluated"`
	Changed   int `json:"changed"`
	// Groups are the changed calls by principal, operation and direction, sorted.
	Groups []ReplayGroup `json:"groups"`
	// UnknownPrincipals counts, by ARN, the calls of principals the world does not have (skipped).
	UnknownPrincipals map[string]int `json:"unknownPrincipals"`
	// Unbuilt counts, by what was missing, the calls whose context could not be fully rebuilt.
	Unbuilt map[string]int `json:"unbuilt"`
}

// Replay reads every recorded call on q.Key (in pages, through query) and lists those whose
// outcome the proposed key policy changes against the current one.
func (a *Analyzer) Replay(ctx context.Context, query QueryFunc, q ReplayQuery) (*ReplayReport, error) {
	keyARN := a.world.KeyARN(q.Key)
	rep := &ReplayReport{Key: keyARN, UnknownPrincipals: map[string]int{}, Unbuilt: map[string]int{}}
	current := worldview.KeyPolicy(a.world, q.Key)
	proposed := &evaluator.Policy{ID: "proposed", Kind: evaluator.KindKey, Document: q.KeyPolicy}
	if err := evaluator.CheckPolicy(q.KeyPolicy, evaluator.KindKey); err != nil {
		return nil, fmt.Errorf("proposed key policy: %w", err)
	}
	page := q.PageSize
	if page <= 0 {
		page = 5000
	}
	r := &replayer{a: a, key: q.Key, keyARN: keyARN, current: current, proposed: proposed,
		principals: map[string]*evaluator.Principal{}, memo: map[string][2]evaluator.Decision{}, readsClock: map[string]bool{}}
	groups := map[string]*ReplayGroup{}
	last := ""
	// The calls on the key, and the ReEncrypt calls whose destination it is (their record names it).
	where := "(keyArn = " + sqlString(keyARN) + " OR (eventName = 'ReEncrypt' AND contains(CAST(record AS VARCHAR), " + sqlString(q.Key.ID) + ")))"
	if !q.Since.IsZero() {
		where += " AND eventTime >= TIMESTAMP " + sqlString(q.Since.UTC().Format("2006-01-02 15:04:05"))
	}
	for {
		sql := fmt.Sprintf("SELECT eventID, CAST(record AS VARCHAR) AS record FROM events WHERE %s AND eventID > %s ORDER BY eventID LIMIT %d",
			where, sqlString(last), page)
		res, err := query(ctx, sql)
		if err != nil {
			return nil, err
		}
		for _, row := range res.Rows {
			id, _ := row[0].(string)
			last = id
			text, ok := row[1].(string)
			if !ok {
				b, _ := json.Marshal(row[1])
				text = string(b)
			}
			var rec trail.Record
			if err := json.Unmarshal([]byte(text), &rec); err != nil {
				return nil, fmt.Errorf("event %s: %w", id, err)
			}
			call, p, sides := r.rebuild(&rec, rep)
			if sides == nil {
				continue // a ReEncrypt that names the key's id elsewhere than as its source or destination
			}
			rep.Calls++
			if p == nil {
				continue
			}
			for _, u := range call.Unbuilt {
				rep.Unbuilt[u]++
			}
			before, after, err := r.decide(ctx, call.Principal, p, sides)
			if err != nil {
				return nil, err
			}
			rep.Evaluated++
			if before.Allowed() == after.Allowed() {
				continue
			}
			rep.Changed++
			call.Before, call.After = before.Effect, after.Effect
			call.Statement = responsible(before, after)
			change := "allowed→denied"
			if after.Allowed() {
				change = "denied→allowed"
			}
			gk := call.Principal + "\x00" + call.EventName + "\x00" + change
			g := groups[gk]
			if g == nil {
				g = &ReplayGroup{Principal: call.Principal, EventName: call.EventName, Change: change, Statement: call.Statement}
				groups[gk] = g
			}
			g.Count++
			if len(g.Calls) < maxCallsPerGroup {
				g.Calls = append(g.Calls, call)
			}
		}
		if len(res.Rows) < page {
			break
		}
	}
	for _, g := range groups {
		rep.Groups = append(rep.Groups, *g)
	}
	slices.SortFunc(rep.Groups, func(x, y ReplayGroup) int {
		return strings.Compare(x.Principal+"\x00"+x.EventName+"\x00"+x.Change, y.Principal+"\x00"+y.EventName+"\x00"+y.Change)
	})
	return rep, nil
}

// clockKeys are the condition keys whose values change with every recorded call's time.
var clockKeys = []string{"aws:currenttime", "aws:epochtime"}

// policiesReadClock reports whether any policy that decides p's calls mentions a clock key.
func policiesReadClock(p evaluator.Principal, keyPolicies ...*evaluator.Policy) bool {
	docs := [][]byte{}
	for _, kp := range keyPolicies {
		docs = append(docs, kp.Document)
	}
	for _, pol := range p.IdentityPolicies {
		docs = append(docs, pol.Document)
	}
	for _, pol := range p.SessionPolicies {
		docs = append(docs, pol.Document)
	}
	if p.Boundary != nil {
		docs = append(docs, p.Boundary.Document)
	}
	for _, level := range p.SCPs {
		for _, pol := range level {
			docs = append(docs, pol.Document)
		}
	}
	for _, d := range docs {
		lower := strings.ToLower(string(d))
		for _, k := range clockKeys {
			if strings.Contains(lower, k) {
				return true
			}
		}
	}
	return false
}

// memoKey identifies a call for decision reuse: principal, action and context (sorted), without
// the clock keys unless the policies read them.
func memoKey(principal, action string, context map[string][]string, withClock bool) string {
	keys := make([]string, 0, len(context))
	for k := range context {
		if !withClock && slices.Contains(clockKeys, strings.ToLower(k)) {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(principal)
	b.WriteByte(0)
	b.WriteString(action)
	for _, k := range keys {
		b.WriteByte(0)
		b.WriteString(k)
		for _, v := range context[k] {
			b.WriteByte(1)
			b.WriteString(v)
		}
	}
	return b.String()
}

// maxCallsPerGroup bounds the calls a group keeps as examples; Count has them all.
const maxCallsPerGroup = 20

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// responsible names the statement that makes the difference: for a loss, the denying statement
// of the proposal or the key policy statement that allowed before; for a gain, the proposal's
// allowing key policy statement.
func responsible(before, after evaluator.Decision) string {
	if after.Allowed() {
		return statementsOf(after, "Allow", "proposed")
	}
	if after.Effect == evaluator.ExplicitDeny {
		if s := statementsOf(after, "Deny", ""); s != "" {
			return s
		}
	}
	s := statementsOf(before, "Allow", "key/")
	if s == "" {
		return string(after.Reason)
	}
	return string(after.Reason) + " (allowed before by " + s + ")"
}

func statementsOf(d evaluator.Decision, effect, policyPrefix string) string {
	var out []string
	for _, st := range d.Matched {
		if st.Effect != effect || (policyPrefix != "" && !strings.HasPrefix(st.PolicyID, policyPrefix)) {
			continue
		}
		s := fmt.Sprintf("%s#%d", st.PolicyID, st.Index)
		if st.Sid != "" {
			s += fmt.Sprintf(" %q", st.Sid)
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

// replayer holds what a replay reuses across calls: the principals it found, and the decisions
// it made.
type replayer struct {
	a                 *Analyzer
	key               *fixtures.Key
	keyARN            string
	current, proposed *evaluator.Policy
	principals        map[string]*evaluator.Principal
	// Recorded calls repeat: one pair of decisions serves every call with the same principal,
	// action, key and context. Time keys join the memo key only where a policy reads the clock.
	memo       map[string][2]evaluator.Decision
	readsClock map[string]bool
}

// side is one authorization a recorded call needed: its action on a key, in a context. A side on
// another key than the replayed one is decided under that key's own policy (when the world has
// it), before and after alike.
type side struct {
	action  string
	keyARN  string
	other   *fixtures.Key // the world key of a side on another key; nil on the replayed key
	context map[string][]string
}

// decide returns the decisions on the call under the current and the proposed policy: allowed
// when every side is, otherwise the first side's denial.
func (r *replayer) decide(ctx context.Context, principal string, p *evaluator.Principal, sides []side) (before, after evaluator.Decision, err error) {
	for i, sd := range sides {
		pair, err := r.decideSide(ctx, principal, p, sd)
		if err != nil {
			return before, after, err
		}
		if i == 0 || (before.Allowed() && !pair[0].Allowed()) {
			before = pair[0]
		}
		if i == 0 || (after.Allowed() && !pair[1].Allowed()) {
			after = pair[1]
		}
	}
	return before, after, nil
}

func (r *replayer) decideSide(ctx context.Context, principal string, p *evaluator.Principal, sd side) ([2]evaluator.Decision, error) {
	clock, seen := r.readsClock[principal]
	if !seen {
		clock = policiesReadClock(*p, r.current, r.proposed)
		r.readsClock[principal] = clock
	}
	mk := memoKey(principal, sd.keyARN+"\x00"+sd.action, sd.context, clock)
	if pair, hit := r.memo[mk]; hit {
		return pair, nil
	}
	req := evaluator.Request{Principal: *p, Action: sd.action, Context: sd.context, Resource: sd.keyARN,
		ResourceAccount: r.key.Account, ResourcePolicy: r.current, Grants: r.a.grants[sd.keyARN]}
	var pair [2]evaluator.Decision
	var err error
	if sd.other != nil {
		req.ResourceAccount, req.ResourcePolicy = sd.other.Account, worldview.KeyPolicy(r.a.world, sd.other)
		if pair[0], err = r.a.eval.Decide(ctx, req); err != nil {
			return pair, err
		}
		pair[1] = pair[0]
	} else {
		if pair[0], err = r.a.eval.Decide(ctx, req); err != nil {
			return pair, err
		}
		req.ResourcePolicy = r.proposed
		if pair[1], err = r.a.eval.Decide(ctx, req); err != nil {
			return pair, err
		}
	}
	r.memo[mk] = pair
	return pair, nil
}

// rebuild turns a record into the sides it needed on the replayed key (and, for ReEncrypt, on
// the other key) and finds its principal (nil, counted in rep, when the world does not have it).
// sides is nil when the call did not use the replayed key.
func (r *replayer) rebuild(rec *trail.Record, rep *ReplayReport) (ReplayedCall, *evaluator.Principal, []side) {
	call := ReplayedCall{EventID: rec.EventID, EventTime: rec.EventTime, EventName: rec.EventName}
	id := rec.UserIdentity
	base := r.context(rec, &call)
	var sides []side
	if rec.EventName == "ReEncrypt" {
		sides = r.reEncryptSides(rec, base, &call)
	} else {
		call.Action = "kms:" + rec.EventName
		sides = []side{{action: call.Action, keyARN: r.keyARN, context: base}}
		if ec, ok := rec.RequestParameters["encryptionContext"].(map[string]any); ok {
			sides[0].context = withEncryptionContext(base, ec)
		} else if encryptionContextOperations[rec.EventName] {
			call.Unbuilt = append(call.Unbuilt, "encryption context (not in the record)")
		}
	}
	if sides == nil {
		return call, nil, nil
	}
	arn := ""
	if id != nil {
		arn = id.ARN
		if id.Type == "AssumedRole" && id.SessionContext != nil && id.SessionContext.SessionIssuer != nil && id.SessionContext.SessionIssuer.ARN != "" {
			arn = id.SessionContext.SessionIssuer.ARN // the role: sessions of one role group together
		}
	}
	call.Principal = arn
	p, ok := r.principals[arn]
	if !ok {
		if pr, err := worldview.PrincipalByARN(r.a.world, arn); err == nil && arn != "" {
			p = &pr
		}
		r.principals[arn] = p
	}
	if p == nil {
		name := arn
		if name == "" && id != nil {
			name = id.Type
		}
		rep.UnknownPrincipals[name]++
	}
	return call, p, sides
}

// context rebuilds the request context every side of a call shares: encryption algorithm,
// source IP, the calling service and the time.
func (r *replayer) context(rec *trail.Record, call *ReplayedCall) map[string][]string {
	ctx := map[string][]string{}
	params := rec.RequestParameters
	id := rec.UserIdentity
	if params == nil {
		call.Unbuilt = append(call.Unbuilt, "request parameters (null)")
	}
	if alg, ok := params["encryptionAlgorithm"].(string); ok {
		ctx["kms:EncryptionAlgorithm"] = []string{alg}
	}
	if ip := net.ParseIP(rec.SourceIPAddress); ip != nil {
		ctx["aws:SourceIp"] = []string{rec.SourceIPAddress}
	} else if rec.SourceIPAddress != "" && (id == nil || id.InvokedBy == "") {
		call.Unbuilt = append(call.Unbuilt, "aws:SourceIp ("+rec.SourceIPAddress+")")
	}
	if id != nil && id.InvokedBy != "" {
		svc := strings.TrimSuffix(id.InvokedBy, ".amazonaws.com")
		ctx["kms:ViaService"] = []string{svc + "." + rec.AWSRegion + ".amazonaws.com"}
		ctx["aws:CalledVia"] = []string{id.InvokedBy}
		if rec.EventName == "CreateGrant" {
			ctx["kms:GrantIsForAWSResource"] = []string{"true"}
		}
	}
	if t, err := time.Parse(time.RFC3339, rec.EventTime); err == nil {
		ctx["aws:CurrentTime"] = []string{t.UTC().Format(time.RFC3339)}
		ctx["aws:EpochTime"] = []string{strconv.FormatInt(t.Unix(), 10)}
	}
	return ctx
}

// withEncryptionContext returns a copy of ctx with the condition keys of encryption context ec.
func withEncryptionContext(ctx map[string][]string, ec map[string]any) map[string][]string {
	out := make(map[string][]string, len(ctx)+len(ec)+2)
	maps.Copy(out, ctx)
	keys := make([]string, 0, len(ec))
	for k, v := range ec {
		out["kms:EncryptionContext:"+k] = []string{fmt.Sprint(v)}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out["kms:EncryptionContextKeys"] = keys
	return out
}

// reEncryptSides rebuilds a ReEncrypt call as AWS KMS authorizes it: ReEncryptFrom on the source
// key with the source encryption context, ReEncryptTo on the destination key with the
// destination encryption context. The keys come from the record's resources (source first), or
// else from sourceKeyId and destinationKeyId. nil when neither key is the replayed one.
func (r *replayer) reEncryptSides(rec *trail.Record, base map[string][]string, call *ReplayedCall) []side {
	w := r.a.world
	params := rec.RequestParameters
	account := ""
	if rec.UserIdentity != nil {
		account = rec.UserIdentity.AccountID
	}
	resolve := func(res int, param string) (string, *fixtures.Key) {
		var keyRefs []string
		if len(rec.Resources) > res && rec.Resources[res].ARN != "" {
			keyRefs = append(keyRefs, rec.Resources[res].ARN)
		}
		if ref, ok := params[param].(string); ok && ref != "" {
			keyRefs = append(keyRefs, ref)
		}
		for _, ref := range keyRefs {
			if k, err := worldview.FindKey(w, ref, accountOf(ref, account), regionOf(ref, rec.AWSRegion)); err == nil {
				return w.KeyARN(k), k
			}
		}
		if len(keyRefs) > 0 && strings.HasPrefix(keyRefs[0], "arn:") {
			return keyRefs[0], nil
		}
		return "", nil
	}
	srcARN, srcKey := resolve(0, "sourceKeyId")
	dstARN, dstKey := resolve(1, "destinationKeyId")
	if srcARN == "" && len(rec.Resources) == 0 {
		srcARN = r.keyARN // the record's key: the source of a ReEncrypt
	}
	onKey := func(arn string) bool { return arn == r.keyARN }
	if !onKey(srcARN) && !onKey(dstARN) {
		return nil
	}
	same := []string{strconv.FormatBool(srcARN != "" && srcARN == dstARN)}
	mk := func(action, arn string, k *fixtures.Key, ecParam, what string) (side, bool) {
		ctx := maps.Clone(base)
		if ec, ok := params[ecParam].(map[string]any); ok {
			ctx = withEncryptionContext(base, ec)
		}
		ctx["kms:ReEncryptOnSameKey"] = same
		sd := side{action: action, keyARN: arn, context: ctx}
		if onKey(arn) {
			return sd, true
		}
		if k == nil {
			call.Unbuilt = append(call.Unbuilt, "ReEncrypt "+what+" key (not in the world)")
			return sd, false
		}
		sd.other = k
		return sd, true
	}
	var sides []side
	var actions []string
	for _, s := range []struct {
		action, arn   string
		k             *fixtures.Key
		ecParam, what string
	}{{"kms:ReEncryptFrom", srcARN, srcKey, "sourceEncryptionContext", "source"},
		{"kms:ReEncryptTo", dstARN, dstKey, "destinationEncryptionContext", "destination"}} {
		sd, ok := mk(s.action, s.arn, s.k, s.ecParam, s.what)
		if !ok {
			continue
		}
		if sd.other == nil {
			actions = append(actions, s.action)
		}
		sides = append(sides, sd)
	}
	call.Action = strings.Join(actions, "+")
	return sides
}

// accountOf is the account a key reference names, or def for a key id or alias name.
func accountOf(ref, def string) string {
	if parts := strings.SplitN(ref, ":", 6); len(parts) == 6 {
		return parts[4]
	}
	return def
}

// regionOf is the Region a key reference names, or def for a key id or alias name.
func regionOf(ref, def string) string {
	if parts := strings.SplitN(ref, ":", 6); len(parts) == 6 {
		return parts[3]
	}
	return def
}
