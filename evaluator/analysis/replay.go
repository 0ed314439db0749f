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
	"github.com/kmsim/kmsim/rego"
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
	// PageSize is about how many calls one query reads (default 100,000).
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
		page = 100000
	}
	r := &replayer{a: a, key: q.Key, keyARN: keyARN, current: current, proposed: proposed,
		principals: map[string]*evaluator.Principal{}, memo: map[string][2]evaluator.Decision{}, relevant: map[string]*relevantKeys{}}
	groups := map[string]*ReplayGroup{}
	// The calls on the key, and the ReEncrypt calls whose destination it is (their resources or
	// request parameters name it).
	where := "(keyArn = " + sqlString(keyARN) + " OR (eventName = 'ReEncrypt' AND (list_contains([r.ARN FOR r IN coalesce(resources, [])], " +
		sqlString(keyARN) + ") OR contains(CAST(requestParameters AS VARCHAR), " + sqlString(q.Key.ID) + "))))"
	if !q.Since.IsZero() {
		where += " AND eventTime >= TIMESTAMP " + sqlString(q.Since.UTC().Format("2006-01-02 15:04:05"))
	}
	// Calls that differ only in what no policy of the world reads get the same decisions: the
	// calls come grouped by the rest, in parts of about a page each.
	sel := a.replaySelect(current, proposed)
	res, err := query(ctx, "SELECT count(*) FROM events WHERE "+where)
	if err != nil {
		return nil, err
	}
	parts := 1
	if len(res.Rows) == 1 {
		parts = max(1, (asInt(res.Rows[0][0])+page-1)/page)
	}
	for part := 0; part < parts; part++ {
		res, err := query(ctx, fmt.Sprintf("%s WHERE %s AND hash(eventID) %% %d = %d GROUP BY ALL", sel, where, parts, part))
		if err != nil {
			return nil, err
		}
		for _, row := range res.Rows {
			rc, err := replayRow(row)
			if err != nil {
				return nil, err
			}
			call, p, sides := r.rebuild(&rc.rec)
			if sides == nil {
				continue // a ReEncrypt that names the key's id elsewhere than as its source or destination
			}
			rep.Calls += rc.n
			if p == nil {
				name := call.Principal
				if name == "" && rc.rec.UserIdentity != nil {
					name = rc.rec.UserIdentity.Type
				}
				rep.UnknownPrincipals[name] += rc.n
				continue
			}
			for _, u := range call.Unbuilt {
				rep.Unbuilt[u] += rc.n
			}
			before, after, err := r.decide(ctx, call.Principal, p, sides)
			if err != nil {
				return nil, err
			}
			rep.Evaluated += rc.n
			if before.Allowed() == after.Allowed() {
				continue
			}
			rep.Changed += rc.n
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
			g.Count += rc.n
			for i, id := range rc.ids {
				c := call
				c.EventID, c.EventTime = id, rc.times[i]
				g.Calls = append(g.Calls, c)
			}
			if len(g.Calls) > 4*maxCallsPerGroup {
				g.Calls = firstCalls(g.Calls)
			}
		}
	}
	for _, g := range groups {
		g.Calls = firstCalls(g.Calls)
		rep.Groups = append(rep.Groups, *g)
	}
	slices.SortFunc(rep.Groups, func(x, y ReplayGroup) int {
		return strings.Compare(x.Principal+"\x00"+x.EventName+"\x00"+x.Change, y.Principal+"\x00"+y.EventName+"\x00"+y.Change)
	})
	return rep, nil
}

// firstCalls keeps the maxCallsPerGroup calls with the lowest event ids, sorted.
func firstCalls(calls []ReplayedCall) []ReplayedCall {
	slices.SortFunc(calls, func(x, y ReplayedCall) int { return strings.Compare(x.EventID, y.EventID) })
	return slices.Clip(calls[:min(len(calls), maxCallsPerGroup)])
}

