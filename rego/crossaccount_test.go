package rego

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

// newerThanPermissionsTable are the cross-account KMS permissions of operations the guide's
// permissions table does not list yet.
var newerThanPermissionsTable = []string{"kms:decapsulate", "kms:derivesharedsecret"}

// TestCrossAccountActions checks cross_account_actions in authz.rego against the guide's
// permissions table (../shared/reference/permissions.json): exactly the permissions of the
// operations whose cross-account use is "Yes", and the newer ones.
func TestCrossAccountActions(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "shared", "reference", "permissions.json"))
	if err != nil {
		t.Skipf("reference table not available: %v", err)
	}
	var ref struct {
		Operations map[string]struct {
			Permissions     []string `json:"permissions"`
			CrossAccountUse string   `json:"cross_account_use"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(newerThanPermissionsTable)
	for op, row := range ref.Operations {
		for _, p := range row.Permissions {
			p = strings.ToLower(p)
			if slices.Contains(newerThanPermissionsTable, p) {
				t.Errorf("%s is in the table now (%s): take it off newerThanPermissionsTable", p, op)
			}
			if row.CrossAccountUse == "Yes" {
				want = append(want, p)
			}
		}
	}
	slices.Sort(want)

	rs, err := rego.New(rego.Query("data.kmsim.authz.cross_account_actions"),
		rego.Module("authz.rego", Authz), rego.Module("lib.rego", Lib)).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		t.Fatalf("cross_account_actions: %v", rs)
	}
	var got []string
	for _, v := range rs[0].Expressions[0].Value.([]any) {
		got = append(got, v.(string))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("cross_account_actions\n got %v\nwant %v", got, want)
	}
}

func TestCrossAccountUsable(t *testing.T) {
	for action, want := range map[string]bool{
		"kms:Decrypt": true, "KMS:REENCRYPTFROM": true, "kms:DeriveSharedSecret": true, "sts:AssumeRole": true,
		"kms:PutKeyPolicy": false, "kms:ScheduleKeyDeletion": false, "kms:CreateAlias": false, "kms:NoSuchAction": false,
	} {
		if got := CrossAccountUsable(action); got != want {
			t.Errorf("CrossAccountUsable(%q) = %v, want %v", action, got, want)
		}
	}
}
