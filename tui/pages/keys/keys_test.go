package keys_test

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

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
