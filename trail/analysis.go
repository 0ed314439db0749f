package trail

import (
	"bufio"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Scope narrows the events a report or rule sees. Zero fields do not filter.
type Scope struct {
	Key       string    // key ARN, or key ID (matched as the ARN's last part)
	From      time.Time // events at or after
	To        time.Time // events before
	Account   string    // recipient, caller or key account
	Region    string    // awsRegion
	Principal string    // principalArn (the role for assumed roles) or callerArn (the session)
}

// scopeSQL is the CTE every report and rule reads instead of events. Its
// parameters are bound, never spliced into the text.
const scopeSQL = `scope AS (
    SELECT * FROM events
    WHERE ($key::VARCHAR IS NULL OR keyArn = $key::VARCHAR OR keyArn LIKE '%:key/' || $key::VARCHAR)
      AND ($from::TIMESTAMP IS NULL OR eventTime >= $from::TIMESTAMP)
      AND ($to::TIMESTAMP IS NULL OR eventTime < $to::TIMESTAMP)
      AND ($account::VARCHAR IS NULL OR recipientAccountId = $account::VARCHAR
           OR callerAccountId = $account::VARCHAR OR keyAccountId = $account::VARCHAR)
      AND ($region::VARCHAR IS NULL OR awsRegion = $region::VARCHAR)
      AND ($principal::VARCHAR IS NULL OR principalArn = $principal::VARCHAR OR callerArn = $principal::VARCHAR))`

func (sc Scope) args() []any {
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	tm := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC()
	}
	return []any{
		sql.Named("key", str(sc.Key)), sql.Named("from", tm(sc.From)), sql.Named("to", tm(sc.To)),
		sql.Named("account", str(sc.Account)), sql.Named("region", str(sc.Region)), sql.Named("principal", str(sc.Principal)),
	}
}

var leadingWith = regexp.MustCompile(`(?is)^\s*WITH\s`)

// scoped makes body, a query reading the relation scope, runnable: it
// defines scope as a leading CTE (joining the body's own WITH list).
func scoped(body string) string {
	if loc := leadingWith.FindStringIndex(body); loc != nil {
		return "WITH " + scopeSQL + ",\n" + body[loc[1]:]
	}
	return "WITH " + scopeSQL + "\n" + body
}

// queryArgs runs sql with bound args and returns all of its rows.
func (s *Store) queryArgs(ctx context.Context, q string, args ...any) (*Result, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrapError(err)
	}
	return collect(rows)
}

// header is the YAML in a report's or rule's leading "--" comment lines.
type header struct {
	ID          string `yaml:"id"`
	Title       string `yaml:"title"`
	Severity    string `yaml:"severity"`
	Description string `yaml:"description"`
}

// parseSQLFile splits a SQL file into its YAML header and its body.
func parseSQLFile(name string, data []byte) (header, string, error) {
	var h header
	var yml, body strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	inHeader := true
	for sc.Scan() {
		line := sc.Text()
		if inHeader {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "--"); ok {
				yml.WriteString(strings.TrimPrefix(rest, " ") + "\n")
				continue
			}
			inHeader = false
		}
		body.WriteString(line + "\n")
	}
	if err := yaml.Unmarshal([]byte(yml.String()), &h); err != nil {
		return h, "", fmt.Errorf("%s: header: %w", name, err)
	}
	h.Description = strings.Join(strings.Fields(h.Description), " ")
	return h, strings.TrimSpace(body.String()), nil
}

//go:embed reports/*.sql
var reportFiles embed.FS

// Report is a named query over the events in a Scope, embedded from
// trail/reports/NAME.sql.
type Report struct {
	Name        string
	Title       string
	Description string
	SQL         string // reads the relation scope
}

// Reports returns the built-in reports, sorted by name.
func Reports() ([]Report, error) {
	entries, err := fs.ReadDir(reportFiles, "reports")
	if err != nil {
		return nil, err
	}
	var out []Report
	for _, e := range entries {
		data, err := fs.ReadFile(reportFiles, "reports/"+e.Name())
		if err != nil {
			return nil, err
		}
		h, body, err := parseSQLFile(e.Name(), data)
		if err != nil {
			return nil, err
		}
		out = append(out, Report{Name: strings.TrimSuffix(e.Name(), ".sql"), Title: h.Title, Description: h.Description, SQL: body})
	}
	return out, nil
}

// ErrUnknownReport is returned by Store.Report for a name Reports lacks.
var ErrUnknownReport = errors.New("trail: unknown report")

// Report runs the named built-in report over the events in scope.
func (s *Store) Report(ctx context.Context, name string, scope Scope) (*Result, error) {
	reports, err := Reports()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range reports {
		if r.Name == name {
			res, err := s.queryArgs(ctx, scoped(r.SQL), scope.args()...)
			if err != nil {
				return nil, fmt.Errorf("trail: report %s: %w", name, err)
			}
			return res, nil
		}
		names = append(names, r.Name)
	}
	return nil, fmt.Errorf("%w %q (want one of %s)", ErrUnknownReport, name, strings.Join(names, ", "))
}

// Severity orders findings; rules declare one.
type Severity int

