package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/cmd/simulatecmd"
	"github.com/kmsim/kmsim/cmd/trailcmd"
	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/evaluator/lint"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/rego"
	"github.com/kmsim/kmsim/simulator"
	"github.com/kmsim/kmsim/trail"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/pages/dryrun"
	"github.com/kmsim/kmsim/tui/pages/explain"
	"github.com/kmsim/kmsim/tui/pages/findings"
	"github.com/kmsim/kmsim/tui/pages/keydetail"
	"github.com/kmsim/kmsim/tui/pages/keys"
	"github.com/kmsim/kmsim/tui/pages/principal"
	trailpage "github.com/kmsim/kmsim/tui/pages/trail"
	"github.com/kmsim/kmsim/tui/pages/whocan"
)

// Service is everything the views ask of kmsim; each page declares the part it uses.
type Service interface {
	keys.Service
	keydetail.Service
	trailpage.Service
	explain.Service
	findings.Service
	whocan.Service
	principal.Service
	dryrun.Service
}

// worldService is the Service over a world and a data directory: the same services the CLI uses.
type worldService struct {
	base    *fixtures.World // the world file
	dataDir string

	mu sync.Mutex // guards the fields below and the key policies a save replaces
	// world is base overlaid with the simulator's state in dataDir (see sync); live holds that
	// state's keys by ARN, and stateSig the state it was built from.
	world    *fixtures.World
	live     map[string]*simulator.SnapshotKey
	stateSig []byte
	an       *analysis.Analyzer // built on first use: it caches evaluations across views
	ev       *evaluator.Evaluator
}

// NewService returns the Service for world w and the simulator state and trail in dataDir.
func NewService(w *fixtures.World, dataDir string) Service {
	return &worldService{base: w, world: w, dataDir: dataDir}
}

// Keys lists every key of the simulator's state merged by ARN with the world's (the world's alone
// while dataDir holds no state) and, after them in each account and Region, the keys only the
// trail names, sorted by account, Region and first alias (or id); each with its events in the
// trail. Without a trail, or when it cannot be read, the keys are listed without events.
func (s *worldService) Keys(ctx context.Context) ([]common.Key, error) {
	s.sync(ctx)
	uses := s.keyEvents(ctx)
	out, _ := s.WorldKeys(ctx)
	for i, ck := range out {
		if u, ok := uses[ck.ARN]; ok {
			out[i].Events, out[i].LastEvent = u.Events, u.LastEvent
			delete(uses, ck.ARN)
		}
	}
	for arn, u := range uses {
		parts := strings.SplitN(arn, ":", 6)
		fk := &fixtures.Key{Region: parts[3], Account: parts[4], ID: strings.TrimPrefix(parts[5], "key/"), State: "unknown",
			Description: "not in the world: named by " + plural(u.Events, "event") + " in the trail"}
		ck := common.Key{Key: fk, ARN: arn, TrailOnly: true, Events: u.Events, LastEvent: u.LastEvent}
		if a := s.current().Account(fk.Account); a != nil {
			ck.AccountName = a.Name
		}
		out = append(out, ck)
	}
	sortKeys(out)
	return out, nil
}

// WorldKeys lists the keys of the world the views read (with the simulator's state as last
// synced), sorted by account, Region and first alias.
func (s *worldService) WorldKeys(ctx context.Context) ([]common.Key, error) {
	var out []common.Key
	w := s.current()
	for i := range w.Keys {
		k := &w.Keys[i]
		ck := common.Key{Key: k, ARN: w.KeyARN(k)}
		ck.Live = s.liveKey(ck.ARN)
		if a := w.Account(k.Account); a != nil {
			ck.AccountName = a.Name
		}
		out = append(out, ck)
	}
	sortKeys(out)
	return out, nil
}

// sortKeys orders keys by account and Region, the world's before the trail's, then by alias and id.
func sortKeys(ks []common.Key) {
	sort.SliceStable(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.TrailOnly != b.TrailOnly {
			return b.TrailOnly
		}
		if a.Alias() != b.Alias() {
			return a.Alias() < b.Alias()
		}
		return a.ID < b.ID
	})
}

// keyEvents counts the trail's events per key ARN, with the time of the latest; empty without a trail.
func (s *worldService) keyEvents(ctx context.Context) map[string]common.Key {
	out := map[string]common.Key{}
	if _, err := os.Stat(filepath.Join(s.dataDir, "kmsim.duckdb")); err != nil && !s.Live() {
		return out
	}
	res, err := s.Query(ctx, `SELECT keyArn, count(*) AS n, max(eventTime) AS last FROM events
		WHERE keyArn IS NOT NULL GROUP BY keyArn ORDER BY keyArn`)
	if err != nil {
		return out
	}
	for _, r := range res.Rows {
		arn, _ := r[0].(string)
		if parts := strings.SplitN(arn, ":", 6); len(parts) != 6 || !strings.HasPrefix(parts[5], "key/") {
			continue
		}
		n, _ := strconv.Atoi(fmt.Sprint(r[1]))
		out[arn] = common.Key{Events: n, LastEvent: dateTime(r[2])}
	}
	return out
}

