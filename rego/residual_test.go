package rego

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestResidualAgreesWithFullEvaluation decides many requests sharing callers, actions and grants
// but differing in their context and encryption context, once through residuals and once in
// full, and both must answer alike. The requests cover conditional allows and denies, missing
// keys, grants whose constraints depend on the encryption context and a grant to the caller's
// account (whose residual reads the identity outcome).
func TestResidualAgreesWithFullEvaluation(t *testing.T) {
	key := Policy{Kind: KindKey, Document: []byte(`{"Version":"2012-10-17","Statement":[
		{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		{"Sid":"Use","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*",
		 "Condition":{"StringEquals":{"kms:EncryptionContext:dept":"IT"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
		{"Sid":"NoProd","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*",
		 "Condition":{"ForAnyValue:StringLike":{"kms:EncryptionContextKeys":["prod*"]}}}]}`)}
	identity := Policy{Kind: KindIdentity, Document: []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`)}
	callers := []Caller{
		{ARN: "arn:aws:sts::111122223333:assumed-role/App/s1", RoleARN: "arn:aws:iam::111122223333:role/App", Account: "111122223333"},
		{ARN: "arn:aws:iam::111122223333:user/bob", Account: "111122223333"},
		{ARN: "arn:aws:iam::444455556666:user/eve", Account: "444455556666"},
	}
	const keyARN = "arn:aws:kms:us-east-1:111122223333:key/k1"
	grants := []Grant{
		{ID: "g1", KeyARN: keyARN, Grantee: "arn:aws:iam::111122223333:user/bob", Operations: []string{"Decrypt"},
			EncryptionContextSubset: map[string]string{"dept": "HR"}},
		{ID: "g2", KeyARN: keyARN, Grantee: "arn:aws:iam::444455556666:root", Operations: []string{"Encrypt", "Decrypt"},
			EncryptionContextEquals: map[string]string{"dept": "IT"}},
	}
	specialised, full := NewEngine(WithDecisionMemo(0), WithPartialEvaluation(0)), NewEngine(WithDecisionMemo(0), WithPartialEvaluation(-1))
	ctx := context.Background()
	n := 0
	for _, c := range callers {
		for _, action := range []string{"kms:Decrypt", "kms:Encrypt"} {
			for _, dept := range []string{"", "IT", "HR"} {
				for _, ip := range []string{"", "10.1.2.3", "192.0.2.1"} {
					for _, secure := range []string{"", "true", "false"} {
						for _, keys := range [][]string{nil, {"dept"}, {"dept", "prod-id"}} {
							req := Request{Caller: c, Action: action, Resource: keyARN, ResourceAccount: "111122223333",
								ResourcePolicy: &key, Identity: []Policy{identity}, Grants: grants,
								Context: map[string][]string{"aws:SourceIp": nonEmpty(ip), "aws:SecureTransport": nonEmpty(secure),
									"kms:EncryptionContextKeys": keys, "kms:EncryptionContext:dept": nonEmpty(dept), "aws:CurrentTime": {fmt.Sprint(n)}},
								EncryptionContext: map[string]string{}}
							if dept != "" {
								req.EncryptionContext["dept"] = dept
							}
							got, err := specialised.Decide(ctx, req)
							if err != nil {
								t.Fatal(err)
							}
							want, err := full.Decide(ctx, req)
							if err != nil {
								t.Fatal(err)
							}
							if !reflect.DeepEqual(sortedDecision(got), sortedDecision(want)) {
								t.Fatalf("%s %s dept=%q ip=%q secure=%q keys=%q:\nresidual %+v\nfull     %+v", c.ARN, action, dept, ip, secure, keys, got, want)
							}
							n++
						}
					}
				}
			}
		}
	}
	if got := specialised.known.len(); got != len(callers)*2 {
		t.Errorf("%d residuals, want one per caller and action (%d)", got, len(callers)*2)
	}
}

func nonEmpty(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// sortedDecision orders a decision's matches, which follow OPA's set order.
func sortedDecision(d Decision) Decision {
	d.Matched = slices.Clone(d.Matched)
	slices.SortFunc(d.Matched, func(a, b Match) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return d
}
