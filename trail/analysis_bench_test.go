package trail

import (
	"context"
	"flag"
	"path/filepath"
	"testing"
	"time"
)

var benchEvents = flag.Int("trail.events", 1000000, "events in the BenchmarkAnalysis corpus (10000000 for the 10M figure)")

// BenchmarkAnalysis builds a store the way a user does and times the
// questions asked of it. The corpus is -trail.events events (default 1M):
// the invictus records (8% KMS) replayed with fresh eventIDs, a minute later
// each round through them, written as gzip {"Records":[...]} files of 1,000
// records in a temporary directory (nothing is kept). It is imported into a
// fresh store (the events/s figure is logged and reported as import-events/s);
// then `report key-usage` for the most used key, the same report over every
// key, and `detect` with all built-in rules are timed.
//
//	go test ./trail -run XXX -bench BenchmarkAnalysis -benchtime 3x -trail.events 10000000
func BenchmarkAnalysis(b *testing.B) {
	ctx := context.Background()
	n := *benchEvents
	corpus := b.TempDir()
	start := time.Now()
	writeCorpus(b, corpus, loadTemplates(b), 0, n, 1000, true)
	b.Logf("wrote %d events in %s", n, time.Since(start))

	s, err := Open(filepath.Join(b.TempDir(), "kmsim.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cpu0 := cpuTime()
	sum, err := s.Import(ctx, []string{corpus}, ImportOptions{})
	if err != nil || sum.Imported != int64(n) {
		b.Fatalf("Import: %+v %v", sum, err)
	}
	rate := float64(n) / sum.Elapsed.Seconds()
	b.Logf("imported %d events in %s: %.0f events/s, %.1f cpu-µs/event", n, sum.Elapsed.Round(time.Millisecond), rate,
		float64((cpuTime()-cpu0).Microseconds())/float64(n))

	key, ok := queryOne(b, s, `SELECT keyArn FROM events WHERE keyArn IS NOT NULL
		GROUP BY keyArn ORDER BY count(*) DESC, keyArn LIMIT 1`).(string)
	if !ok {
		b.Fatal("no key in the corpus")
	}
	rules, err := BuiltinRules()
	if err != nil {
		b.Fatal(err)
	}
	report := func(scope Scope) func(b *testing.B) {
		return func(b *testing.B) {
			for range b.N {
				res, err := s.Report(ctx, "key-usage", scope)
				if err != nil || len(res.Rows) == 0 {
					b.Fatalf("key-usage: %v rows, %v", res, err)
				}
			}
			b.ReportMetric(rate, "import-events/s")
		}
	}
	b.Run("report-key-usage-one-key", report(Scope{Key: key}))
	b.Run("report-key-usage-all-keys", report(Scope{}))
	b.Run("detect", func(b *testing.B) {
		for range b.N {
			if _, err := s.Detect(ctx, rules, Scope{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