// Policy returns the key's policy, indented, and its Rego translation, with the key as the
// simulator holds it now.
func (s *worldService) Policy(ctx context.Context, k common.Key) (common.Policy, error) {
	s.sync(ctx)
	k = s.resolve(k)
	if k.TrailOnly {
		return common.Policy{}, fmt.Errorf("%s is not in the world: its policy is unknown", k.ARN)
	}
	pol := worldview.KeyPolicy(s.current(), k.Key)
	p := common.Policy{Key: k}
	var v any
	if err := json.Unmarshal(pol.Document, &v); err != nil {
		return p, fmt.Errorf("key policy of %s: %w", k.ARN, err)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	p.JSON = string(b)
	src, err := rego.Translate(pol.Document, string(pol.Kind), pol.ID)
	if err != nil {
		return p, fmt.Errorf("translating the key policy of %s: %w", k.ARN, err)
	}
	p.Rego = strings.TrimRight(src, "\n")
	return p, nil
}

// Principals lists the ARNs of the world's principals that can be explained, sorted.
func (s *worldService) Principals() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range s.current().Credentials() {
		if !seen[c.ARN] {
			seen[c.ARN] = true
			out = append(out, c.ARN)
		}
	}
	sort.Strings(out)
	return out
}

// Decide decides and explains a request exactly as `kmsim simulate` does.
func (s *worldService) Decide(ctx context.Context, r common.ExplainRequest) (common.Explanation, error) {
	action := r.Action
	if !strings.Contains(action, ":") {
		action = "kms:" + action
	}
	s.sync(ctx)
	opts := &simulatecmd.Options{Principal: r.Principal, Action: action, Resource: r.Key.ARN, Region: r.Key.Region, Context: r.Context}
	res, req, err := simulatecmd.Decide(ctx, s.current(), opts)
	if err != nil {
		return common.Explanation{}, err
	}
	exp := common.Explanation{Effect: string(res.Decision.Effect), Message: res.Message, Text: simulatecmd.Explain(req, res),
		Matched: map[int]string{}}
	if kp := req.ResourcePolicy; kp != nil {
		exp.KeyPolicy = kp.Document
		for _, st := range res.Decision.Matched {
			if st.PolicyKind == evaluator.KindKey && st.PolicyID == kp.ID {
				exp.Matched[st.Index] = st.Effect
			}
		}
	}
	return exp, nil
}

// Query runs sql over the trail, through a running server when one holds the data directory.
func (s *worldService) Query(ctx context.Context, sql string) (*trail.Result, error) {
	return trailcmd.Query(ctx, s.dataDir, sql)
}

// Live reports whether a server has announced itself in the data directory, so the trail grows.
func (s *worldService) Live() bool {
	_, ok := serve.ReadServerInfo(s.dataDir)
	return ok
}

// Findings lints every key policy of the world and, when a trail exists, runs the built-in
// detection rules over it, as `kmsim trail detect` does: through the server when one holds it.
func (s *worldService) Findings(ctx context.Context) (common.Findings, error) {
	f := common.Findings{Keys: map[string]common.Key{}}
	s.sync(ctx)
	w := s.current()
	keys, _ := s.WorldKeys(ctx)
	for _, ck := range keys {
		k := ck.Key
		name := "key/" + k.ID
		if len(k.Aliases) > 0 {
			name = k.Aliases[0]
		}
		f.Keys[name] = ck
		l := lint.New(lint.WithKind(lint.KindKey), lint.WithWorld(w), lint.WithKeyAccount(k.Account))
		f.Lint = append(f.Lint, l.Lint(name, worldview.KeyPolicy(w, k).Document)...)
	}
	lint.Sort(f.Lint)
	switch _, err := os.Stat(filepath.Join(s.dataDir, "kmsim.duckdb")); {
	case errors.Is(err, os.ErrNotExist) && !s.Live():
		f.TrailNote = "no trail in " + s.dataDir + ": no detections"
	default:
		det, err := trailcmd.Detect(ctx, s.dataDir)
		if err != nil {
			f.TrailNote = "detections: " + err.Error()
		}
		f.Detections = det
	}
	return f, nil
}

// plural writes n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// dateTime shows a time the trail answered (a time, or RFC 3339 text through a server) as
// "2006-01-02 15:04:05" UTC.
func dateTime(v any) string {
	switch v := v.(type) {
	case time.Time:
		return v.UTC().Format(time.DateTime)
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC().Format(time.DateTime)
		}
		return v
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
