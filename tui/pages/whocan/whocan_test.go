package whocan_test

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/whocan"
)

func appData(t *testing.T) (*whocan.Model, common.Key) {
	t.Helper()
	svc := tuitest.Service(t)
	ks, err := svc.Keys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.ID == tuitest.AppDataKey {
			m := whocan.New(tuitest.Common(t), svc)
			m.SetSize(tuitest.Width, tuitest.Height)
			return m, k
		}
	}
	t.Fatal("no alias/app-data")
	return nil, common.Key{}
}

func TestWhoCanDecrypt(t *testing.T) {
	m, k := appData(t)
	cmd := m.SetKey(k)
	if !m.Busy() || m.Action() != "kms:Decrypt" {
		t.Fatalf("busy %v, action %s", m.Busy(), m.Action())
	}
	tuitest.Drive(t, m.Update, tuitest.Messages(cmd)...)
	if m.Busy() {
		t.Fatal("still busy")
	}
	paths := map[string]bool{}
	for _, r := range m.Rows() {
		paths[r.Principal+" "+r.Path] = true
	}
	for _, want := range []string{
		"arn:aws:iam::111122223333:role/EncryptionApp key policy",
		"arn:aws:iam::111122223333:role/EncryptionApp IAM via account",
		"arn:aws:iam::111122223333:root IAM via account",
	} {
		if !paths[want] {
			t.Errorf("no row %q in %v", want, paths)
		}
	}
}

func TestWhoCanActionCycleAndOpen(t *testing.T) {
	m, k := appData(t)
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetKey(k))...)
	tuitest.Drive(t, m.Update, tuitest.Keys("<right>")...)
	if m.Action() != "kms:DeleteAlias" || m.Busy() {
		t.Fatalf("→: action %s, busy %v", m.Action(), m.Busy())
	}
	tuitest.Drive(t, m.Update, tuitest.Keys("<left>")...)
	if m.Action() != "kms:Decrypt" {
		t.Fatalf("←: action %s", m.Action())
	}
	m.Update(tea.KeyMsg{Type: tea.KeyDown})
	msgs := tuitest.Messages(m.Update(tea.KeyMsg{Type: tea.KeyEnter}))
	if len(msgs) != 1 {
		t.Fatalf("enter: %v", msgs)
	}
	open, ok := msgs[0].(common.OpenPrincipalMsg)
	if !ok || open.ARN != m.Rows()[1].Principal {
		t.Fatalf("enter: %#v", msgs[0])
	}
}

func TestWhoCanCancel(t *testing.T) {
	m, k := appData(t)
	msgs := tuitest.Messages(m.SetKey(k))
	if !m.Back() || m.Busy() {
		t.Fatal("esc while asking cancels")
	}
	tuitest.Drive(t, m.Update, msgs...)
	if len(m.Rows()) != 0 {
		t.Fatal("a cancelled answer is dropped")
	}
	if m.Back() {
		t.Fatal("nothing to cancel: back leaves the view")
	}
	if _, ok := m.SetAction("decrypt"); !ok {
		t.Fatal("SetAction(decrypt)")
	}
}
