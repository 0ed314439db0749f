package evaluator

import (
	"context"
	"os"
	"testing"
)

// benchRequest is a key user's kms:Decrypt against the console default key policy plus three
// identity policies.
func benchRequest(b *testing.B) Request {
	key, err := os.ReadFile("testdata/policies/console_default.json")
	if err != nil {
		b.Fatal(err)
	}
	p := PrincipalFromARN("arn:aws:sts::111122223333:assumed-role/ExampleUserRole/app")
	p.IdentityPolicies = []Policy{
		{ID: "p1", Kind: KindIdentity, Document: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket/*"}]}`)},
		{ID: "p2", Kind: KindIdentity, Document: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:*:111122223333:key/*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}`)},
		{ID: "p3", Kind: KindIdentity, Document: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"},{"Effect":"Allow","Action":["kms:Describe*","kms:List*"],"Resource":"*"}]}`)},
	}
	return Request{
		Principal:      p,
		Action:         "kms:Decrypt",
		Resource:       "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		ResourcePolicy: &Policy{ID: "key/1234abcd", Kind: KindKey, Document: key},
		Context:        map[string][]string{"kms:EncryptionContext:Department": {"IT"}, "kms:ViaService": {"s3.us-east-1.amazonaws.com"}},
	}
}

// BenchmarkDecide decides benchRequest from one goroutine; the policies are compiled once,
// before the timer starts.
func BenchmarkDecide(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode.name, func(b *testing.B) {
			req := benchRequest(b)
			e := New(mode.opts...)
			ctx := context.Background()
			if d, err := e.Decide(ctx, req); err != nil || !d.Allowed() {
				b.Fatalf("warm-up: %+v %v", d, err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := e.Decide(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}

// benchModes measure a decision evaluated by OPA every time, and the same request answered from
// the decision memo (as repeated calls within a second are).
var benchModes = []struct {
	name string
	opts []Option
}{
	{"evaluated", []Option{WithDecisionMemo(0)}},
	{"remembered", nil},
}

// BenchmarkDecideParallel decides benchRequest from GOMAXPROCS goroutines sharing one Evaluator.
func BenchmarkDecideParallel(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode.name, func(b *testing.B) {
			req := benchRequest(b)
			e := New(mode.opts...)
			ctx := context.Background()
			if d, err := e.Decide(ctx, req); err != nil || !d.Allowed() {
				b.Fatalf("warm-up: %+v %v", d, err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := e.Decide(ctx, req); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}
