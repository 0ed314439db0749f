package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/cmd/simulatecmd"
	"github.com/kmsim/kmsim/cmd/trailcmd"
	"github.com/kmsim/kmsim/evaluator/analysis"
	"github.com/kmsim/kmsim/evaluator/lint"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/rego"
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
	world   *fixtures.World
	dataDir string

	mu sync.Mutex         // guards an and the key policies a save replaces
	an *analysis.Analyzer // built on first use: it caches evaluations across views
}

// NewService returns the Service for world w and the trail in dataDir.
func NewService(w *fixtures.World, dataDir string) Service {
	return &worldService{world: w, dataDir: dataDir}
}

// Keys lists every key of the world, sorted by account, region and first alias.
func (s *worldService) Keys(ctx context.Context) ([]common.Key, error) {
	var out []common.Key
	for i := range s.world.Keys {
		k := &s.world.Keys[i]
		ck := common.Key{Key: k, ARN: s.world.KeyARN(k)}
		if a := s.world.Account(k.Account); a != nil {
			ck.AccountName = a.Name
		}
		out = append(out, ck)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Alias() < b.Alias()
	})
	return out, nil
}

// Policy returns the key's policy, indented, and its Rego translation.
func (s *worldService) Policy(ctx context.Context, k common.Key) (common.Policy, error) {
	pol := worldview.KeyPolicy(s.world, k.Key)
	var p common.Policy
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
	for _, c := range s.world.Credentials() {
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
	opts := &simulatecmd.Options{Principal: r.Principal, Action: action, Resource: r.Key.ARN, Region: r.Key.Region, Context: r.Context}
	res, req, err := simulatecmd.Decide(ctx, s.world, opts)
	if err != nil {
		return common.Explanation{}, err
	}
	return common.Explanation{Effect: string(res.Decision.Effect), Message: res.Message, Text: simulatecmd.Explain(req, res)}, nil
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

// Findings lints every key policy of the world and, when the trail can be opened, runs the
// built-in detection rules over it.
func (s *worldService) Findings(ctx context.Context) (common.Findings, error) {
	var f common.Findings
	for i := range s.world.Keys {
		k := &s.world.Keys[i]
		name := "key/" + k.ID
		if len(k.Aliases) > 0 {
			name = k.Aliases[0]
		}
		l := lint.New(lint.WithKind(lint.KindKey), lint.WithWorld(s.world), lint.WithKeyAccount(k.Account))
		f.Lint = append(f.Lint, l.Lint(name, worldview.KeyPolicy(s.world, k).Document)...)
	}
	lint.Sort(f.Lint)
	switch _, err := os.Stat(filepath.Join(s.dataDir, "kmsim.duckdb")); {
	case errors.Is(err, os.ErrNotExist):
		f.TrailNote = "no trail in " + s.dataDir + ": no detections"
	case s.Live():
		f.TrailNote = "a server holds the trail: detections run after it stops (or use `kmsim trail detect`)"
	default:
		det, err := trailcmd.Detect(ctx, s.dataDir)
		if err != nil {
			f.TrailNote = "detections: " + err.Error()
		}
		f.Detections = det
	}
	return f, nil
}
