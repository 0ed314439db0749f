package trail

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestWriterConcurrentWritesAndReopen(t *testing.T) {
	dir := t.TempDir()
	dbPath, journal := filepath.Join(dir, "kmsim.duckdb"), filepath.Join(dir, "trail.journal")
	s, err := Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(s, journal, WithBatchSize(64), WithSegmentRecords(500))
	if err != nil {
		t.Fatal(err)
	}
	const goroutines, each = 16, 250
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rec := testRecord(g*each + i)
				if err := w.Write(&rec); err != nil {
					t.Errorf("Write: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if n := countEvents(t, s); n != goroutines*each {
		t.Errorf("count after Flush = %d, want %d", n, goroutines*each)
	}
	if segs, _ := filepath.Glob(journal + ".*"); len(segs) != 0 {
		t.Errorf("committed sealed segments left behind: %v", segs)
	}

	// Records written after a Flush are stored by Close.
	more := testRecord(goroutines * each)
	if err := w.Write(&more); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := w.Write(&more); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close error = %v, want ErrClosed", err)
	}
	if err := w.Flush(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close error = %v, want ErrClosed", err)
	}
	if _, err := os.Stat(journal); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal after Close: %v, want it removed", err)
	}
	s.Close()

	s, err = OpenReadOnly(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := countEvents(t, s); n != goroutines*each+1 {
		t.Errorf("count after reopen = %d, want %d", n, goroutines*each+1)
	}
}

