package rego

import (
	"context"
	"os"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Every translated module must parse, compile with the library and authz modules, and evaluate.

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
		policy := Policy{Kind: Kind(kind), Document: doc}
		req := Request{Action: "kms:Decrypt", Resource: "*", Identity: []Policy{policy}}
		if Kind(kind).ResourceBased() {
			req.Identity, req.ResourcePolicy = nil, &policy
		}
		if _, err := NewEngine().Decide(context.Background(), req); err != nil {
			t.Fatalf("generated module does not evaluate: %v\n%s", err, mod)
		}
	})
}
