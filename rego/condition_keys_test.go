package rego

import (
	"regexp"
	"testing"
)

// TestConditionKeysCoverVariables: every context key the translated Rego reads through a policy
// variable is among ConditionKeys, however the variable is spelled, so a decision given only the
// keys the policies read decides as one given the whole context.
func TestConditionKeysCoverVariables(t *testing.T) {
	doc := []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt",
		"Resource":"arn:aws:kms:*:*:key/${aws:userid}",
		"Condition":{"StringLike":{"kms:ViaService":["${ * }","${}","${,'d'}","${*}","${?}","${$}","a${ aws:PrincipalTag/Team , 'x'}b","${aws:username}${aws:SourceIp"]}}}}`)
	src, err := Translate(doc, string(KindKey), "vars")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ConditionKeys(doc, KindKey)
	if err != nil {
		t.Fatal(err)
	}
	read := regexp.MustCompile(`lib\.var(?:_or)?\("((?:[^"\\]|\\.)*)"`).FindAllStringSubmatch(src, -1)
	if len(read) < 6 {
		t.Fatalf("the translation reads %d variables, want at least 6:\n%s", len(read), src)
	}
	for _, m := range read {
		if _, ok := keys[m[1]]; !ok {
			t.Errorf("the Rego reads context key %q, ConditionKeys has %v", m[1], keys)
		}
	}
}