func TestWriterRefusesJournalInUse(t *testing.T) {
	s, _ := openTestStore(t)
	journal := filepath.Join(t.TempDir(), "trail.journal")
	w, err := NewWriter(s, journal)
	if err != nil {
		t.Fatal(err)
	}
	rec := testRecord(1)
	if err := w.Write(&rec); err != nil {
		t.Fatal(err)
	}
	if _, err := NewWriter(s, journal); !errors.Is(err, ErrJournalInUse) {
		t.Errorf("second NewWriter on the journal: error = %v, want ErrJournalInUse", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w2, err := NewWriter(s, journal)
	if err != nil {
		t.Fatalf("NewWriter after Close: %v", err)
	}
	w2.Close()
}

// The record column holds the same bytes Write put in the journal.
func TestWriterStoresRecordJSON(t *testing.T) {
	s, _ := openTestStore(t)
	w, err := NewWriter(s, filepath.Join(t.TempDir(), "trail.journal"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rec := testRecord(1)
	want, _ := json.Marshal(rec)
	if err := w.Write(&rec); err != nil {
		t.Fatal(err)
	}
	rec.EventName = "Mutated" // the caller may reuse rec
	rec.UserIdentity.SessionContext = nil
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := queryOne(t, s, "SELECT record::VARCHAR FROM events"); got != string(want) {
		t.Errorf("record = %s\nwant %s", got, want)
	}
	if got := queryOne(t, s, "SELECT sessionIssuerArn FROM events"); got != "arn:aws:iam::111122223333:role/Admin" {
		t.Errorf("sessionIssuerArn = %v", got)
	}
	bad := testRecord(2)
	bad.EventTime = "2024-05-01 12:00"
	if err := w.Write(&bad); !errors.Is(err, ErrInvalidRecord) {
		t.Errorf("Write(bad eventTime) error = %v, want ErrInvalidRecord", err)
	}
}

// NewWriter replays what a crashed process left: sealed segments and the
// active file, skipping stored eventIDs and a torn last line.
func TestWriterReplaysJournal(t *testing.T) {
	s, _ := openTestStore(t)
	journal := filepath.Join(t.TempDir(), "trail.journal")
	line := func(i int) string {
		rec := testRecord(i)
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		return string(b) + "\n"
	}
	if err := s.Insert(context.Background(), []Record{testRecord(0)}); err != nil {
		t.Fatal(err)
	}
	torn := line(5)
	files := map[string]string{
		journal + ".000001": line(0) + line(1),
		journal + ".000002": line(2) + line(3),
		journal:             line(4) + torn[:len(torn)/2],
	}
	for name, content := range files {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w, err := NewWriter(s, journal)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if n := countEvents(t, s); n != 5 {
		t.Errorf("count after replay = %d, want 5 (records 0-4)", n)
	}
	for name := range files {
		if name == journal {
			continue
		}
		if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("replayed segment %s not removed", name)
		}
	}
	// The fresh journal file starts clean, and sealing continues after 2.
	rec := testRecord(6)
	if err := w.Write(&rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.nextSeal != 3 {
		t.Errorf("next sealed segment = %d, want 3", w.nextSeal)
	}
	if n := countEvents(t, s); n != 6 {
		t.Errorf("count = %d, want 6", n)
	}
}

// An insert failure keeps the records in the journal: Flush reports it and
// the next NewWriter stores them.
func TestWriterKeepsJournalWhenInsertFails(t *testing.T) {
	s, _ := openTestStore(t)
	journal := filepath.Join(t.TempDir(), "trail.journal")
	w, err := NewWriter(s, journal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Query(context.Background(), "ALTER TABLE stored_events RENAME TO events_away"); err != nil {
		t.Fatal(err)
	}
	rec := testRecord(1)
	if err := w.Write(&rec); err != nil {
		t.Fatalf("Write must not wait for DuckDB: %v", err)
	}
	if err := w.Flush(context.Background()); err == nil {
		t.Fatal("Flush succeeded without an events table")
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close succeeded without storing the record")
	}
	if _, err := os.Stat(journal); err != nil {
		t.Fatalf("journal removed although the record was not stored: %v", err)
	}
	if _, err := s.Query(context.Background(), "ALTER TABLE events_away RENAME TO stored_events"); err != nil {
		t.Fatal(err)
	}
	w, err = NewWriter(s, journal)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if n := countEvents(t, s); n != 1 {
		t.Errorf("count after replay = %d, want 1", n)
	}
}

const (
	childEnv    = "KMSIM_TRAIL_CHILD"
	childDirEnv = "KMSIM_TRAIL_DIR"
)

// TestHelperChild is the process TestWriterSurvivesKill9 kills: it writes
// records through a Writer and prints "acked N" after each Write returns.
func TestHelperChild(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("helper process for TestWriterSurvivesKill9")
	}
	dir := os.Getenv(childDirEnv)
	s, err := Open(filepath.Join(dir, "kmsim.duckdb"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	w, err := NewWriter(s, filepath.Join(dir, "trail.journal"), WithBatchSize(100), WithSegmentRecords(700))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	for i := range 1_000_000 {
		rec := testRecord(i)
		if err := w.Write(&rec); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stdout, "acked %d\n", i) // unbuffered: one write(2)
	}
	os.Exit(3) // the parent should have killed us long before
}

func TestWriterSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childDirEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const killAfter = 3000 // acks seen before SIGKILL; more arrive before it lands
	acked := map[int]bool{}
	sc := bufio.NewScanner(stdout)
	killed := false
	for sc.Scan() {
		n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "acked "))
		if err != nil {
			continue // a line cut by the kill, or test framework output
		}
		acked[n] = true
		if len(acked) == killAfter/2 {
			// DuckDB's file lock keeps other processes out while the child runs.
			if ro, err := OpenReadOnly(filepath.Join(dir, "kmsim.duckdb")); !errors.Is(err, ErrLocked) {
				t.Errorf("OpenReadOnly while the child holds the file: error = %v, want ErrLocked", err)
				if err == nil {
					ro.Close()
				}
			}
		}
		if !killed && len(acked) >= killAfter {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child exited after %d acks before being killed: %v\n%s", len(acked), err, stderr.String())
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v\n%s", err, stderr.String())
	}

	// What DuckDB had committed before the kill, and what only the journal held.
	s, err := Open(filepath.Join(dir, "kmsim.duckdb"))
	if err != nil {
		t.Fatalf("Open after kill: %v", err)
	}
	defer s.Close()
	before := countEvents(t, s)
	w, err := NewWriter(s, filepath.Join(dir, "trail.journal"))
	if err != nil {
		t.Fatalf("NewWriter (replay) after kill: %v", err)
	}
	defer w.Close()
	after := countEvents(t, s)
	t.Logf("acked %d; in DuckDB at kill %d; after journal replay %d", len(acked), before, after)

	res, err := s.Query(context.Background(), "SELECT eventID FROM events")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, r := range res.Rows {
		stored[r[0].(string)] = true
	}
	missing := 0
	for n := range acked {
		if !stored[testEventID(n)] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged records lost after kill -9", missing, len(acked))
	}
}

// BenchmarkWriter measures sustained throughput through the Writer: records
// written from 8×GOMAXPROCS goroutines, then Flush until all are in DuckDB.
// records/s is the figure to watch; cpu-µs/record includes DuckDB's threads.
func BenchmarkWriter(b *testing.B) {
	for _, fsync := range []bool{false, true} {
		b.Run(fmt.Sprintf("sync=%v", fsync), func(b *testing.B) {
			dir := b.TempDir()
			s, err := Open(filepath.Join(dir, "kmsim.duckdb"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			w, err := NewWriter(s, filepath.Join(dir, "trail.journal"), WithSync(fsync))
			if err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			b.SetParallelism(8) // like concurrent HTTP handlers
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := testRecord(int(next.Add(1)))
					if err := w.Write(&rec); err != nil {
						b.Error(err)
						return
					}
				}
			})
			if err := w.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/record")
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// cpuTime is the CPU time this process has used, DuckDB's threads included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
