package analysis

import (
	"context"
	"encoding/json"
	"fmt"
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
	principals := map[string]*evaluator.Principal{}
	groups := map[string]*ReplayGroup{}
	// Recorded calls repeat: one pair of decisions serves every call with the same principal,
	// action and context. Time keys join the memo key only where a policy reads the clock.
	memo := map[string][2]evaluator.Decision{}
	readsClock := map[string]bool{}
	last := ""
	where := "keyArn = " + sqlString(keyARN)
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
			rep.Calls++
			call, req, ok := a.rebuild(&rec, principals, rep)
			if !ok {
				continue
			}
			req.Resource, req.ResourceAccount = keyARN, q.Key.Account
			clock, seen := readsClock[call.Principal]
			if !seen {
				clock = policiesReadClock(req.Principal, current, proposed)
				readsClock[call.Principal] = clock
			}
			mk := memoKey(call.Principal, req.Action, req.Context, clock)
			pair, hit := memo[mk]
			if !hit {
				req.ResourcePolicy = current
				if pair[0], err = a.eval.Decide(ctx, req); err != nil {
					return nil, err
				}
				req.ResourcePolicy = proposed
				if pair[1], err = a.eval.Decide(ctx, req); err != nil {
					return nil, err
				}
				memo[mk] = pair
			}
			before, after := pair[0], pair[1]
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

// rebuild turns a record into a request (without its resource), or reports why it cannot.
func (a *Analyzer) rebuild(rec *trail.Record, principals map[string]*evaluator.Principal, rep *ReplayReport) (ReplayedCall, evaluator.Request, bool) {
	call := ReplayedCall{EventID: rec.EventID, EventTime: rec.EventTime, EventName: rec.EventName}
	action := "kms:" + rec.EventName
	if rec.EventName == "ReEncrypt" {
		action = "kms:ReEncryptFrom"
	}
	call.Action = action
	id := rec.UserIdentity
	arn := ""
	if id != nil {
		arn = id.ARN
		if id.Type == "AssumedRole" && id.SessionContext != nil && id.SessionContext.SessionIssuer != nil && id.SessionContext.SessionIssuer.ARN != "" {
			arn = id.SessionContext.SessionIssuer.ARN // the role: sessions of one role group together
		}
	}
	call.Principal = arn
	p, ok := principals[arn]
	if !ok {
		if pr, err := worldview.PrincipalByARN(a.world, arn); err == nil && arn != "" {
			p = &pr
		}
		principals[arn] = p
	}
	if p == nil {
		name := arn
		if name == "" && id != nil {
			name = id.Type
		}
		rep.UnknownPrincipals[name]++
		return call, evaluator.Request{}, false
	}
	ctx := map[string][]string{}
	params := rec.RequestParameters
	if ec, ok := params["encryptionContext"].(map[string]any); ok {
		var keys []string
		for k, v := range ec {
			ctx["kms:EncryptionContext:"+k] = []string{fmt.Sprint(v)}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		ctx["kms:EncryptionContextKeys"] = keys
	} else if encryptionContextOperations[strings.TrimPrefix(action, "kms:")] {
		call.Unbuilt = append(call.Unbuilt, "encryption context (not in the record)")
	}
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
	for _, u := range call.Unbuilt {
		rep.Unbuilt[u]++
	}
	return call, evaluator.Request{Principal: *p, Action: action, Context: ctx}, true
}
