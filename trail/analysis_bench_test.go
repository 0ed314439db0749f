package trail

import (
	"bytes"
	"context"
	"flag"
	"path/filepath"
	"testing"
	"time"
)

var benchEvents = flag.Int("trail.events", 1000000, "events in the BenchmarkAnalysis corpus (10000000 for the 10M figure)")

// generateEvents fills s with n events: the invictus records (8% KMS)
// replayed with fresh eventIDs, each round through them a minute later. It
// goes through the insert path (derived columns).
func generateEvents(b *testing.B, s *Store, n int) {
	tpl := loadTemplates(b)
	ctx := context.Background()
	const chunk = 50000
	var buf bytes.Buffer
	for start := 0; start < n; start += chunk {
		rows := make([]row, 0, chunk)
		for i := start; i < min(start+chunk, n); i++ {
			buf.Reset()
			corpusRecord(&buf, tpl, i)
			r, err := deriveRow(buf.Bytes(), "bench")
			if err != nil {
				b.Fatal(err)
			}
			rows = append(rows, r)
		}
		if err := s.insertRows(ctx, rows); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalysis times `report key-usage` and `detect` (all built-in
// rules) over a generated corpus of -trail.events events (default 1M).
func BenchmarkAnalysis(b *testing.B) {
	path := filepath.Join(b.TempDir(), "kmsim.duckdb")
	s, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	generateEvents(b, s, *benchEvents)
	b.Logf("generated %d events in %s", *benchEvents, time.Since(start))
	rules, err := BuiltinRules()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("report-key-usage", func(b *testing.B) {
		for range b.N {
			if _, err := s.Report(context.Background(), "key-usage", Scope{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("detect", func(b *testing.B) {
		for range b.N {
			if _, err := s.Detect(context.Background(), rules, Scope{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