// replaySelect is the SELECT that reads recorded calls grouped by what can change their
// decisions: the calls' time only when a policy reads the clock, their source address only when
// one reads aws:SourceIp, of their encryption context only the pairs policies read (all of it
// when one reads kms:EncryptionContextKeys or the world has grants), the whole request of
// ReEncrypt calls; with the count of each group and the ids and times of its first calls.
func (a *Analyzer) replaySelect(keyPolicies ...*evaluator.Policy) string {
	keys, all := a.worldKeys(keyPolicies...)
	ip := "sourceIPAddress"
	if !all && !keys["aws:sourceip"] && !keys["aws:vpcsourceip"] {
		// Only whether it is an address matters (a name is reported as not rebuilt).
		ip = "CASE WHEN regexp_full_match(sourceIPAddress, '[0-9a-fA-F.:]+') THEN '0.0.0.0' ELSE sourceIPAddress END"
	}
	ec := "TRY_CAST(json_extract(requestParameters, '$.encryptionContext') AS MAP(VARCHAR, VARCHAR))"
	ecPairs := "list_sort([[e.key, e.value] FOR e IN map_entries(" + ec + ")])"
	grants := false
	for _, gs := range a.grants {
		grants = grants || len(gs) > 0
	}
	if !all && !grants && !keys["kms:encryptioncontextkeys"] {
		var read []string
		for k := range keys {
			if name, ok := strings.CutPrefix(k, "kms:encryptioncontext:"); ok {
				read = append(read, sqlString(name))
			}
		}
		slices.Sort(read)
		if len(read) == 0 {
			read = []string{"NULL"}
		}
		ecPairs = "list_sort([[e.key, e.value] FOR e IN map_entries(" + ec + ") IF lower(e.key) IN (" + strings.Join(read, ", ") + ")])"
	}
	// Whether a call came through an endpoint always matters (it then carries no aws:SourceIp);
	// which one matters when the world knows endpoints or a policy reads their keys.
	vpce := "vpcEndpointId"
	if !all && len(a.world.VPCEndpoints) == 0 && !keys["aws:sourcevpce"] && !keys["aws:sourcevpc"] {
		vpce = "CASE WHEN coalesce(vpcEndpointId, '') <> '' THEN 'vpce-' END"
	}
	byTime := ""
	if all || keys["aws:currenttime"] || keys["aws:epochtime"] {
		byTime = "strftime(eventTime, '%Y-%m-%dT%H:%M:%SZ') AS t, "
	}
	return fmt.Sprintf(`SELECT eventName, awsRegion, %s AS ip, userIdentityType, principalArn, callerAccountId,
	json_extract_string(userIdentity, '$.invokedBy') AS invokedBy, %s AS ec,
	json_extract(requestParameters, '$.encryptionContext') IS NOT NULL AS hasEC,
	requestParameters->>'$.encryptionAlgorithm' AS alg, requestParameters IS NULL AS noParams,
	CASE WHEN eventName = 'ReEncrypt' THEN CAST(requestParameters AS VARCHAR) END AS reEncrypt,
	CASE WHEN eventName = 'ReEncrypt' THEN [r.ARN FOR r IN coalesce(resources, [])] END AS resources,
	%s AS vpce, %scount(*) AS n, list(eventID ORDER BY eventID)[1:%d] AS ids,
	list(strftime(eventTime, '%%Y-%%m-%%dT%%H:%%M:%%SZ') ORDER BY eventID)[1:%d] AS times
FROM events`, ip, ecPairs, vpce, byTime, maxCallsPerGroup, maxCallsPerGroup)
}

// replayedCalls are one row of replaySelect: n calls alike, the first of them as a record.
type replayedCalls struct {
	rec        trail.Record
	n          int
	ids, times []string
}

