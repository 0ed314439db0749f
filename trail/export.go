package trail

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Export formats.
const (
	ExportCloudTrail = "cloudtrail" // CloudTrail's S3 delivery layout, gzip {"Records":[...]} files
	ExportJSONL      = "jsonl"      // DIR/events.jsonl, one record per line
	ExportParquet    = "parquet"    // Hive-partitioned Parquet: account=/region=/year=/month=/day=
)

// ExportFormats lists the formats Export accepts.
var ExportFormats = []string{ExportCloudTrail, ExportJSONL, ExportParquet}

// ExportOptions configures Store.Export.
type ExportOptions struct {
	Format string
	Scope  Scope // which events; Key, Account, Region, Principal and the time range apply
	// Rand names the cloudtrail files (16 random letters and digits, as
	// CloudTrail's); nil uses a random source.
	Rand *rand.Rand
}

// ExportSummary says what Export wrote.
type ExportSummary struct {
	Records int64
	Files   int
}

// Export writes the events in opts.Scope under dir, in eventTime order.
//
// ExportCloudTrail writes what CloudTrail delivers to S3, so CloudTrail
// tools (and Import) read it: one gzip file of {"Records":[...]} per
// account (recipientAccountId), region and 5-minute window, at
// AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_XXXXXXXXXXXXXXXX.json.gz,
// the time being the window's start. Records are written as stored.
// ExportJSONL writes dir/events.jsonl. ExportParquet writes all columns
// (record as text) partitioned by account, region, year, month and day
// with DuckDB's COPY.
func (s *Store) Export(ctx context.Context, dir string, opts ExportOptions) (ExportSummary, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ExportSummary{}, fmt.Errorf("trail: export: %w", err)
	}
	switch opts.Format {
	case ExportCloudTrail, ExportJSONL:
		return s.exportRecords(ctx, dir, opts)
	case ExportParquet:
		return s.exportParquet(ctx, dir, opts)
	}
	return ExportSummary{}, fmt.Errorf("%w %q (want one of %s)", ErrUnknownFormat, opts.Format, strings.Join(ExportFormats, ", "))
}

// accountPattern and regionPattern are the account ids and Region names that may name a folder of
// the S3 layout; anything else an imported record carries (a region of "../..") becomes "unknown".
var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
)

// pathSafe returns v when pattern matches it and "unknown" otherwise, so that no record places a
// file outside the export directory.
func pathSafe(v string, pattern *regexp.Regexp) string {
	if pattern.MatchString(v) {
		return v
	}
	return "unknown"
}

func (s *Store) exportRecords(ctx context.Context, dir string, opts ExportOptions) (ExportSummary, error) {
	var sum ExportSummary
	rows, err := s.db.QueryContext(ctx, scoped(`SELECT coalesce(recipientAccountId, callerAccountId, 'unknown'),
		coalesce(awsRegion, 'unknown'), time_bucket(INTERVAL 5 MINUTE, eventTime), record::VARCHAR
		FROM scope ORDER BY 1, 2, 3, eventTime, eventID`), opts.Scope.args()...)
	if err != nil {
		return sum, fmt.Errorf("trail: export: %w", wrapError(err))
	}
	defer rows.Close()
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}

	var out *exportFile
	if opts.Format == ExportJSONL {
		if out, err = createExportFile(filepath.Join(dir, "events.jsonl"), false); err != nil {
			return sum, err
		}
		sum.Files++
	}
	var curKey string
	closeOut := func() error {
		if out == nil {
			return nil
		}
		if opts.Format == ExportCloudTrail {
			out.w.WriteString("]}\n")
		}
		err := out.close()
		out = nil
		return err
	}
	for rows.Next() {
		var account, region, record string
		var window time.Time
		if err := rows.Scan(&account, &region, &window, &record); err != nil {
			closeOut()
			return sum, wrapError(err)
		}
		if opts.Format == ExportJSONL {
			out.w.WriteString(record)
			out.w.WriteByte('\n')
			sum.Records++
			continue
		}
		window = window.UTC()
		account, region = pathSafe(account, accountPattern), pathSafe(region, regionPattern)
		key := account + "\x00" + region + "\x00" + window.Format(time.RFC3339)
		if key != curKey {
			if err := closeOut(); err != nil {
				return sum, err
			}
			curKey = key
			name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", account, region, window.Format("20060102T1504Z"), randomName(rnd))
			path := filepath.Join(dir, "AWSLogs", account, "CloudTrail", region, window.Format("2006"), window.Format("01"), window.Format("02"), name)
			if out, err = createExportFile(path, true); err != nil {
				return sum, err
			}
			sum.Files++
			out.w.WriteString(`{"Records":[`)
		} else {
			out.w.WriteByte(',')
		}
		out.w.WriteString(record)
		sum.Records++
	}
	if err := rows.Err(); err != nil {
		closeOut()
		return sum, wrapError(err)
	}
	return sum, closeOut()
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomName(r *rand.Rand) string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

// exportFile is a file being written, buffered and maybe gzipped.
type exportFile struct {
	f  *os.File
	zw *gzip.Writer
	w  *bufio.Writer
}

func createExportFile(path string, gz bool) (*exportFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("trail: export: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("trail: export: %w", err)
	}
	ef := &exportFile{f: f}
	var w io.Writer = f
	if gz {
		ef.zw = gzip.NewWriter(f)
		w = ef.zw
	}
	ef.w = bufio.NewWriterSize(w, 256<<10)
	return ef, nil
}

func (e *exportFile) close() error {
	err := e.w.Flush()
	if e.zw != nil {
		err = errors.Join(err, e.zw.Close())
	}
	err = errors.Join(err, e.f.Close())
	if err != nil {
		return fmt.Errorf("trail: export %s: %w", e.f.Name(), err)
	}
	return nil
}

func (s *Store) exportParquet(ctx context.Context, dir string, opts ExportOptions) (ExportSummary, error) {
	var sum ExportSummary
	// COPY's target cannot be a parameter: the path is quoted as a literal.
	target := "'" + strings.ReplaceAll(dir, "'", "''") + "'"
	q := scoped(`SELECT * EXCLUDE (record), record::VARCHAR AS record,
		coalesce(recipientAccountId, callerAccountId, 'unknown') AS account, coalesce(awsRegion, 'unknown') AS region,
		strftime(eventTime, '%Y') AS year, strftime(eventTime, '%m') AS month, strftime(eventTime, '%d') AS day
		FROM scope ORDER BY eventTime, eventID`)
	res, err := s.db.ExecContext(ctx, "COPY ("+q+") TO "+target+
		" (FORMAT PARQUET, PARTITION_BY (account, region, year, month, day), OVERWRITE_OR_IGNORE, COMPRESSION ZSTD)", opts.Scope.args()...)
	if err != nil {
		return sum, fmt.Errorf("trail: export: %w", wrapError(err))
	}
	sum.Records, _ = res.RowsAffected()
	files, _ := filepath.Glob(filepath.Join(dir, "account=*", "region=*", "year=*", "month=*", "day=*", "*.parquet"))
	sum.Files = len(files)
	return sum, nil
}
