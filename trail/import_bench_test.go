package trail

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var benchImportRecords = flag.Int("trail.import-records", 200000, "records in the BenchmarkImport corpus")

// A single file over DuckDB's 16 MiB JSON object limit imports, streamed.
func TestImportLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 20 MB file")
	}
	tpl := loadTemplates(t)
	dir := t.TempDir()
	const n = 16000
	size := writeCorpus(t, dir, tpl, 0, n, n, false)
	if size <= 16<<20 {
		t.Fatalf("corpus file is %d bytes, want > 16 MiB", size)
	}
	s, _ := openTestStore(t)
	sum := importPaths(t, s, dir)
	if sum.Files != 1 || sum.Imported != n {
		t.Errorf("summary = %+v, want 1 file, %d imported", sum, n)
	}
}

// BenchmarkImport measures the import rate over a corpus of the invictus
// records replayed with fresh eventIDs and shifted times, in 1,000-record
// files: gzip (as CloudTrail delivers) and plain JSON. Larger corpora:
// BenchmarkAnalysis.
func BenchmarkImport(b *testing.B) {
	tpl := loadTemplates(b)
	for _, gz := range []bool{true, false} {
		name := "json"
		if gz {
			name = "json.gz"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			n := *benchImportRecords
			writeCorpus(b, dir, tpl, 0, n, 1000, gz)
			var cpu time.Duration
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				path := filepath.Join(b.TempDir(), "kmsim.duckdb")
				s, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				cpu0 := cpuTime()
				sum, err := s.Import(context.Background(), []string{dir}, ImportOptions{})
				cpu += cpuTime() - cpu0
				if err != nil || sum.Imported != int64(n) {
					b.Fatalf("Import: %+v %v", sum, err)
				}
				b.StopTimer()
				s.Close()
				os.Remove(path)
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			// CPU time per event, DuckDB's threads included: the figure that holds when other
			// processes share the cores.
			b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/event")
		})
	}
}
