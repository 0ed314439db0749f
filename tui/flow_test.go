package tui_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/dryrun"
	"github.com/kmsim/kmsim/tui/pages/explain"
	"github.com/kmsim/kmsim/tui/pages/keydetail"
	"github.com/kmsim/kmsim/tui/pages/principal"
	"github.com/kmsim/kmsim/tui/pages/whocan"
)

// Whole-program flows: the real program loop, driven by keys, over the real services.

func TestFlowKeyDetailRego(t *testing.T) {
	p := tuitest.Start(t, tui.New(tuitest.Common(t), tuitest.Service(t)))
	p.WaitFor("alias/app-data", "5 of 5 keys")
	p.Type("/app-data<enter>")
	p.WaitFor(`1 of 5 keys · sorted by account · filter "app-data"`)
	p.Type("<enter>")
	p.WaitFor("Key policy (JSON)", "Enable IAM User Permissions")
	p.Type("r")
	p.WaitFor("Key policy (Rego)", "package kmsim.policies.")
	m := p.Quit().(*tui.Model)
	kd := m.Page(tui.KeyDetailPage).(*keydetail.Model)
	if m.Active() != tui.KeyDetailPage || !kd.ShowRego() || kd.Key().ID != tuitest.AppDataKey {
		t.Fatalf("active %v, rego %v, key %s", m.Active(), kd.ShowRego(), kd.Key().ID)
	}
}

func TestFlowExplainDenial(t *testing.T) {
	svc := tuitest.Service(t)
	// Pick developer and alias/app-data with the arrow keys, as a person would.
	principals := svc.Principals()
	pi := indexOf(principals, tuitest.DeveloperARN)
	ks, _ := svc.WorldKeys(t.Context())
	ki := -1
	for i, k := range ks {
		if k.Alias() == "alias/app-data" {
			ki = i
		}
	}
	if pi < 0 || ki < 0 {
		t.Fatal("developer or alias/app-data missing from the demo world")
	}
	p := tuitest.Start(t, tui.New(tuitest.Common(t), svc))
	p.WaitFor("alias/app-data")
	p.Type("3")
	p.WaitFor("Principal", "Context")
	p.Type(strings.Repeat("<right>", pi) + "<tab><tab>" + strings.Repeat("<right>", ki) + "<enter>")
	p.WaitFor("DENIED (implicit deny)", "no identity-based policy allows")
	m := p.Quit().(*tui.Model)
	e := m.Page(tui.ExplainPage).(*explain.Model).Explanation()
	if e == nil || e.Effect != "implicitDeny" || !strings.Contains(e.Message, tuitest.DeveloperARN) {
		t.Fatalf("explanation %+v", e)
	}
}

func TestFlowTrail(t *testing.T) {
	p := tuitest.Start(t, tui.New(tuitest.Common(t), tuitest.Service(t)))
	p.WaitFor("alias/app-data")
	p.Type("2")
	p.WaitFor("3 events", "DescribeKey", "AccessDeniedException")
	p.Type("e")
	p.WaitFor("1 events · errors only")
	p.Type("<enter>")
	p.WaitFor(`"errorCode": "AccessDeniedException"`)
	p.Quit()
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// Keys → key detail → who can (alias/app-data, kms:Decrypt) → enter on EncryptionApp → principal.
func TestFlowWhoCanPrincipal(t *testing.T) {
	p := tuitest.Start(t, tui.New(tuitest.Common(t), tuitest.Service(t)))
	p.WaitFor("alias/app-data", "5 of 5 keys")
	p.Type("/app-data<enter>")
	p.WaitFor(`filter "app-data"`)
	p.Type("<enter>")
	p.WaitFor("Enable IAM User Permissions", "w who can")
	p.Type("w")
	p.WaitFor("Who can ‹ kms:Decrypt › on alias/app-data", "role/EncryptionApp", "arn:aws:iam::111122223333:root", "IAM via account")
	p.Type("<down><enter>")
	p.WaitFor("Identity policies (1)", "role/EncryptionApp/inline/use-account-keys", "Recent calls (last 20)")
	m := p.Quit().(*tui.Model)
	pr := m.Page(tui.PrincipalPage).(*principal.Model)
	if m.Active() != tui.PrincipalPage || pr.ARN() != "arn:aws:iam::111122223333:role/EncryptionApp" {
		t.Fatalf("active %v, principal %s", m.Active(), pr.ARN())
	}
	rows := m.Page(tui.WhoCanPage).(*whocan.Model).Rows()
	var account bool
	for _, r := range rows {
		account = account || (r.Principal == "arn:aws:iam::111122223333:root" && r.Path == "IAM via account")
	}
	if !account {
		t.Fatalf("no IAM delegation to the account: %+v", rows)
	}
}

// Key → d with $EDITOR set to a script that gives the EncryptionApp role's statements to the
// SecurityAuditor role: the program hands the terminal to the editor, reads the file back and shows
// the diff, the auditor gaining Decrypt.
func TestFlowExternalEditor(t *testing.T) {
	script := filepath.Join(t.TempDir(), "edit.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nsed -i 's#role/EncryptionApp#role/SecurityAuditor#' \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EDITOR", script)
	p := tuitest.Start(t, tui.New(tuitest.Common(t), tuitest.Service(t)))
	p.WaitFor("alias/app-data", "5 of 5 keys")
	p.Type("/app-data<enter>")
	p.WaitFor(`filter "app-data"`)
	p.Type("<enter>")
	p.WaitFor("Enable IAM User Permissions", "d dry run")
	p.Type("d")
	p.WaitFor("Dry run · alias/app-data", "Access diff:", "gained   kms:Decrypt  arn:aws:iam::111122223333:role/SecurityAuditor")
	m := p.Quit().(*tui.Model)
	dr := m.Page(tui.DryRunPage).(*dryrun.Model)
	if dr.Stage() != dryrun.StageResult || !strings.Contains(dr.Proposed(), "role/SecurityAuditor") || strings.Contains(dr.Proposed(), "role/EncryptionApp") {
		t.Fatalf("stage %v, proposal:\n%s", dr.Stage(), dr.Proposed())
	}
	var gained bool
	for _, c := range dr.Result().Changes {
		gained = gained || (c.Principal == "arn:aws:iam::111122223333:role/SecurityAuditor" && c.Action == "kms:Decrypt" && c.Gain)
	}
	if !gained {
		t.Fatalf("the auditor does not gain Decrypt: %+v", dr.Result().Changes)
	}
}
