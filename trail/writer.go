package trail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Recorder receives the record of each handled call. *Writer implements it;
// the simulator depends on this interface rather than on the Writer.
type Recorder interface {
	Write(rec *Record) error
}

var _ Recorder = (*Writer)(nil)

// Writer is the simulator's write path: each record is made durable in an
// append-only journal before Write returns, and stored into DuckDB in
// batches by one background goroutine, off the request path.
//
// Guarantee: an acknowledged call's record survives kill -9 of the server
// (it is in the kernel's page cache before the response is written): Write
// returns only after write(2) has put the record's journal line in the page
// cache, so a server that calls Write before writing its response never
// acknowledges a call whose record could be lost with the process; the next
// NewWriter on the journal stores it. A power loss (or kernel crash) can
// lose the last records unless fsync is enabled with WithSync(true), which
// fsyncs the journal before each Write returns. Delivery is at least once: a
// record whose Write failed after its line reached the journal may still be
// stored; the eventID primary key keeps replays from duplicating anything.
//
// The journal is the file at journalPath (DIR/trail.journal) plus sealed
// segments journalPath.000001, ... : after WithSegmentRecords records the
// active file is renamed to the next sealed segment and a new one started;
// a sealed segment is deleted once every record in it is committed to
// DuckDB, and Close deletes the active file once everything is committed.
//
// Write never waits for DuckDB, so while DuckDB falls behind or fails,
// records queue in memory (and stay in the journal).
//
// A Writer is safe for concurrent use.
type Writer struct {
	store *Store
	path  string
	opts  writerOptions

	mu          sync.Mutex // guards the fields below and the order of journal lines
	closed      bool
	seg         *os.File // active journal file, nil after a failed rotation
	segSize     int64
	segRecords  int
	nextSeal    int
	needNewline bool // a torn line was left in seg: start the next line on a new line
	pending     []item
	written     uint64 // records accepted by Write

	wake chan struct{} // asks run to commit now (buffered, 1)
	quit chan struct{} // closed by Close
	done chan struct{} // closed when run returns

	stateMu    sync.Mutex
	committed  uint64        // records stored in DuckDB (counted like written)
	attempts   uint64        // commits started
	errAttempt uint64        // the attempt that set lastErr
	lastErr    error         // nil after a successful commit
	progress   chan struct{} // closed and replaced whenever the state above changes
}

// item is one queued record, or a marker that every record of the sealed
// segment file seal precedes it.
type item struct {
	row  row
	seal string
}

type writerOptions struct {
	sync           bool
	batchSize      int
	interval       time.Duration
	segmentRecords int
	logger         *slog.Logger
}

// WriterOption configures NewWriter.
type WriterOption func(*writerOptions)

// WithSync makes each Write fsync the journal before returning, so an
// acknowledged record also survives power loss. It costs a disk flush per
// call. Off by default.
func WithSync(sync bool) WriterOption {
	return func(o *writerOptions) { o.sync = sync }
}

// WithBatchSize sets how many queued records wake the background goroutine
// before its interval elapses (default 1000).
func WithBatchSize(n int) WriterOption {
	return func(o *writerOptions) {
		if n > 0 {
			o.batchSize = n
		}
	}
}

// WithFlushInterval sets how long a record may wait in the queue when fewer
// than the batch size are queued (default 100ms).
func WithFlushInterval(d time.Duration) WriterOption {
	return func(o *writerOptions) {
		if d > 0 {
			o.interval = d
		}
	}
}

// WithSegmentRecords sets how many records a journal segment holds before
// it is sealed (default 50000).
func WithSegmentRecords(n int) WriterOption {
	return func(o *writerOptions) {
		if n > 0 {
			o.segmentRecords = n
		}
	}
}

// WithLogger receives journal replay counts and background insert errors
// (default: discarded; Flush and Close return insert errors as well).
func WithLogger(l *slog.Logger) WriterOption {
	return func(o *writerOptions) {
		if l != nil {
			o.logger = l
		}
	}
}

// NewWriter starts a Writer that stores into store and journals to
// journalPath. Records left in the journal by an earlier process (one that
// was killed, or whose Close could not store them) are inserted first;
// records already stored are skipped, and a torn last line is ignored.
// The caller closes store after the Writer.
func NewWriter(store *Store, journalPath string, options ...WriterOption) (*Writer, error) {
	opts := writerOptions{
		batchSize:      1000,
		interval:       100 * time.Millisecond,
		segmentRecords: 50000,
		logger:         slog.New(slog.DiscardHandler),
	}
	for _, o := range options {
		o(&opts)
	}
	if store.readOnly {
		return nil, ErrReadOnly
	}
	w := &Writer{
		store:    store,
		path:     journalPath,
		opts:     opts,
		nextSeal: 1,
		wake:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
		progress: make(chan struct{}),
	}
	if err := w.replay(context.Background()); err != nil {
		return nil, err
	}
	if err := w.openSegment(); err != nil {
		return nil, err
	}
	go w.run()
	return w, nil
}

