package keys_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/simulator"
	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/keys"
)

func newKeys(t *testing.T) (*keys.Model, func(string) []tea.Msg) {
	t.Helper()
	m := keys.New(tuitest.Common(t), tuitest.Service(t))
	m.SetSize(tuitest.Width, tuitest.Height)
	var got []tea.Msg
	update := func(msg tea.Msg) tea.Cmd {
		if _, ok := msg.(keys.OpenKeyMsg); ok {
			got = append(got, msg)
			return nil
		}
		return m.Update(msg)
	}
	tuitest.Drive(t, update, tuitest.Messages(m.Init())...)
	return m, func(s string) []tea.Msg {
		got = nil
		for _, k := range tuitest.Keys(s) {
			tuitest.Drive(t, update, k)
		}
		return got
	}
}

func aliases(m *keys.Model) []string {
	var out []string
	for _, k := range m.Shown() {
		out = append(out, k.Alias())
	}
	return out
}

func TestKeysFilter(t *testing.T) {
	m, press := newKeys(t)
	if n := len(m.Shown()); n != 5 {
		t.Fatalf("%d keys, want 5", n)
	}
	press("/disab")
	if !m.Capturing() || len(m.Shown()) != 1 || m.Shown()[0].Alias() != "alias/legacy" {
		t.Fatalf("typing filters as it goes: %v", aliases(m))
	}
	press("<enter>")
	if m.Capturing() || m.Filter() != "disab" {
		t.Fatalf("enter keeps the filter: %q", m.Filter())
	}
	press("/<esc>")
	if m.Filter() != "" || len(m.Shown()) != 5 {
		t.Fatalf("esc clears the filter: %q, %v", m.Filter(), aliases(m))
	}
}

func TestKeysSortAndOpen(t *testing.T) {
	m, press := newKeys(t)
	press("s")
	if m.Order() != keys.ByAlias {
		t.Fatalf("order %v", m.Order())
	}
	press("ss")
	if m.Order() != keys.BySpec {
		t.Fatalf("order %v", m.Order())
	}
	press("s") // back to the account order
	press("s")
	if got := aliases(m); got[0] != "alias/ams-enforced" || got[4] != "alias/partner-shared" {
		t.Fatalf("by alias: %v", got)
	}
	press("j")
	msgs := press("<enter>")
	if len(msgs) != 1 || msgs[0].(keys.OpenKeyMsg).Key.Alias() != "alias/app-data" {
		t.Fatalf("enter on the second key: %v", msgs)
	}
}

// The trail's keys: a key of the world shows its last event; a key only the trail names is listed
// after the world's of its account and Region, its state unknown.
func TestKeysFromTrail(t *testing.T) {
	dir := t.TempDir()
	recs := tuitest.Records()
	recs[2].Resources[0].ARN = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000"
	tuitest.WriteTrail(t, dir, recs)
	m := keys.New(tuitest.Common(t), tui.NewService(tuitest.World(t), dir))
	m.SetSize(tuitest.Width, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.Init())...)
	shown := m.Shown()
	if len(shown) != 6 {
		t.Fatalf("%d keys, want the world's 5 and 1 only in the trail", len(shown))
	}
	last := shown[5]
	if !last.TrailOnly || last.ID != "00000000-0000-4000-8000-000000000000" || last.State != "unknown" || last.Events != 1 ||
		last.LastEvent != "2024-05-01 12:02:00" {
		t.Fatalf("the key only the trail names: %+v", last)
	}
	for _, k := range shown[:5] {
		if k.TrailOnly || (k.ID == tuitest.AppDataKey) != (k.Events == 2) {
			t.Errorf("%s: trail only %v, %d events", k.ARN, k.TrailOnly, k.Events)
		}
	}
	if last.Description != "not in the world: named by 1 event in the trail" || !strings.Contains(m.View(), "00000000-0000-4000-…  111122223333                     unknown   2024-05-01 12:02") {
		t.Errorf("description %q, view:\n%s", last.Description, m.View())
	}
}

// changingService lists more keys at each call, as a simulator whose clients create keys.
type changingService struct{ calls int }

func (s *changingService) Keys(ctx context.Context) ([]common.Key, error) {
	s.calls++
	var out []common.Key
	for i := range s.calls {
		id := fmt.Sprintf("key-%d", i)
		k := common.Key{Key: &fixtures.Key{Account: tuitest.Account, Region: "us-east-1", ID: id, State: "Enabled",
			Aliases: []string{"alias/" + id}}, ARN: "arn:aws:kms:us-east-1:111122223333:key/" + id,
			Live: &simulator.SnapshotKey{RotationPeriodInDays: int32(90 * i)}}
		out = append(out, k)
	}
	return out, nil
}

// ctrl+r lists the keys again, keeping the selected one; a wide terminal shows each key's rotation.
func TestKeysRefreshAndRotation(t *testing.T) {
	svc := &changingService{}
	m := keys.New(tuitest.Common(t), svc)
	m.SetSize(160, tuitest.Height)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.Init())...)
	tuitest.Drive(t, m.Update, tea.KeyMsg{Type: tea.KeyCtrlR})
	tuitest.Drive(t, m.Update, tuitest.Keys("j")...)
	tuitest.Drive(t, m.Update, tea.KeyMsg{Type: tea.KeyCtrlR})
	if got := aliases(m); len(got) != 3 || svc.calls != 3 {
		t.Fatalf("after two ctrl+r: %q (%d calls)", got, svc.calls)
	}
	if k, _ := m.Selected(); k.ID != "key-1" {
		t.Errorf("the selection moved to %s", k.ID)
	}
	v := m.View()
	if !strings.Contains(v, "ROTATION") || !strings.Contains(v, "off") || !strings.Contains(v, "180 days") {
		t.Errorf("no rotation column:\n%s", v)
	}
}
