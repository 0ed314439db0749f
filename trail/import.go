package trail

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// ErrImportFailed is returned by Store.Import when at least one file could
// not be imported; the summary's Errors say which and why. The other files
// are imported.
var ErrImportFailed = errors.New("trail: import failed")

// ImportOptions configures Store.Import.
type ImportOptions struct {
	// Progress, when set, is called after each file is read and after each
	// commit, from one goroutine.
	Progress func(ImportProgress)

	// BatchRecords is how many records of completely read files are
	// committed together (default 150000). Commits happen between files, so
	// a batch may be larger than this when a file is. A file's records are
	// held in memory from when they are read until they are committed. A
	// batch of more than DuckDB's row group (122,880 rows) is written to the
	// database file directly rather than through its write-ahead log, which
	// made imports a third cheaper than batches of 100,000.
	BatchRecords int

	// Readers is how many files are read and decompressed concurrently
	// (default GOMAXPROCS, at most 4).
	Readers int

	// Committers is how many batches are committed concurrently, each on a
	// connection of its own (default 3). Handing rows to DuckDB costs more
	// than reading them; on two cores three committers imported two thirds
	// faster than one. A batch that conflicts with one committing beside it
	// (the same eventID in both) is committed again alone.
	Committers int
}

// ImportProgress reports how far an import is.
type ImportProgress struct {
	Files      int   // files read so far (including failed ones)
	FilesTotal int   // files to read
	Records    int64 // records read so far
	Elapsed    time.Duration
}

// ImportSummary is the outcome of Store.Import.
type ImportSummary struct {
	Files      int   // files found under the paths
	Records    int64 // records in the files that were imported
	Imported   int64 // records stored
	Duplicates int64 // records skipped because their eventID was already stored
	Errors     []*ImportError
	Elapsed    time.Duration
}

// ImportError says why one file was not imported (nothing of it is stored).
type ImportError struct {
	Path   string
	Record int // index of the offending record in the file (0-based), -1 when not about one record
	Err    error
}

func (e *ImportError) Error() string {
	if e.Record >= 0 {
		return fmt.Sprintf("%s: record %d: %v", e.Path, e.Record, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *ImportError) Unwrap() error { return e.Err }

// skippedDirs are CloudTrail delivery folders that hold no event records.
var skippedDirs = map[string]bool{"CloudTrail-Digest": true, "CloudTrail-Insight": true}

// importExts are the file names a directory walk imports.
var importExts = []string{".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"}

// Import reads CloudTrail records from files and directories and stores
// them; records whose eventID is already stored are skipped, so importing
// the same files again adds nothing.
//
// A directory is walked for *.json, *.json.gz, *.jsonl(.gz) and
// *.ndjson(.gz) files, skipping CloudTrail-Digest and CloudTrail-Insight
// folders, so CloudTrail's S3 delivery layout
// (AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json.gz) imports
// as it is. A file named directly is imported whatever its name. Each file
// is gzip-compressed or not (detected from its content) and holds one of:
// the delivery wrapper {"Records":[...]}, a bare JSON array of records,
// records one per line (JSON Lines) or otherwise one after another, or the
// output of `aws cloudtrail lookup-events` ({"Events":[{"CloudTrailEvent":
// "<record JSON>"}]}). Files are streamed and each record parsed once; a
// file's rows are held in memory until the file is read completely.
//
// Each record is stored as it is in the file (compacted when it spans
// lines): fields this package does not know are kept and nothing is added;
// the typed columns are derived from it. A record needs an eventID and an
// RFC 3339 eventTime. A file is imported entirely or not at all: one that
// cannot be read or holds an invalid record lands nothing and is reported
// in the summary's Errors, and Import then returns ErrImportFailed after
// importing the other files. Other errors (the database, ctx) stop the
// import; what was committed stays.
func (s *Store) Import(ctx context.Context, paths []string, opts ImportOptions) (ImportSummary, error) {
	start := time.Now()
	if opts.BatchRecords <= 0 {
		opts.BatchRecords = 150000
	}
	if opts.Readers <= 0 {
		opts.Readers = min(runtime.GOMAXPROCS(0), 4)
	}
	if opts.Committers <= 0 {
		opts.Committers = 3
	}
	var sum ImportSummary
	if s.readOnly {
		return sum, ErrReadOnly
	}
	files, walkErrs := importFiles(paths)
	sum.Files = len(files) + len(walkErrs)
	sum.Errors = append(sum.Errors, walkErrs...)

	s.insertMu.Lock()
	defer s.insertMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return sum, wrapError(err)
	}
	defer conn.Close()
	// One DuckDB thread while importing: the readers use the other cores,
	// and a second DuckDB thread only contends with them (measured on two
	// cores: the import took half the time and a third less CPU).
	var threads int64
	if err := conn.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&threads); err != nil {
		return sum, wrapError(err)
	}
	if threads > 1 {
		if _, err := conn.ExecContext(ctx, "SET threads = 1"); err != nil {
			return sum, wrapError(err)
		}
		defer conn.ExecContext(context.Background(), fmt.Sprintf("SET threads = %d", threads)) //nolint:errcheck
	}
	conns := []*sql.Conn{conn}
	for len(conns) < opts.Committers {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return sum, wrapError(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	imp := &importer{ctx: ctx, conns: conns, files: files, opts: opts, sum: &sum, start: start}
	err = imp.run()
	sum.Elapsed = time.Since(start)
	sort.Slice(sum.Errors, func(i, j int) bool { return sum.Errors[i].Path < sum.Errors[j].Path })
	if err != nil {
		return sum, err
	}
	if len(sum.Errors) > 0 {
		return sum, fmt.Errorf("%w: %d of %d files", ErrImportFailed, len(sum.Errors), sum.Files)
	}
	return sum, nil
}

// importFiles expands paths into the files to import, sorted.
func importFiles(paths []string) ([]string, []*ImportError) {
	var files []string
	var errs []*ImportError
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, &ImportError{Path: p, Record: -1, Err: err})
			continue
		}
		if !st.IsDir() {
			add(filepath.Clean(p))
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, &ImportError{Path: path, Record: -1, Err: err})
				return nil
			}
			if d.IsDir() {
				if skippedDirs[d.Name()] {
					return filepath.SkipDir
				}
				return nil
			}
			for _, ext := range importExts {
				if strings.HasSuffix(d.Name(), ext) {
					add(path)
					break
				}
			}
			return nil
		})
		if err != nil {
			errs = append(errs, &ImportError{Path: p, Record: -1, Err: err})
		}
	}
	sort.Strings(files)
	return files, errs
}

