package dryrun_test

import (
	"strings"
	"testing"

	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/dryrun"
)

func setup(t *testing.T, editor string) (*dryrun.Model, common.Key) {
	t.Helper()
	svc := tuitest.Service(t)
	ks, _ := svc.Keys(t.Context())
	for _, k := range ks {
		if k.ID == tuitest.AppDataKey {
			m := dryrun.New(tuitest.Common(t), svc)
			m.Editor = editor
			m.SetSize(tuitest.Width, tuitest.Height)
			return m, k
		}
	}
	t.Fatal("no alias/app-data")
	return nil, common.Key{}
}

func TestDryRunInAppEditor(t *testing.T) {
	m, k := setup(t, "")
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetKey(k))...)
	if m.Stage() != dryrun.StageEditing || !m.Capturing() || !strings.Contains(m.View(), "Enable IAM User Permissions") {
		t.Fatalf("stage %v, capturing %v:\n%s", m.Stage(), m.Capturing(), m.View())
	}
	tuitest.Drive(t, m.Update, tuitest.Keys("<esc>")...)
	if m.Stage() != dryrun.StageIdle || m.Capturing() {
		t.Fatal("esc cancels the edit")
	}
	tuitest.Drive(t, m.Update, tuitest.Keys("e<ctrl+s>")...)
	if m.Stage() != dryrun.StageResult || m.Result() == nil {
		t.Fatalf("ctrl+s: stage %v", m.Stage())
	}
	v := m.View()
	for _, want := range []string{"0 changes", "3 calls on the key", "Nothing was saved", "aws kms put-key-policy --key-id " + tuitest.AppDataKey} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

// A proposal that drops every statement but the account's: EncryptionApp loses its key-policy way,
// and the recorded calls keep their outcome (admin goes through IAM).
func TestDryRunProposalChanges(t *testing.T) {
	m, k := setup(t, "")
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetKey(k))...)
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",
"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	cmd := m.Update(dryrun.EditedMsg{ARN: k.ARN, Doc: []byte(doc)})
	if !m.Busy() || m.Stage() != dryrun.StageAnalysing {
		t.Fatal("analysing")
	}
	tuitest.Drive(t, m.Update, tuitest.Messages(cmd)...)
	r := m.Result()
	if r == nil || r.Replay == nil {
		t.Fatalf("result %+v", r)
	}
	found := false
	for _, c := range r.Changes {
		if c.Principal == "arn:aws:iam::111122223333:role/EncryptionApp" && c.Action == "kms:Decrypt" && c.Change == "changed" {
			found = true
		}
	}
	if !found {
		t.Fatalf("EncryptionApp's Decrypt does not change: %+v", r.Changes)
	}
}

func TestDryRunExternalEditorAndCancel(t *testing.T) {
	m, k := setup(t, "true")
	msgs := tuitest.Messages(m.SetKey(k))
	m.Update(msgs[0]) // the policy: the view writes it to a file for the editor
	if m.Stage() != dryrun.StageEditing || m.Capturing() {
		t.Fatalf("stage %v, capturing %v", m.Stage(), m.Capturing())
	}
	// The editor's answer, as tea.ExecProcess delivers it, then esc during the analysis.
	cmd := m.Update(dryrun.EditedMsg{ARN: k.ARN, Doc: []byte("{}"), File: "/tmp/p.json"})
	if !m.Back() || m.Busy() {
		t.Fatal("esc cancels the analysis")
	}
	tuitest.Drive(t, m.Update, tuitest.Messages(cmd)...)
	if m.Result() != nil {
		t.Fatal("a cancelled analysis is dropped")
	}
}
