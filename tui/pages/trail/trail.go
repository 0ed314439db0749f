// Package trail is the view of the CloudTrail events kmsim recorded: a table that fits the width,
// filters (key, principal, event name, errors only, time window, text), a SQL prompt whose results fill the same
// table, and the full record of an event. While a server runs, the table refreshes on a tick.
package trail

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/kmsim/kmsim/trail"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/components/prompt"
	"github.com/kmsim/kmsim/tui/components/table"
	"github.com/kmsim/kmsim/tui/components/viewer"
)

// RefreshInterval is how often the table refreshes while a server is running.
const RefreshInterval = 2 * time.Second

// Limit caps the events the default query reads (newest first).
const Limit = 1000

// resultMsg carries the answer to the query numbered seq.
type resultMsg struct {
	seq  int
	res  *trail.Result
	live bool
	err  error
}

// recordMsg carries the record to show.
type recordMsg struct {
	id, title, text string
	err             error
}

// explainMsg carries the request an event records, for the explain view.
type explainMsg struct {
	req common.ExplainEventMsg
	err error
}

// tickMsg asks for a refresh while a server is running.
type tickMsg struct{ seq int }

// Service is what the trail view asks of kmsim.
type Service interface {
	Query(ctx context.Context, sql string) (*trail.Result, error)
	Live() bool
}

// promptKind says what the open prompt edits.
type promptKind int

const (
	promptText promptKind = iota
	promptEventName
	promptPrincipal
	promptWindow
	promptSQL
)

var eventColumns = []table.Column{
	{Title: "Time", Min: 19},
	{Title: "Event", Min: 11, Grow: 1},
	{Title: "Principal", Min: 20, Grow: 4},
	{Title: "Key", Min: 10, Grow: 1, Drop: 2},
	{Title: "Error", Min: 21, Drop: 1},
}

// Model is the trail view.
type Model struct {
	common     common.Common
	svc        Service
	errorsOnly bool
	eventName  string
	principal  string // part of the caller's or principal's ARN
	window     string // the time window as typed
	from, to   time.Time
	// Now is the clock relative windows ("1h") count back from; time.Now by default.
	Now        func() time.Time
	keyARN     string
	eventIDs   []string // a detection's events
	idsTitle   string   // what eventIDs are
	text       string
	sql        string // a query typed at the ":" prompt; "" for the event table
	res        *trail.Result
	rows       [][]string // rows of res as text, before the text filter
	ids        []string   // eventID of each row in rows ("" when unknown)
	recordID   string     // eventID of the record shown
	keep       []int      // indexes into rows that pass the text filter
	seq        int        // number of the latest query
	loading    bool
	live       bool
	ticking    bool
	err        error
	kind       promptKind
	prompt     *prompt.Model
	table      *table.Model
	record     *viewer.Model
	showRecord bool
}

// New returns the trail view; Init runs the first query.
func New(c common.Common, svc Service) *Model {
	return &Model{common: c, svc: svc, prompt: prompt.New(c), table: table.New(c, eventColumns), record: viewer.New(c), Now: time.Now}
}

// Title names the view.
func (m *Model) Title() string { return "Trail" }

// Init runs the first query.
func (m *Model) Init() tea.Cmd { return m.query() }

// SetSize implements common.Component: a line for the filters or prompt, the rest for the table.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.prompt.SetSize(width, 1)
	m.table.SetSize(width, height-1)
	m.record.SetSize(width, height)
}

// Busy reports whether a query runs.
func (m *Model) Busy() bool { return m.loading }

// Capturing reports whether a prompt has the keyboard.
func (m *Model) Capturing() bool { return m.prompt.Active() }

// Back closes the record view, then a SQL result (back to the events); false when neither is open.
func (m *Model) Back() bool {
	switch {
	case m.showRecord:
		m.showRecord = false
		return true
	case m.sql != "":
		m.sql = ""
		m.table.SetColumns(eventColumns)
		m.table.SetSize(m.common.Width, m.common.Height-1)
		return true
	}
	return false
}

