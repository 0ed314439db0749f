package trail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
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
	// committed together (default 100000). Commits happen between files, so
	// a batch may be larger than this when a file is.
	BatchRecords int

	// Readers is how many files are read and decompressed concurrently
	// (default GOMAXPROCS, at most 4).
	Readers int
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
// "<record JSON>"}]}). Files are streamed, never read whole into memory.
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
		opts.BatchRecords = 100000
	}
	if opts.Readers <= 0 {
		opts.Readers = min(runtime.GOMAXPROCS(0), 4)
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
	imp := &importer{ctx: ctx, conn: conn, files: files, opts: opts, sum: &sum, start: start}
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

// stagedRecord is one record read from file number file.
type stagedRecord struct {
	idx  int32
	json string
}

// importMsg carries records of one file, or says the file is read (done),
// successfully or not (err).
type importMsg struct {
	file    int32
	records []stagedRecord
	done    bool
	err     *ImportError
}

// importer moves records from reader goroutines into a temporary stage
// table and from there, file by file and validated, into events.
type importer struct {
	ctx   context.Context
	conn  *sql.Conn
	files []string
	opts  ImportOptions
	sum   *ImportSummary
	start time.Time

	appender *duckdb.Appender
	staged   map[int32]int64 // records staged per file not yet committed
	ready    []int32         // files read completely, not yet committed
	readyN   int64           // records in ready
	read     int             // files read
	records  int64           // records read
}

const (
	stageTable  = "kmsim_import_stage"
	filesTable  = "kmsim_import_files"
	importChunk = 2048 // records per message from a reader
)

func (im *importer) run() error {
	if _, err := im.conn.ExecContext(im.ctx, "CREATE OR REPLACE TEMP TABLE "+stageTable+
		" (file INTEGER, idx INTEGER, record VARCHAR); CREATE OR REPLACE TEMP TABLE "+filesTable+
		" (fileno INTEGER, source VARCHAR)"); err != nil {
		return wrapError(err)
	}
	defer im.conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+stageTable+ //nolint:errcheck
		"; DROP TABLE IF EXISTS temp."+filesTable)
	err := im.conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", filesTable)
		if err != nil {
			return err
		}
		for i, f := range im.files {
			if abs, err := filepath.Abs(f); err == nil {
				f = abs
			}
			if err := a.AppendRow(int32(i), SourceImportPrefix+f); err != nil {
				return errors.Join(err, a.Close())
			}
		}
		return a.Close()
	})
	if err != nil {
		return fmt.Errorf("trail: import: %w", wrapError(err))
	}
	im.staged = map[int32]int64{}

	ctx, cancel := context.WithCancel(im.ctx)
	defer cancel()
	msgs := make(chan importMsg, 4*im.opts.Readers)
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

	err = im.consume(msgs)
	if err != nil {
		cancel()
		for range msgs { // let the readers finish
		}
		im.closeAppender() //nolint:errcheck
		return err
	}
	if err := im.commit(); err != nil {
		return err
	}
	return im.ctx.Err()
}