// Write journals rec and queues it for DuckDB. When it returns nil the
// record is in the journal (see the Writer guarantee); it never waits for
// DuckDB. rec may be reused after Write returns. A record without an
// eventID or with an eventTime that is not RFC 3339 is refused with
// ErrInvalidRecord.
func (w *Writer) Write(rec *Record) error {
	r, b, err := newRow(rec)
	if err != nil {
		return err
	}
	line := append(b, '\n')

	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	if err := w.appendLine(line); err != nil {
		w.mu.Unlock()
		return err
	}
	seg := w.seg
	w.pending = append(w.pending, item{row: r})
	w.written++
	queued := len(w.pending)
	if w.segRecords >= w.opts.segmentRecords {
		if err := w.rotate(); err != nil {
			w.opts.logger.Warn("trail: journal rotation failed", "err", err)
		}
	}
	w.mu.Unlock()

	if queued >= w.opts.batchSize {
		w.kick()
	}
	if w.opts.sync {
		// Outside w.mu, so concurrent writers share disk flushes. A file
		// closed meanwhile was synced by rotate or Close before closing.
		if err := seg.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
			return fmt.Errorf("trail: journal %s: sync: %w", seg.Name(), err)
		}
	}
	return nil
}

// appendLine writes one journal line with a single write(2). w.mu is held.
func (w *Writer) appendLine(line []byte) error {
	if w.seg == nil {
		if err := w.openSegment(); err != nil {
			return err
		}
	}
	if w.needNewline {
		line = append([]byte{'\n'}, line...)
	}
	n, err := w.seg.Write(line)
	if err != nil {
		// Do not let the next record continue a torn line: cut it off, or
		// failing that, start the next record on a line of its own.
		if n > 0 && w.seg.Truncate(w.segSize) != nil {
			w.needNewline = true
		}
		return fmt.Errorf("trail: journal %s: %w", w.seg.Name(), err)
	}
	w.needNewline = false
	w.segSize += int64(n)
	w.segRecords++
	return nil
}

// openSegment creates the active journal file. w.mu is held (or w is not
// shared yet).
func (w *Writer) openSegment() error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("trail: journal: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return fmt.Errorf("trail: journal: %w", err)
	}
	if w.opts.sync {
		if err := syncDir(filepath.Dir(w.path)); err != nil {
			f.Close()
			os.Remove(w.path)
			return fmt.Errorf("trail: journal: %w", err)
		}
	}
	w.seg, w.segSize, w.segRecords, w.needNewline = f, 0, 0, false
	return nil
}

// rotate seals the active journal file under the next segment name and
// starts a new one. The seal marker queued behind the file's records lets
// run delete it once they are committed. w.mu is held.
func (w *Writer) rotate() error {
	if w.opts.sync {
		if err := w.seg.Sync(); err != nil {
			return err
		}
	}
	sealed := fmt.Sprintf("%s.%06d", w.path, w.nextSeal)
	if err := os.Rename(w.path, sealed); err != nil {
		return err
	}
	w.nextSeal++
	w.seg.Close()
	w.seg = nil
	w.pending = append(w.pending, item{seal: sealed})
	return w.openSegment()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// kick asks run to commit without waiting for its interval.
func (w *Writer) kick() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run is the background goroutine: it commits queued records whenever
// kicked or every interval, and once more when Close asks it to stop.
func (w *Writer) run() {
	defer close(w.done)
	ticker := time.NewTicker(w.opts.interval)
	defer ticker.Stop()
	var retry []item
	for {
		stop := false
		select {
		case <-w.wake:
		case <-ticker.C:
		case <-w.quit:
			stop = true
		}
		retry = w.commit(retry)
		if stop {
			return
		}
	}
}

// commit stores retry plus everything queued. On failure it returns the
// items to retry next time (they remain in the journal meanwhile).
func (w *Writer) commit(retry []item) []item {
	w.mu.Lock()
	batch := retry
	if len(w.pending) > 0 {
		batch = append(batch, w.pending...)
		w.pending = nil
	}
	w.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}

	w.stateMu.Lock()
	w.attempts++
	attempt := w.attempts
	w.stateMu.Unlock()

	rows := make([]row, 0, len(batch))
	var sealed []string
	for _, it := range batch {
		if it.seal != "" {
			sealed = append(sealed, it.seal)
			continue
		}
		rows = append(rows, it.row)
	}
	err := w.store.insertRows(context.Background(), rows)
	if err == nil {
		// Before publishing progress, so Flush returns with them gone.
		for _, name := range sealed {
			if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
				w.opts.logger.Warn("trail: removing committed journal segment", "err", err)
			}
		}
	}

	w.stateMu.Lock()
	if err != nil {
		w.lastErr, w.errAttempt = err, attempt
	} else {
		w.lastErr = nil
		w.committed += uint64(len(rows))
	}
	close(w.progress)
	w.progress = make(chan struct{})
	w.stateMu.Unlock()

	if err != nil {
		w.opts.logger.Error("trail: storing records failed; will retry", "records", len(rows), "err", err)
		return batch
	}
	return nil
}

