package trail_test

import (
	"strings"
	"testing"

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
