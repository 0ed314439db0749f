package rego

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
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
	// remembered answers from its residuals' outcomes requests that differ only in facts a
	// residual no longer reads (for kms:Encrypt, the deny's kms:EncryptionContextKeys).
	remembered := NewEngine(WithPartialEvaluation(0))
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
							if got, err = remembered.Decide(ctx, req); err != nil || !reflect.DeepEqual(sortedDecision(got), sortedDecision(want)) {
								t.Fatalf("%s %s dept=%q ip=%q secure=%q keys=%q:\nremembered %+v %v\nfull       %+v", c.ARN, action, dept, ip, secure, keys, got, err, want)
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

// TestResidualOutcomes decides requests that differ in a condition key one action's residual
// reads and the other's does not: the residual's outcomes answer the second without evaluating
// again, and agree with full evaluation.
func TestResidualOutcomes(t *testing.T) {
	key := Policy{Kind: KindKey, Document: []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`)}
	identity := Policy{Kind: KindIdentity, Document: []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}},
		{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)}
	remembered, full := NewEngine(WithPartialEvaluation(0)), NewEngine(WithDecisionMemo(0), WithPartialEvaluation(-1))
	ctx := context.Background()
	const requests = 40
	for _, action := range []string{"kms:Encrypt", "kms:Decrypt"} {
		for i := range requests {
			via := fmt.Sprintf("svc%d.us-east-1.amazonaws.com", i)
			if i%3 == 0 {
				via = "s3.us-east-1.amazonaws.com"
			}
			req := Request{Caller: Caller{ARN: "arn:aws:iam::111122223333:user/bob", Account: "111122223333"}, Action: action,
				Resource: "arn:aws:kms:us-east-1:111122223333:key/k1", ResourceAccount: "111122223333",
				ResourcePolicy: &key, Identity: []Policy{identity},
				Context: map[string][]string{"kms:ViaService": {via}, "aws:SourceIp": {[]string{"10.1.2.3", "192.0.2.1"}[i%2]}}}
			got, err := remembered.Decide(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			want, err := full.Decide(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sortedDecision(got), sortedDecision(want)) {
				t.Fatalf("%s via %s:\nremembered %+v\nfull       %+v", action, via, got, want)
			}
		}
	}
	for _, r := range residuals(remembered) {
		added := r.outcomes.added
		switch {
		case len(r.reads) == 1 && r.reads[0].key == "aws:sourceip" && added != 2:
			t.Errorf("kms:Encrypt's residual evaluated %d times, want once per source IP", added)
		case len(r.reads) == 1 && r.reads[0].key == "kms:viaservice" && added != requests-requests/3:
			t.Errorf("kms:Decrypt's residual evaluated %d times, want once per service", added)
		case len(r.reads) != 1:
			t.Errorf("residual reads %v", r.reads)
		}
	}
}

// residuals returns the engine's residuals.
func residuals(e *Engine) []*residual {
	var out []*residual
	e.known.each(func(kp *knownPart) {
		if kp.residual != nil {
			out = append(out, kp.residual)
		}
	})
	return out
}

// each calls f with every value of the cache, in no particular order.
func (c *lru[V]) each(f func(V)) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for _, el := range s.items {
			f(el.Value.(*entry[V]).value)
		}
		s.mu.Unlock()
	}
}

// TestConcurrentDecisions decides one mix of requests from several goroutines through one
// engine whose caches are small enough to be replaced while in use; every decision agrees with
// full evaluation.
func TestConcurrentDecisions(t *testing.T) {
	key := Policy{Kind: KindKey, Document: []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:dept":"HR"}}}]}`)}
	identity := Policy{Kind: KindIdentity, Document: []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}},
		{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)}
	request := func(i int) Request {
		return Request{Caller: Caller{ARN: fmt.Sprintf("arn:aws:iam::111122223333:user/u%d", i%3), Account: "111122223333"},
			Action: []string{"kms:Encrypt", "kms:Decrypt"}[i%2], Resource: "arn:aws:kms:us-east-1:111122223333:key/k1",
			ResourceAccount: "111122223333", ResourcePolicy: &key, Identity: []Policy{identity},
			Context: map[string][]string{"kms:ViaService": {[]string{"s3.us-east-1.amazonaws.com", fmt.Sprintf("svc%d", i)}[i/2%2]},
				"aws:SourceIp": {[]string{"10.1.2.3", "192.0.2.1"}[i/3%2]}, "kms:EncryptionContext:dept": {[]string{"IT", "HR"}[i/5%2]}},
			Grants: []Grant{{ID: "g", KeyARN: "arn:aws:kms:us-east-1:111122223333:key/k1", Grantee: "arn:aws:iam::111122223333:user/u2",
				Operations: []string{"Decrypt"}, EncryptionContextSubset: map[string]string{"dept": "HR"}}},
			EncryptionContext: map[string]string{"dept": []string{"IT", "HR"}[i/5%2]}}
	}
	const n = 400
	full := NewEngine(WithDecisionMemo(0), WithPartialEvaluation(-1))
	want := make([]Decision, n)
	for i := range want {
		d, err := full.Decide(context.Background(), request(i))
		if err != nil {
			t.Fatal(err)
		}
		want[i] = sortedDecision(d)
	}
	e := NewEngine(WithDecisionMemo(16), WithPartialEvaluation(2), WithCacheSize(4))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for j := range n {
				i := (j + g*n/4) % n
				got, err := e.Decide(context.Background(), request(i))
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(sortedDecision(got), want[i]) {
					t.Errorf("request %d: %+v, want %+v", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