// importMsg says how many more records of a file were read (n), or that
// the file is read (done): its rows, or why it cannot be imported (err).
type importMsg struct {
	file int32
	n    int64
	done bool
	rows []row
	err  *ImportError
}

// importer moves the rows of completely read files, checked by reader
// goroutines, into events, a batch of files per transaction. Batches commit
// while the next is read: the consumer hands a full batch to a committer
// goroutine with a free connection and goes on collecting.
type importer struct {
	ctx   context.Context
	conns []*sql.Conn // one per committer
	files []string
	opts  ImportOptions
	sum   *ImportSummary
	start time.Time

	next    batch // files read completely, not yet handed to the committer
	read    int   // files read
	records int64 // records read
}

// batch is the rows of some completely read files.
type batch struct {
	files []int32
	rows  [][]row
	n     int // records
}

// committed is what committing a batch did.
type committed struct {
	records, imported int64
	failed            []*ImportError // files DuckDB refused, alone
	failedRecords     int64          // their records
	retry             *batch         // refused beside another batch: commit it alone
	err               error          // the database or ctx failed: stop
}

// progressChunk is how many records a reader reads between progress
// messages.
const progressChunk = 4096

func (im *importer) run() error {
	ctx, cancel := context.WithCancel(im.ctx)
	defer cancel()
	msgs := make(chan importMsg, 64) // readers go on while a batch commits
	next := make(chan int32)
	var wg sync.WaitGroup
	for range im.opts.Readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				readFile(ctx, f, im.files[f], msgs)
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range im.files {
			select {
			case next <- int32(i):
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(msgs) }()

	if err := im.consume(msgs); err != nil {
		cancel()
		for range msgs { // let the readers finish
		}
		return err
	}
	return im.ctx.Err()
}

// consume collects the files the readers send into batches and has them
// committed, as many at a time as there are connections, while it collects
// the next.
func (im *importer) consume(msgs <-chan importMsg) error {
	free := make(chan *sql.Conn, len(im.conns))
	for _, c := range im.conns {
		free <- c
	}
	done := make(chan committed, len(im.conns))
	inflight := 0
	// settle applies a finished commit. Batches refused beside others are
	// committed again, one by one, once no other is in flight.
	settle := func(c committed) error {
		inflight--
		if c.retry == nil {
			return im.apply(c)
		}
		retries := []*batch{c.retry}
		for ; inflight > 0; inflight-- {
			c := <-done
			if c.retry != nil {
				retries = append(retries, c.retry)
			} else if err := im.apply(c); err != nil {
				return err
			}
		}
		conn := <-free
		defer func() { free <- conn }()
		for _, b := range retries {
			if err := im.apply(im.commit(conn, *b, false)); err != nil {
				return err
			}
		}
		return nil
	}
	handOver := func() error {
		if len(im.next.files) == 0 {
			return nil
		}
		var conn *sql.Conn
		for conn == nil {
			select {
			case conn = <-free:
			case c := <-done:
				if err := settle(c); err != nil {
					return err
				}
			}
		}
		b := im.next
		im.next = batch{}
		inflight++
		go func() {
			c := im.commit(conn, b, len(im.conns) > 1)
			free <- conn
			done <- c
		}()
		return nil
	}
	err := func() error {
		for {
			var m importMsg
			var ok bool
			select {
			case m, ok = <-msgs:
			case c := <-done:
				if err := settle(c); err != nil {
					return err
				}
				continue
			}
			if !ok {
				return handOver()
			}
			if err := im.ctx.Err(); err != nil {
				return err
			}
			im.records += m.n
			if !m.done {
				im.progress()
				continue
			}
			im.read++
			if m.err != nil {
				im.sum.Errors = append(im.sum.Errors, m.err) // its n took back its records
			} else {
				im.next.files = append(im.next.files, m.file)
				im.next.rows = append(im.next.rows, m.rows)
				im.next.n += len(m.rows)
			}
			im.progress()
			if im.next.n >= im.opts.BatchRecords {
				if err := handOver(); err != nil {
					return err
				}
			}
		}
	}()
	for inflight > 0 {
		if werr := settle(<-done); err == nil {
			err = werr
		}
	}
	return err
}

// apply adds what a commit did to the summary.
func (im *importer) apply(c committed) error {
	if c.err != nil {
		return c.err
	}
	im.sum.Records += c.records
	im.sum.Imported += c.imported
	im.sum.Duplicates += c.records - c.imported
	im.sum.Errors = append(im.sum.Errors, c.failed...)
	im.records -= c.failedRecords
	im.progress()
	return nil
}

func (im *importer) progress() {
	if im.opts.Progress != nil {
		im.opts.Progress(ImportProgress{Files: im.read, FilesTotal: len(im.files), Records: im.records, Elapsed: time.Since(im.start)})
	}
}

// commit stores the rows of a batch in one transaction on conn. Records
// were checked as they were read, so this fails only on what DuckDB
// refuses: beside other batches (shared), the batch is handed back to be
// committed alone; alone, each file is tried by itself, and one that still
// fails lands nothing and is reported.
func (im *importer) commit(conn *sql.Conn, b batch, shared bool) committed {
	var c committed
	imported, err := insertBatch(im.ctx, conn, b.rows...)
	switch {
	case err == nil:
		c.records, c.imported = int64(b.n), imported
		return c
	case im.ctx.Err() != nil:
		c.err = im.ctx.Err()
		return c
	case shared:
		c.retry = &b
		return c
	}
	for i, f := range b.files {
		imported, err := insertBatch(im.ctx, conn, b.rows[i])
		switch {
		case err == nil:
			c.records += int64(len(b.rows[i]))
			c.imported += imported
		case im.ctx.Err() != nil:
			c.err = im.ctx.Err()
			return c
		default:
			c.failed = append(c.failed, &ImportError{Path: im.files[f], Record: -1, Err: err})
			c.failedRecords += int64(len(b.rows[i]))
		}
	}
	return c
}

// readFile reads and checks the records of one file and sends them to msgs
// when the file is read, with progress messages before.
func readFile(ctx context.Context, file int32, path string, msgs chan<- importMsg) {
	send := func(m importMsg) bool {
		select {
		case msgs <- m:
			return true
		case <-ctx.Done():
			return false
		}
	}
	source := path
	if abs, err := filepath.Abs(path); err == nil {
		source = abs
	}
	source = SourceImportPrefix + source
	var rows []row
	var unsent int64
	emit := func(raw []byte) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r, err := checkRecord(raw, source)
		if err != nil {
			return err
		}
		rows = append(rows, r)
		if unsent++; unsent == progressChunk {
			if !send(importMsg{file: file, n: unsent}) {
				return ctx.Err()
			}
			unsent = 0
		}
		return nil
	}
	if err := scanFile(path, emit); err != nil {
		ie := &ImportError{Path: path, Record: -1, Err: err}
		var re *recordError
		if errors.As(err, &re) {
			ie.Err, ie.Record = re.err, re.idx
		}
		send(importMsg{file: file, n: unsent - int64(len(rows)), done: true, err: ie})
		return
	}
	send(importMsg{file: file, n: unsent, done: true, rows: rows})
}

