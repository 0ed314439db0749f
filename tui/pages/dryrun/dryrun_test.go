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
	m, k, _ := setupService(t, editor)
	return m, k
}

func setupService(t *testing.T, editor string) (*dryrun.Model, common.Key, dryrun.Service) {
	t.Helper()
	svc := tuitest.Service(t)
	ks, _ := svc.Keys(t.Context())
	for _, k := range ks {
		if k.ID == tuitest.AppDataKey {
			m := dryrun.New(tuitest.Common(t), svc)
			m.Editor = editor
			m.SetSize(tuitest.Width, tuitest.Height)
			return m, k, svc
		}
	}
	t.Fatal("no alias/app-data")
	return nil, common.Key{}, nil
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
	for _, want := range []string{"0 changes", "3 calls on the key", "nothing to save"} {
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

// appDataWithout is alias/app-data's policy with only the account's statement: admin (IAM) keeps
// PutKeyPolicy, EncryptionApp loses its key-policy way.
const appDataWithout = `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",
"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`

// lockout lets the account only decrypt: no principal could change the policy afterwards.
const lockout = `{"Version":"2012-10-17","Statement":[{"Sid":"Decrypt only","Effect":"Allow",
"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Decrypt","Resource":"*"}]}`

// propose runs the dry run of doc on alias/app-data.
func propose(t *testing.T, doc string) (*dryrun.Model, common.Key, dryrun.Service) {
	t.Helper()
	m, k, svc := setupService(t, "")
	tuitest.Drive(t, m.Update, tuitest.Messages(m.SetKey(k))...)
	tuitest.Drive(t, m.Update, dryrun.EditedMsg{ARN: k.ARN, Doc: []byte(doc)})
	if m.Stage() != dryrun.StageResult || m.Result() == nil {
		t.Fatalf("stage %v", m.Stage())
	}
	return m, k, svc
}

// With no server on the data directory, the save starts a simulator on it for the call.
func TestDryRunSaveConfirmed(t *testing.T) {
	m, k, svc := propose(t, appDataWithout)
	if !strings.Contains(m.Content(), "s saves the proposal") {
		t.Errorf("the result does not offer to save:\n%s", m.Content())
	}
	press(t, m, "s")
	if m.Stage() != dryrun.StageConfirm {
		t.Fatalf("s: stage %v", m.Stage())
	}
	if m.Actor() != tuitest.AdminARN {
		t.Errorf("acts as %s, want %s (a user allowed, before the account root)", m.Actor(), tuitest.AdminARN)
	}
	v := m.View()
	for _, want := range []string{"Save the proposal as the key policy of alias/app-data?", "as       " + tuitest.AdminARN,
		"a simulator started here", "y saves · n/esc does not"} {
		if !strings.Contains(v, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, v)
		}
	}
	press(t, m, "n")
	if m.Stage() != dryrun.StageResult || m.Saved() != nil {
		t.Fatalf("n: stage %v, saved %+v", m.Stage(), m.Saved())
	}
	if p, _ := svc.Policy(t.Context(), k); !strings.Contains(p.JSON, "EncryptionApp") {
		t.Fatal("n saved the proposal")
	}
	press(t, m, "s<right><left>y")
	s := m.Saved()
	if s == nil || !s.Saved || s.Actor != tuitest.AdminARN {
		t.Fatalf("y: saved %+v", s)
	}
	if !strings.Contains(m.View(), "as       "+tuitest.AdminARN) {
		t.Errorf("the view does not say it saved:\n%s", m.View())
	}
	p, err := svc.Policy(t.Context(), k)
	if err != nil || strings.Contains(p.JSON, "EncryptionApp") {
		t.Fatalf("the key's policy after the save: %v\n%s", err, p.JSON)
	}
}

func TestDryRunSaveLockoutRefused(t *testing.T) {
	m, k, svc := propose(t, lockout)
	before, _ := svc.Policy(t.Context(), k)
	press(t, m, "s")
	plan := m.Plan()
	if len(plan.Actors) == 0 || plan.LockedOut != len(plan.Actors) {
		t.Fatalf("plan %+v: every actor is locked out by the proposal", plan)
	}
	if !strings.Contains(m.View(), "the lockout") {
		t.Errorf("no lockout warning:\n%s", m.View())
	}
	press(t, m, "y")
	s := m.Saved()
	if s == nil || s.Saved || s.Code != "MalformedPolicyDocumentException" ||
		s.Message != "The new key policy will not allow you to update the key policy in the future." {
		t.Fatalf("saved %+v", s)
	}
	if v := m.View(); !strings.Contains(v, "Not saved: AWS answered PutKeyPolicy with MalformedPolicyDocumentException") || !strings.Contains(v, "The key policy is unchanged.") {
		t.Errorf("view:\n%s", v)
	}
	if after, _ := svc.Policy(t.Context(), k); after.JSON != before.JSON {
		t.Fatal("a refused save changed the policy")
	}
}

// press sends each key once the previous one's work is done, as a person would.
func press(t *testing.T, m *dryrun.Model, keys string) {
	t.Helper()
	for _, k := range tuitest.Keys(keys) {
		tuitest.Drive(t, m.Update, k)
	}
}
