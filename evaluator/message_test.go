package evaluator

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kmsim/kmsim/rego"
)

func TestDenialMessage(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	bob := Principal{ARN: "arn:aws:iam::111122223333:user/bob"}
	tests := []struct {
		name   string
		req    Request
		reason DenyReason
		effect Effect
		want   string
	}{
		{"no resource policy allows", Request{Principal: bob, Action: "kms:Decrypt", Resource: key}, NoResourcePolicyAllows, ImplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: " + key + " because no resource-based policy allows the kms:Decrypt action"},
		{"no identity policy allows", Request{Principal: bob, Action: "kms:Decrypt", Resource: key}, NoIdentityPolicyAllows, ImplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: " + key + " because no identity-based policy allows the kms:Decrypt action"},
		{"no boundary allows", Request{Principal: bob, Action: "kms:Encrypt", Resource: key}, NoBoundaryAllows, ImplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Encrypt on resource: " + key + " because no permissions boundary allows the kms:Encrypt action"},
		{"no session policy allows", Request{Principal: bob, Action: "kms:Encrypt", Resource: key}, NoSessionPolicyAllows, ImplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Encrypt on resource: " + key + " because no session policy allows the kms:Encrypt action"},
		{"no SCP allows", Request{Principal: bob, Action: "kms:CreateKey", Resource: "*"}, NoSCPAllows, ImplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:CreateKey on resource: * because no service control policy allows the kms:CreateKey action"},
		{"explicit deny in key policy", Request{Principal: bob, Action: "kms:Decrypt", Resource: key}, DenyInResourcePolicy, ExplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: " + key + " with an explicit deny in a resource-based policy"},
		{"explicit deny in identity policy", Request{Principal: bob, Action: "kms:Decrypt", Resource: key}, DenyInIdentityPolicy, ExplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: " + key + " with an explicit deny in an identity-based policy"},
		{"explicit deny in SCP", Request{Principal: bob, Action: "kms:Decrypt", Resource: key}, DenyInSCP, ExplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: " + key + " with an explicit deny in a service control policy"},
		{"explicit deny in boundary", Request{Principal: bob, Action: "kms:Decrypt", Resource: key}, DenyInBoundary, ExplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: " + key + " with an explicit deny in a permissions boundary"},
		{"explicit deny in session policy", Request{Principal: bob, Action: "kms:Decrypt", Resource: key}, DenyInSessionPolicy, ExplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: " + key + " with an explicit deny in a session policy"},
		{"no VPC endpoint policy allows", Request{Principal: bob, Action: "kms:ScheduleKeyDeletion", Resource: key}, NoVPCEPolicyAllows, ImplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:ScheduleKeyDeletion on resource: " + key + " because no VPC endpoint policy allows the kms:ScheduleKeyDeletion action"},
		{"explicit deny in VPC endpoint policy", Request{Principal: bob, Action: "kms:Decrypt", Resource: key}, DenyInVPCEPolicy, ExplicitDeny,
			"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: " + key + " with an explicit deny in a VPC endpoint policy"},
		{"allowed", Request{Principal: bob, Action: "kms:Decrypt", Resource: key}, "", Allowed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DenialMessage(tt.req, Decision{Effect: tt.effect, Reason: tt.reason})
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDenialMessageFromDecide(t *testing.T) {
	req := Request{
		Principal:      PrincipalFromARN("arn:aws:iam::111122223333:user/bob"),
		Action:         "kms:Decrypt",
		Resource:       "arn:aws:kms:us-east-1:111122223333:key/k1",
		ResourcePolicy: &Policy{ID: "key/k1", Kind: KindKey, Document: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}]}`)},
	}
	d, err := New().Decide(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/k1 because no identity-based policy allows the kms:Decrypt action"
	if got := DenialMessage(req, d); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestCheckPolicy(t *testing.T) {
	const syntax = "Syntax errors in policy."
	const principals = "Policy contains a statement with one or more invalid principals."
	tests := []struct {
		name     string
		doc      string
		kind     PolicyKind
		wantCode string // "" for valid
		wantMsg  string
	}{
		{"console default", `{"Version":"2012-10-17","Id":"key-consolepolicy","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`, KindKey, "", ""},
		{"statement object and account id principal", `{"Statement":{"Effect":"Deny","Principal":{"AWS":["111122223333","arn:aws:sts::111122223333:assumed-role/R/s"]},"NotAction":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringLikeIfExists":{"kms:EncryptionContextKeys":["a*",1,true]}}}}`, KindKey, "", ""},
		{"service principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},"Action":"kms:Encrypt","Resource":"*"}]}`, KindKey, "", ""},
		{"identity policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:CreateKey","Resource":"*"}]}`, KindIdentity, "", ""},
		{"invalid JSON", `{"Version":"2012-10-17",`, KindKey, rego.CodeInvalidJSON, syntax},
		{"not an object", `[1,2]`, KindKey, rego.CodeInvalidJSON, syntax},
		{"trailing data", `{"Statement":[]} {}`, KindKey, rego.CodeInvalidJSON, syntax},
		{"unknown top-level element", `{"Version":"2012-10-17","Foo":1,"Statement":[]}`, KindKey, rego.CodeUnknownElement, syntax},
		{"unknown statement element", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Actions":"x"}]}`, KindKey, rego.CodeUnknownElement, syntax},
		{"bad version", `{"Version":"2020-01-01","Statement":[]}`, KindKey, rego.CodeInvalidVersion, syntax},
		{"bad effect", `{"Statement":[{"Effect":"allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`, KindKey, rego.CodeInvalidEffect, syntax},
		{"missing statement", `{"Version":"2012-10-17"}`, KindKey, rego.CodeMissingStatement, syntax},
		{"missing action", `{"Statement":[{"Effect":"Allow","Principal":"*","Resource":"*"}]}`, KindKey, rego.CodeMissingAction, syntax},
		{"action and NotAction", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","NotAction":"kms:Decrypt","Resource":"*"}]}`, KindKey, rego.CodeMissingAction, syntax},
		{"missing resource", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*"}]}`, KindKey, rego.CodeMissingResource, syntax},
		{"missing principal in key policy", `{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, KindKey, rego.CodeMissingPrincipal, principals},
		{"invalid AWS principal", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"kms:*","Resource":"*"}]}`, KindKey, rego.CodeInvalidPrincipal, principals},
		{"wildcard in principal ARN", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:*"},"Action":"kms:*","Resource":"*"}]}`, KindKey, rego.CodeInvalidPrincipal, principals},
		{"string principal other than star", `{"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"kms:*","Resource":"*"}]}`, KindKey, rego.CodeInvalidPrincipal, principals},
		{"unknown principal type", `{"Statement":[{"Effect":"Allow","Principal":{"User":"bob"},"Action":"kms:*","Resource":"*"}]}`, KindKey, rego.CodeInvalidPrincipal, principals},
		{"principal in identity policy", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`, KindIdentity, rego.CodeUnexpectedPrincipal, "Policy document should not specify a principal."},
		{"unknown condition operator", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringMatches":{"a":"b"}}}]}`, KindKey, rego.CodeUnsupportedConditionOperator, syntax},
		{"condition value object", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"a":{"b":1}}}}]}`, KindKey, rego.CodeInvalidCondition, syntax},
		{"action without service prefix", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"Decrypt","Resource":"*"}]}`, KindKey, rego.CodeInvalidValue, syntax},
		{"too large", `{"Statement":[],"Id":"` + strings.Repeat("x", 32768) + `"}`, KindKey, rego.CodeTooLarge, "Policy document exceeds the maximum size of 32768 bytes."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPolicy([]byte(tt.doc), tt.kind)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want *PolicyError", err)
			}
			if pe.Code != tt.wantCode || err.Error() != tt.wantMsg {
				t.Errorf("got code %s message %q, want %s %q (detail: %v)", pe.Code, err.Error(), tt.wantCode, tt.wantMsg, pe.Unwrap())
			}
			if !errors.Is(err, &rego.Error{Code: tt.wantCode}) {
				t.Errorf("errors.Is(err, &rego.Error{Code: %s}) = false", tt.wantCode)
			}
		})
	}
}

func TestDecideConcurrent(t *testing.T) {
	e := New()
	cases := MustLoadCases("testdata/cases")
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for _, tc := range cases {
				if tc.WantDecision == "" {
					continue
				}
				if _, err := e.Decide(context.Background(), tc.Request()); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
