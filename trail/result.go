package trail

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"

	"gopkg.in/yaml.v3"
)

// Output formats for Result.Write.
const (
	FormatTable = "table" // aligned columns under a header line
	FormatJSON  = "json"  // an array of objects, keys in column order
	FormatCSV   = "csv"   // RFC 4180, header line first
	FormatYAML  = "yaml"  // a sequence of mappings, keys in column order
)

// Formats lists the formats Result.Write accepts.
var Formats = []string{FormatTable, FormatJSON, FormatYAML, FormatCSV}

// Result is the outcome of a query. Values are JSON-friendly: nil, bool,
// int64 (and the other Go integer types), float64, string, json.Number for
// HUGEINT and DECIMAL, []any for lists, map[string]any for structs, maps and
// JSON objects. Times are strings: TIMESTAMP as RFC 3339 in UTC, DATE as
// 2006-01-02, TIME as 15:04:05; BLOBs are base64; UUIDs canonical text.
type Result struct {
	Columns []string
	Rows    [][]any
}

// Query runs sql and returns all of its rows.
func (s *Store) Query(ctx context.Context, sql string) (*Result, error) {
	rows, err := s.db.QueryContext(ctx, sql)
	if err != nil {
		return nil, wrapError(err)
	}
	return collect(rows)
}

// collect reads all rows into a Result and closes them.
func collect(rows *sql.Rows) (*Result, error) {
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, wrapError(err)
	}
	res := &Result{Columns: make([]string, len(types)), Rows: [][]any{}}
	dbTypes := make([]string, len(types))
	for i, t := range types {
		res.Columns[i] = t.Name()
		dbTypes[i] = t.DatabaseTypeName()
	}
	dest := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range dest {
		ptrs[i] = &dest[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, wrapError(err)
		}
		out := make([]any, len(dest))
		for i, v := range dest {
			out[i] = jsonValue(v, dbTypes[i])
		}
		res.Rows = append(res.Rows, out)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapError(err)
	}
	return res, nil
}

// jsonValue converts a driver value into one encoding/json can write and a
// person can read; dbType is DuckDB's name of the column type.
func jsonValue(v any, dbType string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		switch dbType {
		case "DATE":
			return x.Format(time.DateOnly)
		case "TIME", "TIME_NS":
			return x.Format("15:04:05.999999999")
		}
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		if dbType == "UUID" && len(x) == 16 {
			h := hex.EncodeToString(x)
			return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
		return base64.StdEncoding.EncodeToString(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case float32:
		return jsonValue(float64(x), dbType)
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		return json.Number(x.String())
	case duckdb.Decimal:
		return json.Number(x.String())
	case duckdb.UUID:
		return jsonValue(x[:], "UUID")
	case *duckdb.UUID:
		return jsonValue(x[:], "UUID")
	case duckdb.Interval:
		return map[string]any{"months": x.Months, "days": x.Days, "micros": x.Micros}
	case duckdb.Union:
		return jsonValue(x.Value, "")
	case duckdb.OrderedMap:
		m := make(map[string]any, x.Len())
		vals := x.Values()
		for i, k := range x.Keys() {
			m[fmt.Sprint(k)] = jsonValue(vals[i], "")
		}
		return m
	case duckdb.Map:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[fmt.Sprint(k)] = jsonValue(val, "")
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[k] = jsonValue(val, "")
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, val := range x {
			l[i] = jsonValue(val, "")
		}
		return l
	}
	return v
}

// Write writes the result to w in format (FormatTable, FormatJSON or
// FormatCSV). Nested values (lists, structs, JSON) appear as compact JSON
// in table and CSV cells; NULL is "NULL" in a table and empty in CSV.
func (r *Result) Write(w io.Writer, format string) error {
	switch format {
	case FormatTable:
		return r.writeTable(w)
	case FormatJSON:
		return r.writeJSON(w)
	case FormatCSV:
		return r.writeCSV(w)
	case FormatYAML:
		return r.writeYAML(w)
	}
	return fmt.Errorf("%w %q (want one of %s)", ErrUnknownFormat, format, strings.Join(Formats, ", "))
}

func (r *Result) writeTable(w io.Writer) error {
	cells := make([][]string, 0, len(r.Rows)+1)
	cells = append(cells, r.Columns)
	for _, row := range r.Rows {
		line := make([]string, len(row))
		for i, v := range row {
			if v == nil {
				line[i] = "NULL"
				continue
			}
			line[i] = tableEscaper.Replace(cellText(v))
		}
		cells = append(cells, line)
	}
	widths := make([]int, len(r.Columns))
	for _, line := range cells {
		for i, c := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, line := range cells {
		b.Reset()
		for i, c := range line {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(line)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// tableEscaper keeps each row of a table on one line.
var tableEscaper = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

func (r *Result) writeJSON(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('[')
	for i, row := range r.Rows {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('{')
		for j, col := range r.Columns {
			if j > 0 {
				buf.WriteByte(',')
			}
			if err := enc.Encode(col); err != nil {
				return err
			}
			buf.Truncate(buf.Len() - 1) // Encode's newline
			buf.WriteByte(':')
			if err := enc.Encode(row[j]); err != nil {
				return fmt.Errorf("trail: column %s: %w", col, err)
			}
			buf.Truncate(buf.Len() - 1)
		}
		buf.WriteByte('}')
	}
	buf.WriteByte(']')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// writeYAML renders the JSON form as block-style YAML, so both carry the same values and order.
func (r *Result) writeYAML(w io.Writer) error {
	var js bytes.Buffer
	if err := r.writeJSON(&js); err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(js.Bytes(), &doc); err != nil {
		return err
	}
	blockStyle(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return enc.Close()
}

// blockStyle drops the flow style and quoting YAML keeps from JSON input; the encoder quotes
// again only the strings that would otherwise read as another type.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

func (r *Result) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.Columns); err != nil {
		return err
	}
	line := make([]string, len(r.Columns))
	for _, row := range r.Rows {
		for i, v := range row {
			line[i] = ""
			if v != nil {
				line[i] = cellText(v)
			}
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cellText renders one non-nil value for a table or CSV cell.
func cellText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return formatFloat(x, 64)
	case float32:
		return formatFloat(float64(x), 32)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// formatFloat writes floats the way encoding/json does: plain decimals, with
// an exponent only for very large or very small magnitudes.
func formatFloat(f float64, bits int) string {
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}
