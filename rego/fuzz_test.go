package rego

import (
	"context"
	"os"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

func FuzzTranslate(f *testing.F) {
	if doc, err := os.ReadFile("testdata/representative.json"); err == nil {
		f.Add(doc, uint8(0))
	}
	f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:*:${aws:username}/${*}x${aws:PrincipalTag/t, 'd'}"}}`), uint8(1))
	f.Add([]byte(`{"Statement":[{"Sid":"\"\n#","Effect":"Deny","NotPrincipal":{"AWS":"*","Service":["a\\b"]},"NotAction":"kms:[a]{b}","NotResource":"*","Condition":{"ForAllValues:ArnNotLikeIfExists":{"K\u00e9y":["}\"",1.5,false]}}}]}`), uint8(0))
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Principal":{"Federated":"x","CanonicalUser":"y"},"Action":"*","Resource":"*","Condition":{"Null":{"a":"true"},"DateLessThan":{"aws:CurrentTime":"2020-01-01"}}}}`), uint8(5))
	kinds := []string{"key", "identity", "scp", "boundary", "session", "trust"}
	f.Fuzz(func(t *testing.T, doc []byte, k uint8) {
		kind := kinds[int(k)%len(kinds)]
		mod, err := Translate(doc, kind, "fuzz")
		if err != nil {
			return
		}
		if _, err := ast.ParseModuleWithOpts("fuzz.rego", mod, ast.ParserOptions{RegoVersion: ast.RegoV1}); err != nil {
			t.Fatalf("generated module does not parse: %v\n%s", err, mod)
		}
		if _, err := compile(context.Background(), doc, Kind(kind), contentHash(doc, Kind(kind))); err != nil {
			t.Fatalf("generated module does not compile: %v\n%s", err, mod)
		}
	})
}
