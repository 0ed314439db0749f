package trail_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	trailpage "github.com/kmsim/kmsim/tui/pages/trail"
)

func newTrail(t *testing.T) (*trailpage.Model, func(string)) {
	t.Helper()
	m := trailpage.New(tuitest.Common(t), tuitest.Service(t))
	m.SetSize(tuitest.Width, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.Init())...)
	return m, func(s string) {
		for _, k := range tuitest.Keys(s) {
			tuitest.Drive(t, m.Update, k)
		}
	}
}

func events(m *trailpage.Model) []string {
	var out []string
	for _, r := range m.Rows() {
		out = append(out, r[1])
	}
	return out
}

func TestTrailFilters(t *testing.T) {
	m, press := newTrail(t)
	if got := strings.Join(events(m), ","); got != "DescribeKey,Decrypt,Encrypt" {
		t.Fatalf("newest first: %s", got)
	}
	press("e")
	if got := strings.Join(events(m), ","); got != "Decrypt" || !strings.Contains(m.SQL(), "errorCode IS NOT NULL") {
		t.Fatalf("errors only: %s (%s)", got, m.SQL())
	}
	press("e")
	press("nEncrypt<enter>")
	if got := strings.Join(events(m), ","); got != "Encrypt" || !strings.Contains(m.SQL(), "eventName = 'Encrypt'") {
		t.Fatalf("event name: %s", got)
	}
	press("n<backspace><backspace><backspace><backspace><backspace><backspace><backspace><enter>")
	press("/admin")
	if !m.Capturing() || strings.Join(events(m), ",") != "Encrypt" {
		t.Fatalf("text filter as you type: %v", events(m))
	}
	press("<esc>")
	if len(m.Rows()) != 3 {
		t.Fatalf("esc clears the text filter: %v", events(m))
	}
}

func TestTrailSQLPromptAndRecord(t *testing.T) {
	m, press := newTrail(t)
	press(":<backspace><backspace><backspace><backspace><backspace><backspace><backspace>SELECT eventID, eventName FROM events WHERE eventName = 'Decrypt'<enter>")
	if cols := m.Columns(); strings.Join(cols, ",") != "eventID,eventName" {
		t.Fatalf("SQL columns: %v", cols)
	}
	if len(m.Rows()) != 1 {
		t.Fatalf("SQL rows: %v", m.Rows())
	}
	press("<enter>")
	if !m.ShowingRecord() || !strings.Contains(m.Record(), `"errorCode": "AccessDeniedException"`) {
		t.Fatalf("enter opens the record by eventID:\n%s", m.Record())
	}
	if !m.Back() || m.ShowingRecord() {
		t.Fatal("back closes the record")
	}
	if !m.Back() || strings.Join(m.Columns(), ",") != "Time,Event,Principal,Key,Error" {
		t.Fatalf("back leaves the SQL result: %v", m.Columns())
	}
	if m.Back() {
		t.Fatal("nothing left to close")
	}
}

func TestTrailColumnsFitTheWidth(t *testing.T) {
	m, _ := newTrail(t)
	for _, tc := range []struct {
		width int
		want  string
	}{
		{100, "Time,Event,Principal,Key,Error"},
		{80, "Time,Event,Principal,Error"},
		{60, "Time,Event,Principal"},
	} {
		m.SetSize(tc.width, 24)
		if got := strings.Join(m.Columns(), ","); got != tc.want {
			t.Errorf("%d columns: %s, want %s", tc.width, got, tc.want)
		}
		for _, l := range strings.Split(m.View(), "\n") {
			if len([]rune(l)) > tc.width {
				t.Errorf("%d columns: line too wide: %q", tc.width, l)
			}
		}
	}
}

func TestTrailNoTrail(t *testing.T) {
	m := trailpage.New(tuitest.Common(t), tuitestServiceWithoutTrail(t))
	m.SetSize(tuitest.Width, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.Init())...)
	if !strings.Contains(m.View(), "no trail in") {
		t.Fatalf("a missing trail says so:\n%s", m.View())
	}
}