// Severities, lowest first.
const (
	SeverityLow Severity = iota + 1
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = []string{"", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < SeverityLow || s > SeverityCritical {
		return fmt.Sprintf("Severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity parses low, medium, high or critical.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if i > 0 && strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("trail: unknown severity %q (want low, medium, high or critical)", s)
}

//go:embed rules/*.sql
var ruleFiles embed.FS

// Rule is a detection: a query over the relation scope returning the
// columns principal, key, count, first_seen, last_seen and event_ids (a
// list), one row per finding. Its file starts with a YAML header in "--"
// comment lines giving id, title, severity and description.
type Rule struct {
	ID          string
	Title       string
	Severity    Severity
	Description string
	SQL         string
	File        string
}

// BuiltinRules returns the rules embedded from trail/rules, sorted by ID.
func BuiltinRules() ([]Rule, error) {
	sub, err := fs.Sub(ruleFiles, "rules")
	if err != nil {
		return nil, err
	}
	return loadRules(sub, "rules")
}

// LoadRules reads the *.sql rule files in dir, sorted by ID.
func LoadRules(dir string) ([]Rule, error) {
	return loadRules(os.DirFS(dir), dir)
}

func loadRules(fsys fs.FS, dir string) ([]Rule, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("trail: rules: %w", err)
	}
	var rules []Rule
	seen := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		file := filepath.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("trail: rule %s: %w", file, err)
		}
		h, body, err := parseSQLFile(file, data)
		if err != nil {
			return nil, fmt.Errorf("trail: rule %w", err)
		}
		if h.ID == "" || h.Title == "" || body == "" {
			return nil, fmt.Errorf("trail: rule %s: the header needs id and title, and a query must follow", file)
		}
		sev, err := ParseSeverity(h.Severity)
		if err != nil {
			return nil, fmt.Errorf("trail: rule %s: %w", file, err)
		}
		if other, dup := seen[h.ID]; dup {
			return nil, fmt.Errorf("trail: rule id %s in both %s and %s", h.ID, other, file)
		}
		seen[h.ID] = file
		rules = append(rules, Rule{ID: h.ID, Title: h.Title, Severity: sev, Description: h.Description, SQL: body, File: file})
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	return rules, nil
}

// Finding is one row a rule returned.
type Finding struct {
	Severity  Severity
	RuleID    string
	Title     string
	Principal string
	Key       string
	Count     int64
	FirstSeen string // RFC 3339
	LastSeen  string
	EventIDs  []string
}

// findingColumns are the columns a rule must return.
var findingColumns = []string{"principal", "key", "count", "first_seen", "last_seen", "event_ids"}

// Detect runs rules over the events in scope and returns their findings,
// most severe first, then by rule ID, first_seen, principal and key.
func (s *Store) Detect(ctx context.Context, rules []Rule, scope Scope) ([]Finding, error) {
	var out []Finding
	for _, r := range rules {
		res, err := s.queryArgs(ctx, scoped(r.SQL), scope.args()...)
		if err != nil {
			return nil, fmt.Errorf("trail: rule %s (%s): %w", r.ID, r.File, err)
		}
		idx := map[string]int{}
		for i, c := range res.Columns {
			idx[c] = i
		}
		for _, c := range findingColumns {
			if _, ok := idx[c]; !ok {
				return nil, fmt.Errorf("trail: rule %s (%s): the query must return the columns %s; %s is missing",
					r.ID, r.File, strings.Join(findingColumns, ", "), c)
			}
		}
		for _, row := range res.Rows {
			f := Finding{Severity: r.Severity, RuleID: r.ID, Title: r.Title}
			f.Principal, _ = row[idx["principal"]].(string)
			f.Key, _ = row[idx["key"]].(string)
			f.FirstSeen, _ = row[idx["first_seen"]].(string)
			f.LastSeen, _ = row[idx["last_seen"]].(string)
			switch n := row[idx["count"]].(type) {
			case int64:
				f.Count = n
			case int32:
				f.Count = int64(n)
			}
			if ids, ok := row[idx["event_ids"]].([]any); ok {
				for _, id := range ids {
					if s, ok := id.(string); ok {
						f.EventIDs = append(f.EventIDs, s)
					}
				}
			}
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		if a.FirstSeen != b.FirstSeen {
			return a.FirstSeen < b.FirstSeen
		}
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		return a.Key < b.Key
	})
	return out, nil
}

// FindingsResult lays findings out as a Result for printing.
func FindingsResult(findings []Finding) *Result {
	res := &Result{
		Columns: []string{"severity", "rule", "title", "principal", "key", "count", "first_seen", "last_seen", "event_ids"},
		Rows:    [][]any{},
	}
	for _, f := range findings {
		ids := make([]any, len(f.EventIDs))
		for i, id := range f.EventIDs {
			ids[i] = id
		}
		res.Rows = append(res.Rows, []any{f.Severity.String(), f.RuleID, f.Title, nullIfEmpty(f.Principal), nullIfEmpty(f.Key),
			f.Count, f.FirstSeen, f.LastSeen, ids})
	}
	return res
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Prune deletes the events before t and returns how many.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	if s.readOnly {
		return 0, ErrReadOnly
	}
	res, err := s.db.ExecContext(ctx, "DELETE FROM stored_events WHERE eventTime < ?", before.UTC())
	if err != nil {
		return 0, fmt.Errorf("trail: prune: %w", wrapError(err))
	}
	n, err := res.RowsAffected()
	return n, wrapError(err)
}
