package findings_test

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/findings"
)

func TestFindings(t *testing.T) {
	m := findings.New(tuitest.Common(t), tuitest.Service(t))
	m.SetSize(tuitest.Width, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.Init())...)
	rows := m.Rows()
	if len(rows) == 0 {
		t.Fatal("no findings on the demo world")
	}
	for _, r := range rows {
		if r.Source != "lint" || !strings.HasPrefix(r.Code, "KMS") {
			t.Errorf("row %+v", r)
		}
	}
	before := m.View()
	tuitest.Drive(t, m.Update, tuitest.Keys("j")...)
	if len(rows) > 1 && m.View() == before {
		t.Error("j moves to the next finding and its detail")
	}
	if !strings.Contains(m.View(), "0 detections") {
		t.Errorf("the note counts detections:\n%s", m.View())
	}
}

// enter on a lint finding asks for its key's policy at the statement it names.
func TestFindingOpensStatement(t *testing.T) {
	m := findings.New(tuitest.Common(t), tuitest.Service(t))
	m.SetSize(tuitest.Width, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.Init())...)
	var got []common.OpenStatementMsg
	tuitest.Drive(t, func(msg tea.Msg) tea.Cmd {
		if o, ok := msg.(common.OpenStatementMsg); ok {
			got = append(got, o)
			return nil
		}
		return m.Update(msg)
	}, tuitest.Keys("<enter>")...)
	if len(got) != 1 || got[0].Key.Alias() != "alias/ams-enforced" || got[0].Statement != 1 {
		t.Fatalf("enter: %+v (first finding %+v)", got, m.Rows()[0])
	}
}