// recordError ties an error to a record index.
type recordError struct {
	idx int
	err error
}

func (e *recordError) Error() string { return fmt.Sprintf("record %d: %v", e.idx, e.err) }
func (e *recordError) Unwrap() error { return e.err }

// fileFormat is the layout of a file's records.
type fileFormat int

const (
	formatStream  fileFormat = iota // JSON Lines, or objects one after another
	formatArray                     // a bare JSON array of records
	formatRecords                   // {"Records":[...]}
	formatEvents                    // lookup-events output: {"Events":[{"CloudTrailEvent":"..."}]}
)

// scanFile calls emit with the JSON of each record of the file at path.
// The bytes are valid only during the call.
func scanFile(path string, emit func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 256<<10)
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		br.Discard(3) //nolint:errcheck // peeked
	}
	format, err := sniff(br)
	if err != nil {
		return err
	}
	sr := newStreamReader(br)
	idx := 0
	one := func(raw []byte) error {
		if err := emit(raw); err != nil {
			return &recordError{idx: idx, err: err}
		}
		idx++
		return nil
	}
	wrap := func(err error) error {
		if err == nil {
			return nil
		}
		var re *recordError
		if errors.As(err, &re) {
			return err
		}
		return &recordError{idx: idx, err: err}
	}
	switch format {
	case formatStream:
		for {
			if _, ok, err := sr.peek(); err != nil || !ok {
				return wrap(err)
			}
			raw, err := sr.value()
			if err != nil {
				return wrap(err)
			}
			if err := one(raw); err != nil {
				return err
			}
		}
	case formatArray:
		if err := scanArray(sr, one); err != nil {
			return wrap(err)
		}
		return wrap(sr.end())
	}
	// An object with a Records or Events array; other keys are skipped.
	if err := sr.expect('{', "looking for beginning of value"); err != nil {
		return wrap(err)
	}
	for first := true; ; first = false {
		more, err := sr.more('}', first)
		if err != nil {
			return wrap(err)
		}
		if !more {
			break
		}
		key, err := sr.key()
		if err != nil {
			return wrap(err)
		}
		switch {
		case key == "Records" && format == formatRecords:
			err = scanArray(sr, one)
		case key == "Events" && format == formatEvents:
			err = scanArray(sr, func(b []byte) error {
				var ev struct {
					CloudTrailEvent *string
				}
				if err := json.Unmarshal(b, &ev); err != nil || ev.CloudTrailEvent == nil {
					return one(nil) // reported as not a JSON object
				}
				return one([]byte(*ev.CloudTrailEvent))
			})
		default:
			_, err = sr.value()
		}
		if err != nil {
			return wrap(err)
		}
	}
	return wrap(sr.end())
}

