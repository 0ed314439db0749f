package rego

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestTranslateGolden(t *testing.T) {
	for _, name := range []string{"representative"} {
		t.Run(name, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Translate(doc, "key", name)
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
			again, _ := Translate(doc, "key", name)
			if again != got {
				t.Error("Translate is not deterministic")
			}
		})
	}
}

func TestEngineEval(t *testing.T) {
	doc, err := os.ReadFile("testdata/representative.json")
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(WithCacheSize(2))
	ctx := context.Background()
	p, err := e.Prepare(ctx, doc, KindKey)
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := e.Prepare(ctx, doc, KindKey); p2 != p {
		t.Error("second Prepare did not hit the cache")
	}
	in := NewInput(Caller{ARN: "arn:aws:iam::111122223333:user/bob", Account: "111122223333"}, "kms:Decrypt",
		"arn:aws:kms:us-east-1:111122223333:key/k1", map[string][]string{
			"kms:EncryptionContext:owner": {"bob"}, "aws:username": {"bob"}, "aws:SourceIp": {"192.0.2.10"},
			"kms:EncryptionContextKeys": {"owner"},
		})
	res, err := p.Eval(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []Match{{Index: 0, Sid: "Enable IAM User Permissions", Via: ViaAccount}, {Index: 4, Sid: "Per-user keys", Via: ViaAnyone}}
	if len(res.Allow) != len(want) {
		t.Fatalf("allow = %+v, want %+v", res.Allow, want)
	}
	for i := range want {
		if res.Allow[i] != want[i] {
			t.Errorf("allow[%d] = %+v, want %+v", i, res.Allow[i], want[i])
		}
	}
	if len(res.Deny) != 0 {
		t.Errorf("deny = %+v", res.Deny)
	}
	if len(res.Considered) != 2 || res.Considered[0] != 3 || res.Considered[1] != 4 {
		t.Errorf("considered = %v, want [3 4]", res.Considered)
	}
	// The cache is bounded.
	for _, k := range []Kind{KindTrust, KindIdentity} {
		d := doc
		if k == KindIdentity {
			d = []byte(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
		}
		if _, err := e.Prepare(ctx, d, k); err != nil {
			t.Fatal(err)
		}
	}
	if e.Len() != 2 {
		t.Errorf("cache holds %d, want 2", e.Len())
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