func TestTrailKeyAndPrincipalFilters(t *testing.T) {
	m, press := newTrail(t)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetKey(tuitest.AppDataARN))...)
	if len(m.Rows()) != 3 || !strings.Contains(m.SQL(), "keyArn = '"+tuitest.AppDataARN+"'") {
		t.Fatalf("key filter: %v (%s)", events(m), m.SQL())
	}
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetKey("arn:aws:kms:us-east-1:111122223333:key/none"))...)
	if len(m.Rows()) != 0 || !strings.Contains(m.View(), "key key/none") {
		t.Fatalf("another key: %v\n%s", events(m), m.View())
	}
	press("c")
	press("pdevelop<enter>")
	if got := strings.Join(events(m), ","); got != "DescribeKey,Decrypt" || m.Key() != "" {
		t.Fatalf("c, then principal develop: %s, key %q", got, m.Key())
	}
	press("e")
	if got := strings.Join(events(m), ","); got != "Decrypt" || !strings.Contains(m.View(), `principal "develop"`) {
		t.Fatalf("and errors only: %s\n%s", got, m.View())
	}
	press("c")
	if len(m.Rows()) != 3 {
		t.Fatalf("c clears every filter: %v", events(m))
	}
}

// x on an event asks the root to explain the request it records.
func TestTrailExplainEvent(t *testing.T) {
	m, press := newTrail(t)
	press("<down>") // the denied Decrypt
	var got []tea.Msg
	tuitest.Drive(t, func(msg tea.Msg) tea.Cmd {
		if ev, ok := msg.(common.ExplainEventMsg); ok {
			got = append(got, ev)
			return nil
		}
		return m.Update(msg)
	}, tuitest.Keys("x")...)
	want := common.ExplainEventMsg{EventID: "10000000-0000-4000-8000-000000000001", Principal: tuitest.DeveloperARN,
		Action: "kms:Decrypt", KeyARN: tuitest.AppDataARN}
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("x: %+v, want %+v", got, want)
	}
}

func TestEventRequest(t *testing.T) {
	cases := []struct {
		name, record string
		want         common.ExplainEventMsg
		wantErr      string
	}{
		{"encryption context and a key resource", `{"eventID":"e1","eventSource":"kms.amazonaws.com","eventName":"Decrypt",
			"userIdentity":{"arn":"arn:aws:iam::111122223333:user/Alice"},
			"requestParameters":{"encryptionContext":{"Purpose":"Test","Department":"Development"}},
			"resources":[{"type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-west-2:111122223333:key/k1"}]}`,
			common.ExplainEventMsg{EventID: "e1", Principal: "arn:aws:iam::111122223333:user/Alice", Action: "kms:Decrypt",
				KeyARN:  "arn:aws:kms:us-west-2:111122223333:key/k1",
				Context: []string{"kms:EncryptionContext:Department=Development", "kms:EncryptionContext:Purpose=Test"}}, ""},
		{"the key from requestParameters", `{"eventID":"e2","eventSource":"kms.amazonaws.com","eventName":"DescribeKey",
			"userIdentity":{"arn":"arn:aws:sts::111122223333:assumed-role/App/s"},
			"requestParameters":{"keyId":"arn:aws:kms:us-east-1:111122223333:key/k2"}}`,
			common.ExplainEventMsg{EventID: "e2", Principal: "arn:aws:sts::111122223333:assumed-role/App/s", Action: "kms:DescribeKey",
				KeyARN: "arn:aws:kms:us-east-1:111122223333:key/k2"}, ""},
		{"not a KMS call", `{"eventID":"e3","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`,
			common.ExplainEventMsg{}, "not to AWS KMS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := trailpage.EventRequest([]byte(tc.record))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestTrailTimeWindow(t *testing.T) {
	m, press := newTrail(t)
	m.Now = func() time.Time { return time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC) }
	cases := []struct{ window, want, label string }{
		{"2024-05-01T12:01:00Z", "DescribeKey,Decrypt", "since 2024-05-01 12:01"},
		{"..2024-05-01 12:01", "Encrypt", "before 2024-05-01 12:01"},
		{"2024-05-01T12:01:00Z..2024-05-01T12:02:00Z", "Decrypt", "2024-05-01 12:01 .. 2024-05-01 12:02"},
		{"29m", "DescribeKey,Decrypt", "since 2024-05-01 12:01"},
		{"1h", "DescribeKey,Decrypt,Encrypt", "since 2024-05-01 11:30"},
		{"1d", "DescribeKey,Decrypt,Encrypt", "since 2024-04-30 12:30"},
		{"2024-05-02", "", "since 2024-05-02"},
	}
	for _, tc := range cases {
		press("t" + strings.Repeat("<backspace>", 60) + tc.window + "<enter>")
		if got := strings.Join(events(m), ","); got != tc.want || !strings.Contains(m.View(), tc.label) {
			t.Errorf("window %q: %s, want %s\n%s", tc.window, got, tc.want, m.View())
		}
	}
	press("c")
	if len(m.Rows()) != 3 {
		t.Fatalf("c clears the window: %v", events(m))
	}
	if _, _, err := trailpage.ParseWindow("yesterday", m.Now()); err == nil {
		t.Error("yesterday: want an error")
	}
}