// scanArray reads a JSON array's elements; null stands for no elements.
func scanArray(sr *streamReader, each func([]byte) error) error {
	c, ok, err := sr.peek()
	if err != nil {
		return err
	}
	if !ok {
		return errShort
	}
	if c == 'n' { // "Records": null
		_, err := sr.value()
		return err
	}
	if c != '[' {
		v, err := sr.value()
		if err != nil {
			return err
		}
		return fmt.Errorf("want an array of records, found %.20s", v)
	}
	sr.pos++
	for first := true; ; first = false {
		more, err := sr.more(']', first)
		if err != nil || !more {
			return err
		}
		raw, err := sr.value()
		if err != nil {
			return err
		}
		if err := each(raw); err != nil {
			return err
		}
	}
}

// sniff decides a file's format from its first bytes, without consuming them.
func sniff(br *bufio.Reader) (fileFormat, error) {
	const max = 64 << 10
	var head []byte
	for n := 512; ; n *= 2 {
		b, err := br.Peek(n)
		head = b
		if err != nil || n >= max || len(bytes.TrimLeft(b, " \t\r\n")) > 64 {
			break
		}
	}
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 {
		return formatStream, nil // an empty file: no records
	}
	switch head[0] {
	case '[':
		return formatArray, nil
	case '{':
		rest := bytes.TrimLeft(head[1:], " \t\r\n")
		switch {
		case bytes.HasPrefix(rest, []byte(`"Records"`)):
			return formatRecords, nil
		case bytes.HasPrefix(rest, []byte(`"Events"`)):
			return formatEvents, nil
		}
		return formatStream, nil
	}
	return 0, fmt.Errorf("not CloudTrail JSON: the file starts with %q", string(head[:min(len(head), 16)]))
}