// Flush waits until every record written before it was called is stored in
// DuckDB, so queries that follow see them. It returns the insert error if a
// commit attempt started after the call fails, or ctx's error.
func (w *Writer) Flush(ctx context.Context) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	target := w.written
	w.mu.Unlock()

	w.stateMu.Lock()
	start := w.attempts
	w.stateMu.Unlock()
	w.kick()
	return w.wait(ctx, target, start)
}

func (w *Writer) wait(ctx context.Context, target, start uint64) error {
	for {
		w.stateMu.Lock()
		committed, err, errAttempt, progress := w.committed, w.lastErr, w.errAttempt, w.progress
		w.stateMu.Unlock()
		if committed >= target {
			return nil
		}
		if err != nil && errAttempt > start {
			return err
		}
		select {
		case <-progress:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close stops accepting records, stores everything queued, and deletes the
// journal. If the last records cannot be stored, the journal is kept for the
// next NewWriter and the insert error returned. It does not close the
// Store. Calling Close again returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	target := w.written
	w.mu.Unlock()

	close(w.quit)
	<-w.done

	w.mu.Lock()
	defer w.mu.Unlock()
	var closeErr error
	if w.seg != nil {
		if w.opts.sync {
			closeErr = w.seg.Sync()
		}
		closeErr = errors.Join(closeErr, w.seg.Close())
		w.seg = nil
	}
	w.stateMu.Lock()
	committed, err := w.committed, w.lastErr
	w.stateMu.Unlock()
	if committed < target {
		if err == nil {
			err = errors.New("records still queued")
		}
		return fmt.Errorf("trail: close: %d records kept in journal %s for the next NewWriter: %w", target-committed, w.path, err)
	}
	if err := os.Remove(w.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("trail: close: %w", err)
	}
	if closeErr != nil {
		return fmt.Errorf("trail: close journal: %w", closeErr)
	}
	return nil
}

// replay stores what earlier processes left in the journal, sealed segments
// in order and then the active file, and deletes those files.
func (w *Writer) replay(ctx context.Context) error {
	// Refuse a journal another Writer is appending to: replay deletes it.
	if active, err := os.Open(w.path); err == nil {
		defer active.Close()
		if err := lockFile(active); err != nil {
			return fmt.Errorf("trail: journal: %w", err)
		}
	}
	files, err := journalFiles(w.path)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return nil
	}
	const chunk = 10000
	var rows []row
	var total, skipped int
	for _, f := range files {
		data, err := os.ReadFile(f.name)
		if err != nil {
			return fmt.Errorf("trail: journal replay: %w", err)
		}
		for len(data) > 0 {
			line, rest, complete := bytes.Cut(data, []byte{'\n'})
			data = rest
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			if !complete { // torn last line: its Write never returned
				skipped++
				continue
			}
			r, err := rowFromJSON(line)
			if err != nil {
				skipped++
				w.opts.logger.Warn("trail: journal replay: skipping unreadable line", "file", f.name, "err", err)
				continue
			}
			rows = append(rows, r)
			if len(rows) == chunk {
				if err := w.store.insertRows(ctx, rows); err != nil {
					return fmt.Errorf("trail: journal replay: %w", err)
				}
				total += len(rows)
				rows = rows[:0]
			}
		}
	}
	if err := w.store.insertRows(ctx, rows); err != nil {
		return fmt.Errorf("trail: journal replay: %w", err)
	}
	total += len(rows)
	for _, f := range files {
		if err := os.Remove(f.name); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("trail: journal replay: %w", err)
		}
		w.nextSeal = max(w.nextSeal, f.seal+1)
	}
	if w.opts.sync {
		if err := syncDir(filepath.Dir(w.path)); err != nil {
			return fmt.Errorf("trail: journal replay: %w", err)
		}
	}
	w.opts.logger.Info("trail: journal replayed", "records", total, "skipped_lines", skipped)
	return nil
}

type journalFile struct {
	name string
	seal int // 0 for the active file
}

// journalFiles lists the sealed segments of the journal at path in order,
// then the active file, of those that exist.
func journalFiles(path string) ([]journalFile, error) {
	matches, err := filepath.Glob(escapeGlob(path) + ".*")
	if err != nil {
		return nil, err
	}
	var files []journalFile
	for _, m := range matches {
		n, err := strconv.Atoi(strings.TrimPrefix(m, path+"."))
		if err != nil || n <= 0 {
			continue
		}
		files = append(files, journalFile{name: m, seal: n})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].seal < files[j].seal })
	if _, err := os.Stat(path); err == nil {
		files = append(files, journalFile{name: path})
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("trail: journal: %w", err)
	}
	return files, nil
}

// escapeGlob quotes the glob metacharacters in a literal path.
func escapeGlob(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`).Replace(s)
}