func replayRow(row []any) (replayedCalls, error) {
	str := func(v any) string {
		s, _ := v.(string)
		return s
	}
	strs := func(v any) []string {
		var out []string
		for _, x := range asList(v) {
			out = append(out, str(x))
		}
		return out
	}
	l := len(row)
	if l < 16 {
		return replayedCalls{}, fmt.Errorf("replay: unexpected row %v", row)
	}
	rc := replayedCalls{n: asInt(row[l-3]), ids: strs(row[l-2]), times: strs(row[l-1])}
	if len(rc.ids) == 0 || len(rc.ids) != len(rc.times) || rc.n < 1 {
		return rc, fmt.Errorf("replay: unexpected row %v", row)
	}
	rec := trail.Record{EventID: rc.ids[0], EventTime: rc.times[0], EventName: str(row[0]), AWSRegion: str(row[1]), SourceIPAddress: str(row[2]),
		VPCEndpointID: str(row[13])}
	if typ, arn, invokedBy := str(row[3]), str(row[4]), str(row[6]); typ != "" || arn != "" {
		rec.UserIdentity = &trail.UserIdentity{Type: typ, ARN: arn, AccountID: str(row[5]), InvokedBy: invokedBy}
	}
	if full := str(row[11]); full != "" {
		if err := json.Unmarshal([]byte(full), &rec.RequestParameters); err != nil {
			return rc, fmt.Errorf("event %s: requestParameters: %w", rec.EventID, err)
		}
	} else if noParams, _ := row[10].(bool); !noParams {
		rec.RequestParameters = map[string]any{}
		if alg := str(row[9]); alg != "" {
			rec.RequestParameters["encryptionAlgorithm"] = alg
		}
		if hasEC, _ := row[8].(bool); hasEC {
			ec := map[string]any{}
			for _, pair := range asList(row[7]) {
				if kv := asList(pair); len(kv) == 2 {
					ec[str(kv[0])] = str(kv[1])
				}
			}
			rec.RequestParameters["encryptionContext"] = ec
		}
	}
	for _, arn := range strs(row[12]) {
		rec.Resources = append(rec.Resources, trail.Resource{ARN: arn})
	}
	rc.rec = rec
	return rc, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func asInt(v any) int {
	switch n := v.(type) {
	case int64:
		return int(n)
	case uint64:
		return int(n)
	case int32:
		return int(n)
	case int:
		return n
	case float64:
		return int(n)
	case json.Number:
		i, _ := n.Int64()
		return int(i)
	}
	return 0
}

// worldKeys are the condition keys (lower-cased) that any policy of the world or keyPolicies
// reads; all is set when a policy cannot be read.
func (a *Analyzer) worldKeys(keyPolicies ...*evaluator.Policy) (keys map[string]bool, all bool) {
	keys = map[string]bool{}
	add := func(d []byte, kind rego.Kind) {
		if len(d) == 0 {
			return
		}
		ks, err := rego.ConditionKeys(d, kind)
		if err != nil {
			all = true
		}
		for k := range ks {
			keys[k] = true
		}
	}
	for _, kp := range keyPolicies {
		add(kp.Document, rego.KindKey)
	}
	w := a.world
	for _, u := range w.Users {
		for _, p := range u.InlinePolicies {
			add(p.Document, rego.KindIdentity)
		}
	}
	for _, g := range w.Groups {
		for _, p := range g.InlinePolicies {
			add(p.Document, rego.KindIdentity)
		}
	}
	for _, r := range w.Roles {
		for _, p := range r.InlinePolicies {
			add(p.Document, rego.KindIdentity)
		}
	}
	for _, p := range w.Policies {
		add(p.Document, rego.KindIdentity)
	}
	for _, p := range w.SCPs {
		add(p.Document, rego.KindSCP)
	}
	for _, k := range w.Keys {
		add(k.Policy, rego.KindKey)
	}
	for _, e := range w.VPCEndpoints {
		add(e.Policy, rego.KindVPCE)
	}
	for k := range keys {
		if strings.ContainsAny(k, "*?$") {
			all = true
		}
	}
	return keys, all
}

// relevantKeys are the context keys that can change a principal's decisions on a key: those its
// policies and the key's mention (in conditions and policy variables), and the encryption
// context when the key has grants (their constraints read it). all: every key is (a policy
// could not be read).
type relevantKeys struct {
	keys       map[string]bool
	ecForGrant bool
	all        bool
}

func newRelevantKeys(p *evaluator.Principal, grants bool, keyPolicies ...*evaluator.Policy) *relevantKeys {
	rk := &relevantKeys{keys: map[string]bool{}, ecForGrant: grants}
	add := func(pol *evaluator.Policy) {
		keys, err := rego.ConditionKeys(pol.Document, rego.Kind(pol.Kind))
		if err != nil {
			rk.all = true
			return
		}
		for k := range keys {
			rk.keys[k] = true
		}
	}
	for _, kp := range keyPolicies {
		add(kp)
	}
	for i := range p.IdentityPolicies {
		add(&p.IdentityPolicies[i])
	}
	for i := range p.SessionPolicies {
		add(&p.SessionPolicies[i])
	}
	if p.Boundary != nil {
		add(p.Boundary)
	}
	for _, level := range p.SCPs {
		for i := range level {
			add(&level[i])
		}
	}
	return rk
}

func (rk *relevantKeys) has(key string) bool {
	k := strings.ToLower(key)
	return rk.all || rk.keys[k] || (rk.ecForGrant && strings.HasPrefix(k, "kms:encryptioncontext"))
}

// memoKey identifies a call for decision reuse: principal, action and the context keys that
// can change its decision (sorted).
func memoKey(principal, action string, context map[string][]string, rk *relevantKeys) string {
	keys := make([]string, 0, len(context))
	for k := range context {
		if rk.has(k) {
			keys = append(keys, k)
		}
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
	// action, key and context keys that the policies deciding it read (by principal and key).
	memo     map[string][2]evaluator.Decision
	relevant map[string]*relevantKeys
}

// side is one authorization a recorded call needed: its action on a key, in a context. A side on
// another key than the replayed one is decided under that key's own policy (when the world has
// it), before and after alike.
type side struct {
	action  string
	keyARN  string
	other   *fixtures.Key // the world key of a side on another key; nil on the replayed key
	context map[string][]string
	vpce    *evaluator.Policy // the policy of the VPC endpoint the call came through
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
	rk := r.relevant[principal+"\x00"+sd.keyARN]
	if rk == nil {
		grants := len(r.a.grants[sd.keyARN]) > 0
		var pols []*evaluator.Policy
		if sd.other != nil {
			pols = append(pols, worldview.KeyPolicy(r.a.world, sd.other))
		} else {
			pols = append(pols, r.current, r.proposed)
		}
		for i := range r.a.world.VPCEndpoints {
			if vp := worldview.CallFacts(nil, &r.a.world.VPCEndpoints[i], "", "").VPCEPolicy; vp != nil {
				pols = append(pols, vp)
			}
		}
		rk = newRelevantKeys(p, grants, pols...)
		r.relevant[principal+"\x00"+sd.keyARN] = rk
	}
	action := sd.keyARN + "\x00" + sd.action
	if sd.vpce != nil {
		action += "\x00" + sd.vpce.ID
	}
	mk := memoKey(principal, action, sd.context, rk)
	if pair, hit := r.memo[mk]; hit {
		return pair, nil
	}
	req := evaluator.Request{Principal: *p, Action: sd.action, Context: sd.context, Resource: sd.keyARN,
		ResourceAccount: r.key.Account, ResourcePolicy: r.current, Grants: r.a.grants[sd.keyARN], VPCEPolicy: sd.vpce}
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
// the other key) and finds its principal (nil when the world does not have it). sides is nil
// when the call did not use the replayed key.
func (r *replayer) rebuild(rec *trail.Record) (ReplayedCall, *evaluator.Principal, []side) {
	call := ReplayedCall{EventID: rec.EventID, EventTime: rec.EventTime, EventName: rec.EventName}
	id := rec.UserIdentity
	base, vpce := r.context(rec, &call)
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
	for i := range sides {
		sides[i].vpce = vpce
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
	return call, p, sides
}

// context rebuilds the request context every side of a call shares: encryption algorithm,
// source IP (or, through a VPC endpoint, the endpoint's keys and the caller's VPC address), the
// calling service and the time; and the policy of the endpoint the call came through, as the
// simulator applies it.
func (r *replayer) context(rec *trail.Record, call *ReplayedCall) (map[string][]string, *evaluator.Policy) {
	ctx := map[string][]string{}
	params := rec.RequestParameters
	id := rec.UserIdentity
	if params == nil {
		call.Unbuilt = append(call.Unbuilt, "request parameters (null)")
	}
	if alg, ok := params["encryptionAlgorithm"].(string); ok {
		ctx["kms:EncryptionAlgorithm"] = []string{alg}
	}
	var vpce *evaluator.Policy
	if epID := rec.VPCEndpointID; epID != "" {
		ip := ""
		if net.ParseIP(rec.SourceIPAddress) != nil {
			ip = rec.SourceIPAddress
		}
		ep := r.a.world.VPCEndpoint(epID)
		if ep == nil {
			call.Unbuilt = append(call.Unbuilt, "VPC endpoint (not in the world: its VPC and policy)")
			ep = &fixtures.VPCEndpoint{ID: epID}
		}
		f := worldview.CallFacts(nil, ep, "", ip)
		for _, k := range []string{"aws:SourceVpce", "aws:SourceVpc", "aws:VpcSourceIp"} {
			if v := f.Context[k]; len(v) > 0 && v[0] != "" {
				ctx[k] = v
			}
		}
		vpce = f.VPCEPolicy
	} else if ip := net.ParseIP(rec.SourceIPAddress); ip != nil {
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
	return ctx, vpce
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