// SetKey shows the events on the key arn (and no other filter but errors only).
func (m *Model) SetKey(arn string) tea.Cmd {
	m.keyARN, m.eventName, m.principal, m.text, m.sql, m.showRecord = arn, "", "", "", "", false
	m.eventIDs, m.idsTitle = nil, ""
	m.window, m.from, m.to = "", time.Time{}, time.Time{}
	m.table.SetColumns(eventColumns)
	m.table.SetSize(m.common.Width, m.common.Height-1)
	return m.query()
}

// SetEvents shows the events with the ids ids (and no other filter), named title.
func (m *Model) SetEvents(title string, ids []string) tea.Cmd {
	m.SetKey("")
	m.eventIDs, m.idsTitle = ids, title
	return m.query()
}

// Key is the key whose events are shown, or "".
func (m *Model) Key() string { return m.keyARN }

// Live reports whether a server was running at the last query.
func (m *Model) Live() bool { return m.live }

// ShowingRecord reports whether the record view is open.
func (m *Model) ShowingRecord() bool { return m.showRecord }

// Record is the record view's text.
func (m *Model) Record() string { return m.record.Content() }

// Rows returns the rows the table shows.
func (m *Model) Rows() [][]string { return m.table.Rows() }

// Columns returns the titles of the table's columns that fit the width.
func (m *Model) Columns() []string { return m.table.VisibleColumns() }

// SQL is the query the table shows: the event query the filters build, or the one typed at ":".
func (m *Model) SQL() string {
	if m.sql != "" {
		return m.sql
	}
	var where []string
	if m.errorsOnly {
		where = append(where, "errorCode IS NOT NULL")
	}
	if m.eventName != "" {
		where = append(where, "eventName = "+quote(m.eventName))
	}
	if m.keyARN != "" {
		where = append(where, "keyArn = "+quote(m.keyARN))
	}
	if len(m.eventIDs) > 0 {
		ids := make([]string, len(m.eventIDs))
		for i, id := range m.eventIDs {
			ids[i] = quote(id)
		}
		where = append(where, "eventID IN ("+strings.Join(ids, ", ")+")")
	}
	if m.principal != "" {
		where = append(where, "coalesce(callerArn, principalArn) ILIKE "+quote("%"+m.principal+"%"))
	}
	if !m.from.IsZero() {
		where = append(where, "eventTime >= TIMESTAMP "+quote(m.from.Format(time.DateTime)))
	}
	if !m.to.IsZero() {
		where = append(where, "eventTime < TIMESTAMP "+quote(m.to.Format(time.DateTime)))
	}
	q := "SELECT eventTime, eventName, coalesce(callerArn, principalArn) AS principal, keyArn, errorCode, eventID FROM events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return q + fmt.Sprintf(" ORDER BY eventTime DESC, eventID LIMIT %d", Limit)
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// query runs SQL() in a command.
func (m *Model) query() tea.Cmd {
	m.seq++
	m.loading = true
	seq, sql, svc, ctx := m.seq, m.SQL(), m.svc, m.common.Ctx
	return func() tea.Msg {
		res, err := svc.Query(ctx, sql)
		return resultMsg{seq: seq, res: res, err: err, live: svc.Live()}
	}
}

func (m *Model) tick() tea.Cmd {
	seq := m.seq
	return tea.Tick(RefreshInterval, func(time.Time) tea.Msg { return tickMsg{seq: seq} })
}

// Update handles query results, ticks and the view's keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case resultMsg:
		if msg.seq != m.seq {
			return nil
		}
		m.loading, m.live, m.err = false, msg.live, msg.err
		var cmd tea.Cmd
		if msg.err != nil {
			m.table.Empty = "error: " + msg.err.Error()
			m.setResult(nil)
			if m.sql != "" {
				cmd = common.ErrorCmd(msg.err)
			}
		} else {
			m.table.Empty = "no events"
			m.setResult(msg.res)
		}
		if m.live && !m.ticking {
			m.ticking = true
			return tea.Batch(cmd, m.tick())
		}
		return cmd
	case tickMsg:
		m.ticking = false
		if !m.live {
			return nil
		}
		if m.loading || m.showRecord || m.prompt.Active() {
			m.ticking = true
			return m.tick()
		}
		return m.query()
	case explainMsg:
		m.loading = false
		if msg.err != nil {
			return common.ErrorCmd(msg.err)
		}
		req := msg.req
		return func() tea.Msg { return req }
	case recordMsg:
		m.loading = false
		if msg.err != nil {
			return common.ErrorCmd(msg.err)
		}
		m.recordID = msg.id
		m.record.SetTitle(msg.title)
		m.record.SetContent(msg.text)
		m.showRecord = true
		return nil
	case tea.KeyMsg:
		if m.prompt.Active() {
			return m.updatePrompt(msg)
		}
		km := m.common.Keys
		if m.showRecord {
			if key.Matches(msg, km.ExplainEvent) {
				return m.explain(m.recordID)
			}
			_, cmd := m.record.Update(msg)
			return cmd
		}
		switch {
		case key.Matches(msg, km.Filter):
			m.kind = promptText
			return m.prompt.Open("/", m.text)
		case key.Matches(msg, km.EventName):
			m.kind = promptEventName
			return m.prompt.Open("event name: ", m.eventName)
		case key.Matches(msg, km.Principal):
			m.kind = promptPrincipal
			return m.prompt.Open("principal: ", m.principal)
		case key.Matches(msg, km.Window):
			m.kind = promptWindow
			return m.prompt.Open("time window (1h, 7d, 2024-05-01, FROM..TO): ", m.window)
		case key.Matches(msg, km.ClearFilters):
			m.errorsOnly, m.eventName, m.principal, m.keyARN, m.text = false, "", "", "", ""
			m.eventIDs, m.idsTitle = nil, ""
			m.window, m.from, m.to = "", time.Time{}, time.Time{}
			return m.query()
		case key.Matches(msg, km.Prompt):
			m.kind = promptSQL
			v := m.sql
			if v == "" {
				v = "SELECT "
			}
			return m.prompt.Open("sql> ", v)
		case key.Matches(msg, km.ErrorsOnly):
			m.errorsOnly = !m.errorsOnly
			return m.query()
		case key.Matches(msg, km.Refresh):
			return m.query()
		case key.Matches(msg, km.Select):
			return m.open()
		case key.Matches(msg, km.ExplainEvent) && m.sql == "":
			if i := m.table.Cursor(); i >= 0 && i < len(m.keep) {
				return m.explain(m.ids[m.keep[i]])
			}
			return nil
		}
		_, cmd := m.table.Update(msg)
		return cmd
	}
	return nil
}

