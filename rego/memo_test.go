package rego

import (
	"context"
	"reflect"
	"testing"
)

// TestDecisionMemo: a repeated request is answered from memory with the same decision; a request
// differing in any fact — here one condition key — is evaluated anew.
func TestDecisionMemo(t *testing.T) {
	policy := Policy{Kind: KindKey, Document: []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:Decrypt","Resource":"*",
		"Condition":{"StringEquals":{"kms:EncryptionContext:app":"billing"}}}}`)}
	req := func(app string) Request {
		return Request{Caller: Caller{ARN: "arn:aws:iam::111122223333:user/bob", Account: "111122223333"}, Action: "kms:Decrypt",
			Resource: "arn:aws:kms:us-east-1:111122223333:key/k1", ResourceAccount: "111122223333",
			Context: map[string][]string{"kms:EncryptionContext:app": {app}}, ResourcePolicy: &policy}
	}
	ctx := context.Background()
	remembering, evaluating := NewEngine(), NewEngine(WithDecisionMemo(0))
	for _, app := range []string{"billing", "payroll", "billing", "payroll", "billing"} {
		got, err := remembering.Decide(ctx, req(app))
		if err != nil {
			t.Fatal(err)
		}
		want, err := evaluating.Decide(ctx, req(app))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("app=%s: remembered %+v, evaluated %+v", app, got, want)
		}
		if wantEffect := map[string]string{"billing": EffectAllowed, "payroll": "implicitDeny"}[app]; got.Effect != wantEffect {
			t.Fatalf("app=%s: %s", app, got.Effect)
		}
	}
	if n := remembering.memo.len(); n != 2 {
		t.Fatalf("%d remembered decisions, want 2", n)
	}
	if evaluating.memo != nil {
		t.Fatal("WithDecisionMemo(0) still remembers")
	}
}
