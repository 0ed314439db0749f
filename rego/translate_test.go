package rego

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestTranslateGolden(t *testing.T) {
	for name, kind := range map[string]string{"representative": "key", "vpce_endpoint": "vpce"} {
		t.Run(name, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Translate(doc, kind, name)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".rego.golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("Translate output differs from %s (run with -update):\n%s", golden, got)
			}
			again, _ := Translate(doc, kind, name)
			if again != got {
				t.Error("Translate is not deterministic")
			}
		})
	}
}

func TestEngineDecide(t *testing.T) {
	doc, err := os.ReadFile("testdata/representative.json")
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(WithCacheSize(2))
	ctx := context.Background()
	identity := Policy{Kind: KindIdentity, Document: []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`)}
	req := Request{
		Caller: Caller{ARN: "arn:aws:iam::111122223333:user/bob", Account: "111122223333"}, Action: "kms:Decrypt",
		Resource: "arn:aws:kms:us-east-1:111122223333:key/k1", ResourceAccount: "111122223333",
		Context: map[string][]string{
			"kms:EncryptionContext:owner": {"bob"}, "aws:username": {"bob"}, "aws:SourceIp": {"192.0.2.10"},
			"kms:EncryptionContextKeys": {"owner"},
		},
		ResourcePolicy: &Policy{Kind: KindKey, Document: doc},
		Identity:       []Policy{identity},
	}
	d, err := e.Decide(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if d.Effect != EffectAllowed || d.Reason != "" {
		t.Errorf("effect %q reason %q, want allowed", d.Effect, d.Reason)
	}
	want := map[Match]bool{
		{Role: RoleResource, Index: 0, Sid: "Enable IAM User Permissions", Effect: "Allow"}: true,
		{Role: RoleResource, Index: 4, Sid: "Per-user keys", Effect: "Allow"}:               true,
		{Role: RoleIdentity, Index: 0, Effect: "Allow"}:                                     true,
	}
	if len(d.Matched) != len(want) {
		t.Fatalf("matched = %+v, want %v", d.Matched, want)
	}
	for _, m := range d.Matched {
		if !want[m] {
			t.Errorf("unexpected match %+v", m)
		}
	}
	if len(d.MissingContext) != 1 || d.MissingContext[0] != "aws:PrincipalOrgID" {
		t.Errorf("missing context = %q, want [aws:PrincipalOrgID]", d.MissingContext)
	}
	if e.Len() != 1 {
		t.Errorf("%d compiled sets, want 1", e.Len())
	}
	if _, err := e.Decide(ctx, req); err != nil || e.Len() != 1 {
		t.Errorf("a second decision compiled again: %d sets, %v", e.Len(), err)
	}
	// The same documents in other roles share the compiled set.
	swapped := req
	swapped.Identity, swapped.SCPs = nil, [][]Policy{{identity}}
	if _, err := e.Decide(ctx, swapped); err != nil || e.Len() != 1 {
		t.Errorf("same policies in other roles: %d sets, %v", e.Len(), err)
	}
	// The caches are bounded.
	for i := range 3 {
		other := req
		other.Identity = []Policy{{Kind: KindIdentity, Document: fmt.Appendf(nil, `{"Statement":{"Sid":"s%d","Effect":"Allow","Action":"*","Resource":"*"}}`, i)}}
		if _, err := e.Decide(ctx, other); err != nil {
			t.Fatal(err)
		}
	}
	if e.Len() != 2 {
		t.Errorf("cache holds %d sets, want 2", e.Len())
	}
	// Malformed policies fail with their parse errors.
	bad := req
	bad.Identity = []Policy{{Kind: KindIdentity, Document: []byte(`{"Statement":{}}`)}}
	var es Errors
	if _, err := e.Decide(ctx, bad); !errors.As(err, &es) {
		t.Errorf("malformed policy: got %v, want Errors", err)
	}
}

func TestParseErrorsSorted(t *testing.T) {
	_, err := Parse([]byte(`{"Statement":[{"Effect":"Maybe","Action":"kms:*"},{"Effect":"Allow"}]}`), KindKey)
	es, ok := err.(Errors)
	if !ok || len(es) < 4 {
		t.Fatalf("got %v", err)
	}
	for i := 1; i < len(es); i++ {
		if es[i-1].Location.Statement > es[i].Location.Statement {
			t.Errorf("errors not sorted: %v", es)
		}
	}
}

func TestUsesLib(t *testing.T) {
	for src, want := range map[string]bool{
		"\tlib.any_match(\"Bool\", \"k\", [\"true\"])\n":            true,
		"\tvia := lib.principal_via({})\n":                          true,
		"\tnot lib.resource_in([concat(\"\", [lib.var(\"k\")])])\n": true,
		"\tinput.action == \"lib.x\"\n":                             false,
		"# Statement 0: Sid \"lib.x\"\n\tinput.x == 1 # lib.x\n":    false,
		"\tinput.resource == \"a\\\"lib.b\"\n":                      false,
		"\tx := mylib.f(1)\n":                                       false,
	} {
		if got := usesLib(src); got != want {
			t.Errorf("usesLib(%q) = %v, want %v", src, got, want)
		}
	}
}

func BenchmarkTranslate(b *testing.B) {
	doc, err := os.ReadFile("testdata/representative.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Translate(doc, "key", "representative"); err != nil {
			b.Fatal(err)
		}
	}
}