func (m *Model) updatePrompt(msg tea.KeyMsg) tea.Cmd {
	res, cmd := m.prompt.Update(msg)
	v := strings.TrimSpace(m.prompt.Value())
	switch m.kind {
	case promptText:
		if res == prompt.Cancelled {
			v = ""
		}
		m.text = v
		m.applyText()
		return cmd
	case promptEventName:
		if res == prompt.Submitted {
			m.eventName = v
			return m.query()
		}
	case promptPrincipal:
		if res == prompt.Submitted {
			m.principal = v
			return m.query()
		}
	case promptWindow:
		if res == prompt.Submitted {
			from, to, err := ParseWindow(v, m.Now())
			if err != nil {
				return common.ErrorCmd(err)
			}
			m.window, m.from, m.to = v, from, to
			return m.query()
		}
	case promptSQL:
		if res == prompt.Submitted && v != "" {
			m.sql = v
			return m.query()
		}
	}
	return cmd
}

// setResult fills the table from res: the event columns for the event query, res's own otherwise.
func (m *Model) setResult(res *trail.Result) {
	m.res = res
	m.rows, m.ids = nil, nil
	if res == nil {
		m.applyText()
		return
	}
	idCol := -1
	for i, c := range res.Columns {
		if strings.EqualFold(c, "eventID") {
			idCol = i
		}
	}
	if m.sql == "" {
		m.table.SetColumns(eventColumns)
	} else {
		cols := make([]table.Column, len(res.Columns))
		for i, c := range res.Columns {
			cols[i] = table.Column{Title: c, Min: max(min(len(c), 12), 6), Grow: 1, Drop: len(res.Columns) - i}
		}
		cols[0].Drop = 0
		m.table.SetColumns(cols)
	}
	m.table.SetSize(m.common.Width, m.common.Height-1)
	for _, r := range res.Rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = cellText(v)
		}
		id := ""
		if idCol >= 0 {
			id = cells[idCol]
		}
		if m.sql == "" {
			cells = []string{shortTime(cells[0]), cells[1], shortARN(cells[2]), shortARN(cells[3]), cells[4]}
		}
		m.rows = append(m.rows, cells)
		m.ids = append(m.ids, id)
	}
	m.applyText()
}