func (im *importer) consume(msgs <-chan importMsg) error {
	for m := range msgs {
		if err := im.ctx.Err(); err != nil {
			return err
		}
		if len(m.records) > 0 {
			if err := im.stage(m.file, m.records); err != nil {
				return err
			}
		}
		if !m.done {
			continue
		}
		im.read++
		if m.err != nil {
			im.sum.Errors = append(im.sum.Errors, m.err)
			if err := im.discard(m.file); err != nil {
				return err
			}
		} else {
			im.ready = append(im.ready, m.file)
			im.readyN += im.staged[m.file]
		}
		im.progress()
		if im.readyN >= int64(im.opts.BatchRecords) {
			if err := im.commit(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (im *importer) progress() {
	if im.opts.Progress != nil {
		im.opts.Progress(ImportProgress{Files: im.read, FilesTotal: len(im.files), Records: im.records, Elapsed: time.Since(im.start)})
	}
}

// stage appends records to the stage table.
func (im *importer) stage(file int32, recs []stagedRecord) error {
	if im.appender == nil {
		err := im.conn.Raw(func(dc any) error {
			a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", stageTable)
			im.appender = a
			return err
		})
		if err != nil {
			return fmt.Errorf("trail: import: %w", wrapError(err))
		}
	}
	for _, r := range recs {
		if err := im.appender.AppendRow(file, r.idx, r.json); err != nil {
			return fmt.Errorf("trail: import %s: record %d: %w", im.files[file], r.idx, err)
		}
	}
	im.staged[file] += int64(len(recs))
	im.records += int64(len(recs))
	return nil
}

func (im *importer) closeAppender() error {
	if im.appender == nil {
		return nil
	}
	err := im.appender.Close()
	im.appender = nil
	if err != nil {
		return fmt.Errorf("trail: import: %w", wrapError(err))
	}
	return nil
}

// discard drops the staged records of a failed file.
func (im *importer) discard(file int32) error {
	n := im.staged[file]
	delete(im.staged, file)
	im.records -= n
	if n == 0 {
		return nil
	}
	if err := im.closeAppender(); err != nil {
		return err
	}
	_, err := im.conn.ExecContext(im.ctx, "DELETE FROM temp."+stageTable+" WHERE file = ?", file)
	return wrapError(err)
}

// commit validates the ready files' records and stores those of valid files
// in one transaction; a file with an invalid record lands nothing.
func (im *importer) commit() error {
	if len(im.ready) == 0 {
		return nil
	}
	if err := im.closeAppender(); err != nil {
		return err
	}
	ready := im.ready
	im.ready, im.readyN = nil, 0

	// The happy path parses each record once: the insert derives the
	// columns, and an invalid record (no eventID or eventTime) violates
	// events' NOT NULL constraints, failing the transaction. Only then are
	// the files validated one by one to name the file and record.
	if err := im.insert(ready); err != nil {
		if im.ctx.Err() != nil {
			return im.ctx.Err()
		}
		invalid, verr := im.validate(ready)
		if verr != nil {
			return verr
		}
		for _, f := range ready {
			if e, bad := invalid[f]; bad {
				im.sum.Errors = append(im.sum.Errors, e)
				im.records -= im.staged[f]
				continue
			}
			if err := im.insert([]int32{f}); err != nil {
				if im.ctx.Err() != nil {
					return im.ctx.Err()
				}
				im.sum.Errors = append(im.sum.Errors, &ImportError{Path: im.files[f], Record: -1, Err: err})
				im.records -= im.staged[f]
			}
		}
	}
	if _, err := im.conn.ExecContext(im.ctx, "DELETE FROM temp."+stageTable+" WHERE file IN ("+fileList(ready)+")"); err != nil {
		return wrapError(err)
	}
	for _, f := range ready {
		delete(im.staged, f)
	}
	im.progress()
	return nil
}

// validate returns, per ready file with an invalid record, its first one.
func (im *importer) validate(ready []int32) (map[int32]*ImportError, error) {
	rows, err := im.conn.QueryContext(im.ctx, `SELECT file, idx,
		CASE WHEN coalesce(r.eventID, '') = '' THEN 'eventID is missing'
		     WHEN r.eventTime IS NULL THEN 'eventTime is missing'
		     ELSE 'eventTime ' || to_json(r.eventTime) || ' is not an RFC 3339 time' END
		FROM (SELECT file, idx, from_json(record, '{"eventID":"VARCHAR","eventTime":"VARCHAR"}') AS r
		      FROM temp.`+stageTable+` WHERE file IN (`+fileList(ready)+`))
		WHERE coalesce(r.eventID, '') = '' OR try_cast(r.eventTime AS TIMESTAMPTZ) IS NULL
		QUALIFY row_number() OVER (PARTITION BY file ORDER BY idx) = 1`)
	if err != nil {
		return nil, fmt.Errorf("trail: import: %w", wrapError(err))
	}
	defer rows.Close()
	invalid := map[int32]*ImportError{}
	for rows.Next() {
		var f, idx int32
		var msg string
		if err := rows.Scan(&f, &idx, &msg); err != nil {
			return nil, err
		}
		invalid[f] = &ImportError{Path: im.files[f], Record: int(idx), Err: fmt.Errorf("%w: %s", ErrInvalidRecord, msg)}
	}
	return invalid, wrapError(rows.Err())
}

// insert stores the staged records of files in one transaction.
func (im *importer) insert(files []int32) error {
	tx, err := im.conn.BeginTx(im.ctx, nil)
	if err != nil {
		return wrapError(err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	q := "INSERT OR IGNORE INTO events (" + strings.Join(columnNames(), ", ") + ") " +
		deriveSQL("(SELECT record, source FROM temp."+stageTable+" JOIN temp."+filesTable+
			" ON file = fileno WHERE file IN ("+fileList(files)+"))")
	res, err := tx.ExecContext(im.ctx, q)
	if err != nil {
		return wrapError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrapError(err)
	}
	if err := tx.Commit(); err != nil {
		return wrapError(err)
	}
	var total int64
	for _, f := range files {
		total += im.staged[f]
	}
	im.sum.Records += total
	im.sum.Imported += n
	im.sum.Duplicates += total - n
	return nil
}

// fileList renders file numbers (ours, not user input) as a SQL list.
func fileList(files []int32) string {
	var b strings.Builder
	for i, f := range files {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(f)))
	}
	return b.String()
}

// readFile streams the records of one file to msgs, ending with a done
// message.
func readFile(ctx context.Context, file int32, path string, msgs chan<- importMsg) {
	send := func(m importMsg) bool {
		select {
		case msgs <- m:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var batch []stagedRecord
	idx := 0
	emit := func(raw []byte) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rec, err := recordText(raw)
		if err != nil {
			return err
		}
		batch = append(batch, stagedRecord{idx: int32(idx), json: rec})
		idx++
		if len(batch) == importChunk {
			if !send(importMsg{file: file, records: batch}) {
				return ctx.Err()
			}
			batch = nil
		}
		return nil
	}
	if err := scanFile(path, emit); err != nil {
		ie := &ImportError{Path: path, Record: -1, Err: err}
		var re *recordError
		if errors.As(err, &re) {
			ie.Err, ie.Record = re.err, re.idx
		}
		send(importMsg{file: file, done: true, err: ie})
		return
	}
	send(importMsg{file: file, records: batch, done: true})
}

// recordError ties an error to a record index.
type recordError struct {
	idx int
	err error
}

func (e *recordError) Error() string { return fmt.Sprintf("record %d: %v", e.idx, e.err) }
func (e *recordError) Unwrap() error { return e.err }

// recordText checks one record's JSON and returns the text to store: the
// bytes as they are, compacted when the record spans lines.
func recordText(raw []byte) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return "", fmt.Errorf("%w: not a JSON object", ErrInvalidRecord)
	}
	if !utf8.Valid(raw) {
		return "", fmt.Errorf("%w: not valid UTF-8", ErrInvalidRecord)
	}
	if bytes.IndexByte(raw, '\n') >= 0 {
		var b bytes.Buffer
		b.Grow(len(raw))
		if err := json.Compact(&b, raw); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	return string(raw), nil
}

// fileFormat is the layout of a file's records.
type fileFormat int

const (
	formatStream  fileFormat = iota // JSON Lines, or objects one after another
	formatArray                     // a bare JSON array of records
	formatRecords                   // {"Records":[...]}
	formatEvents                    // lookup-events output: {"Events":[{"CloudTrailEvent":"..."}]}
)

// scanFile calls emit with the JSON of each record of the file at path.
func scanFile(path string, emit func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256<<10)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 256<<10)
		r = br
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		br.Discard(3) //nolint:errcheck // peeked
	}
	format, err := sniff(br)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(r)
	idx := 0
	one := func(raw []byte) error {
		if err := emit(raw); err != nil {
			return &recordError{idx: idx, err: err}
		}
		idx++
		return nil
	}
	wrapSyntax := func(err error) error {
		if err == nil {
			return nil
		}
		var re *recordError
		if errors.As(err, &re) {
			return err
		}
		return &recordError{idx: idx, err: fmt.Errorf("%w (at byte %d)", err, dec.InputOffset())}
	}
	var raw json.RawMessage
	switch format {
	case formatStream:
		for {
			raw = raw[:0]
			if err := dec.Decode(&raw); err == io.EOF {
				return nil
			} else if err != nil {
				return wrapSyntax(err)
			}
			if err := one(raw); err != nil {
				return err
			}
		}
	case formatArray:
		if err := scanArray(dec, &raw, one); err != nil {
			return wrapSyntax(err)
		}
		return wrapSyntax(expectEnd(dec))
	}
	// An object with a Records or Events array; other keys are skipped.
	if _, err := dec.Token(); err != nil {
		return wrapSyntax(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return wrapSyntax(err)
		}
		key, _ := tok.(string)
		switch {
		case key == "Records" && format == formatRecords:
			err = scanArray(dec, &raw, one)
		case key == "Events" && format == formatEvents:
			err = scanArray(dec, &raw, func(b []byte) error {
				var ev struct {
					CloudTrailEvent *string
				}
				if err := json.Unmarshal(b, &ev); err != nil || ev.CloudTrailEvent == nil {
					return one(nil) // reported as not a JSON object
				}
				return one([]byte(*ev.CloudTrailEvent))
			})
		default:
			err = dec.Decode(&raw)
		}
		if err != nil {
			return wrapSyntax(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return wrapSyntax(err)
	}
	return wrapSyntax(expectEnd(dec))
}

// scanArray reads a JSON array's elements (the next token must be '[').
func scanArray(dec *json.Decoder, raw *json.RawMessage, each func([]byte) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		if tok == nil { // "Records": null
			return nil
		}
		return fmt.Errorf("want an array of records, found %v", tok)
	}
	for dec.More() {
		*raw = (*raw)[:0]
		if err := dec.Decode(raw); err != nil {
			return err
		}
		if err := each(*raw); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// expectEnd fails when more JSON follows the top-level value.
func expectEnd(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the top-level value")
		}
		return err
	}
	return nil
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