// applyText applies the text filter to the rows.
func (m *Model) applyText() {
	needle := strings.ToLower(m.text)
	m.keep = m.keep[:0]
	var rows [][]string
	for i, r := range m.rows {
		if needle == "" || strings.Contains(strings.ToLower(strings.Join(r, " ")), needle) {
			m.keep = append(m.keep, i)
			rows = append(rows, r)
		}
	}
	m.table.SetRows(rows)
}

// open shows the selected row's record: looked up by eventID, or the row itself as JSON.
func (m *Model) open() tea.Cmd {
	i := m.table.Cursor()
	if i < 0 || i >= len(m.keep) || m.res == nil {
		return nil
	}
	row := m.keep[i]
	if id := m.ids[row]; id != "" {
		m.loading = true
		svc, ctx := m.svc, m.common.Ctx
		return func() tea.Msg {
			res, err := svc.Query(ctx, "SELECT record::VARCHAR AS record FROM events WHERE eventID = "+quote(id))
			if err != nil {
				return recordMsg{err: err}
			}
			if len(res.Rows) == 0 {
				return recordMsg{err: fmt.Errorf("no event %s in the trail", id)}
			}
			return recordMsg{id: id, title: "Record " + id, text: indentJSON(res.Rows[0][0])}
		}
	}
	obj := map[string]any{}
	for j, c := range m.res.Columns {
		obj[c] = m.res.Rows[row][j]
	}
	text := indentJSON(obj)
	return func() tea.Msg { return recordMsg{title: fmt.Sprintf("Row %d", row+1), text: text} }
}

// ParseWindow reads a time window: a duration back from now ("90m", "1h", "7d"), a date or
// RFC 3339 time from which on ("2024-05-01"), or FROM..TO (TO excluded; either may be empty).
// The zero time leaves that side open; "" is no window.
func ParseWindow(s string, now time.Time) (from, to time.Time, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	if a, b, ok := strings.Cut(s, ".."); ok {
		if from, err = parseInstant(a); err == nil {
			to, err = parseInstant(b)
		}
		return
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(d); err == nil && n > 0 {
			return now.UTC().AddDate(0, 0, -n), time.Time{}, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.UTC().Add(-d), time.Time{}, nil
	}
	from, err = parseInstant(s)
	return
}

func parseInstant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, time.DateTime, "2006-01-02T15:04", "2006-01-02 15:04", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time window: %q is not a duration (1h, 7d), a date (2024-05-01) or a time (2024-05-01T12:00:00Z)", s)
}

// windowText describes a window for the filter line.
func windowText(from, to time.Time) string {
	f := func(t time.Time) string { return strings.TrimSuffix(t.Format("2006-01-02 15:04"), " 00:00") }
	switch {
	case to.IsZero():
		return "since " + f(from)
	case from.IsZero():
		return "before " + f(to)
	}
	return f(from) + " .. " + f(to)
}

// explain reads the event id and asks for the request it records to be explained.
func (m *Model) explain(id string) tea.Cmd {
	if id == "" {
		return nil
	}
	m.loading = true
	svc, ctx := m.svc, m.common.Ctx
	return func() tea.Msg {
		res, err := svc.Query(ctx, "SELECT record::VARCHAR AS record FROM events WHERE eventID = "+quote(id))
		if err != nil {
			return explainMsg{err: err}
		}
		if len(res.Rows) == 0 {
			return explainMsg{err: fmt.Errorf("no event %s in the trail", id)}
		}
		s, _ := res.Rows[0][0].(string)
		req, err := EventRequest([]byte(s))
		return explainMsg{req: req, err: err}
	}
}

// EventRequest is the request a CloudTrail record of a KMS call describes: its caller, kms:EVENTNAME,
// the key (the first AWS::KMS::Key resource, else requestParameters.keyId when it is a key ARN) and
// the encryption context as kms:EncryptionContext:KEY=VALUE entries, sorted.
func EventRequest(record []byte) (common.ExplainEventMsg, error) {
	var r struct {
		EventID      string
		EventName    string
		EventSource  string
		UserIdentity struct {
			ARN            string
			SessionContext struct {
				SessionIssuer struct{ ARN string }
			}
		}
		RequestParameters struct {
			KeyID             string            `json:"keyId"`
			EncryptionContext map[string]string `json:"encryptionContext"`
		}
		Resources []struct {
			Type string
			ARN  string
		}
	}
	if err := json.Unmarshal(record, &r); err != nil {
		return common.ExplainEventMsg{}, fmt.Errorf("event record: %w", err)
	}
	if r.EventSource != "kms.amazonaws.com" {
		return common.ExplainEventMsg{}, fmt.Errorf("event %s is a call to %s, not to AWS KMS", r.EventID, r.EventSource)
	}
	out := common.ExplainEventMsg{EventID: r.EventID, Principal: r.UserIdentity.ARN, Action: "kms:" + r.EventName}
	for _, res := range r.Resources {
		if res.Type == "AWS::KMS::Key" && out.KeyARN == "" {
			out.KeyARN = res.ARN
		}
	}
	if out.KeyARN == "" && strings.HasPrefix(r.RequestParameters.KeyID, "arn:") {
		out.KeyARN = r.RequestParameters.KeyID
	}
	for k, v := range r.RequestParameters.EncryptionContext {
		out.Context = append(out.Context, "kms:EncryptionContext:"+k+"="+v)
	}
	sort.Strings(out.Context)
	return out, nil
}

// indentJSON renders a record (a JSON string or a decoded value) indented.
func indentJSON(v any) string {
	if s, ok := v.(string); ok {
		var b bytes.Buffer
		if json.Indent(&b, []byte(s), "", "  ") != nil {
			return s
		}
		return b.String()
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprint(v)
}

// shortTime shows an RFC 3339 time as "2006-01-02 15:04:05".
func shortTime(s string) string {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format(time.DateTime)
	}
	return s
}

// shortARN drops the "arn:aws:SERVICE:REGION:" prefix: 111122223333:user/developer, key/1234….
func shortARN(s string) string {
	if parts := strings.SplitN(s, ":", 6); len(parts) == 6 && parts[0] == "arn" {
		if parts[2] == "kms" {
			return parts[5]
		}
		return parts[4] + ":" + parts[5]
	}
	return s
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	km := m.common.Keys
	switch {
	case m.prompt.Active():
		return m.prompt.ShortHelp()
	case m.showRecord:
		return []key.Binding{km.Up, km.Down, km.ExplainEvent}
	}
	return []key.Binding{km.Select, km.ExplainEvent, km.ErrorsOnly, km.EventName, km.Filter, km.Prompt}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	km := m.common.Keys
	return [][]key.Binding{km.Nav(), {km.Select, km.ExplainEvent, km.ErrorsOnly, km.EventName, km.Principal, km.Window, km.Filter, km.ClearFilters, km.Prompt, km.Refresh}}
}

// View draws the filters (or the prompt) and the table, or the record.
func (m *Model) View() string {
	if m.showRecord {
		return m.record.View()
	}
	top := m.prompt.View()
	if !m.prompt.Active() {
		var parts []string
		if m.sql != "" {
			parts = append(parts, "sql: "+m.sql)
		} else {
			parts = append(parts, fmt.Sprintf("%d events", len(m.keep)))
			if m.errorsOnly {
				parts = append(parts, "errors only")
			}
			if m.eventName != "" {
				parts = append(parts, "event "+m.eventName)
			}
			if m.keyARN != "" {
				parts = append(parts, "key "+shortARN(m.keyARN))
			}
			if len(m.eventIDs) > 0 {
				parts = append(parts, "the events of "+m.idsTitle)
			}
			if m.principal != "" {
				parts = append(parts, fmt.Sprintf("principal %q", m.principal))
			}
			if m.window != "" {
				parts = append(parts, windowText(m.from, m.to))
			}
		}
		if m.text != "" {
			parts = append(parts, fmt.Sprintf("filter %q", m.text))
		}
		if m.live {
			parts = append(parts, "live")
		}
		top = m.common.Styles.Muted.Render(strings.Join(parts, " · "))
	}
	return top + "\n" + m.table.View()
}
