package evaluator

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// The typical request of the benchmarks: a role session's KMS call against a key with the
// console default key policy, three identity policies and two grants.
const (
	benchAccount = "111122223333"
	benchRole    = "arn:aws:iam::111122223333:role/ExampleUserRole"
)

var benchIdentity = []Policy{
	{ID: "p1", Kind: KindIdentity, Document: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket/*"}]}`)},
	{ID: "p2", Kind: KindIdentity, Document: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:*:111122223333:key/*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}`)},
	{ID: "p3", Kind: KindIdentity, Document: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:ScheduleKeyDeletion","Resource":"*"},{"Effect":"Allow","Action":["kms:Describe*","kms:List*"],"Resource":"*"}]}`)},
}

// benchWorld holds the keys, principals and actions the request mix draws from.
type benchWorld struct {
	keyPolicy  []byte
	keys       []string
	principals []Principal
	actions    []string
	depts      []string
}

func newBenchWorld(b *testing.B) *benchWorld {
	key, err := os.ReadFile("testdata/policies/console_default.json")
	if err != nil {
		b.Fatal(err)
	}
	w := &benchWorld{keyPolicy: key, actions: []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
		depts: []string{"IT", "Finance", "Sales"}}
	for i := range 8 {
		w.keys = append(w.keys, fmt.Sprintf("arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-%012d", benchAccount, i))
	}
	for i := range 6 {
		p := PrincipalFromARN(fmt.Sprintf("arn:aws:sts::%s:assumed-role/ExampleUserRole/app-%d", benchAccount, i))
		p.IdentityPolicies = benchIdentity
		w.principals = append(w.principals, p)
	}
	return w
}

// request returns the i-th request of the mix: principal, key, action, department and whether
// the call comes through S3 vary with i, and every request carries an encryption context entry
// of its own (as a per-object context does), so no two requests are equal in every fact.
func (w *benchWorld) request(i int) Request {
	key := w.keys[i%len(w.keys)]
	dept := w.depts[(i/7)%len(w.depts)]
	ctx := map[string][]string{
		"kms:EncryptionContext:Department": {dept},
		"kms:EncryptionContext:ObjectId":   {strconv.Itoa(i)},
	}
	if i%2 == 0 {
		ctx["kms:ViaService"] = []string{"s3.us-east-1.amazonaws.com"}
	}
	return Request{
		Principal:      w.principals[(i/3)%len(w.principals)],
		Action:         w.actions[(i/5)%len(w.actions)],
		Resource:       key,
		ResourcePolicy: &Policy{ID: "key/" + key[len(key)-36:], Kind: KindKey, Document: w.keyPolicy},
		Context:        ctx,
		Grants: []Grant{
			{ID: "g-lambda", KeyARN: key, GranteePrincipal: "arn:aws:iam::111122223333:role/ExampleLambdaRole",
				Operations: []string{"Decrypt"}, EncryptionContextSubset: map[string]string{"Department": "IT"}},
			{ID: "g-user", KeyARN: key, GranteePrincipal: benchRole,
				Operations: []string{"Encrypt", "GenerateDataKey"}, EncryptionContextSubset: map[string]string{"Department": "Finance"}},
		},
	}
}

// benchRequest is the mix's first request: a key user's kms:Decrypt through S3.
func benchRequest(b *testing.B) Request { return newBenchWorld(b).request(0) }

// benchMode is one way of drawing the requests of a benchmark.
type benchMode struct {
	name string
	opts []Option
	// next returns the i-th request.
	next func(w *benchWorld, i int) Request
}

// benchModes measure:
//   - evaluated: the mix with the decision memo and partial evaluation off, so OPA evaluates
//     every decision in full;
//   - residual: the mix with the decision memo off, so OPA evaluates every decision's residual
//     conditions (see rego.Engine.Decide);
//   - repeated: one request over and over (answered from the memo);
//   - mix: the mix with the defaults: requests differ (encryption context, clock), but most
//     repeat every fact the policies read;
//   - distinct: the mix where every request also differs in a fact a policy reads
//     (kms:ViaService), so none repeats; the residuals of the actions the policy that reads it
//     does not allow no longer read it, and answer from their outcomes;
//   - distinct-read: distinct, all kms:Decrypt, whose residual reads kms:ViaService: every
//     request evaluates its residual conditions;
//   - new-caller: the mix where every request comes from a session never seen, so each is
//     specialised (partially evaluated) first: the cost of a caller's first decision.
var benchModes = []benchMode{
	{"evaluated", []Option{WithDecisionMemo(0), WithPartialEvaluation(-1)}, (*benchWorld).request},
	{"residual", []Option{WithDecisionMemo(0)}, (*benchWorld).request},
	{"repeated", nil, func(w *benchWorld, _ int) Request { return w.request(0) }},
	{"mix", nil, (*benchWorld).request},
	{"distinct", nil, func(w *benchWorld, i int) Request {
		r := w.request(i)
		r.Context["kms:ViaService"] = []string{"svc" + strconv.Itoa(i) + ".us-east-1.amazonaws.com"}
		return r
	}},
	{"distinct-read", nil, func(w *benchWorld, i int) Request {
		r := w.request(i)
		r.Action = "kms:Decrypt"
		r.Context["kms:ViaService"] = []string{"svc" + strconv.Itoa(i) + ".us-east-1.amazonaws.com"}
		return r
	}},
	{"new-caller", nil, func(w *benchWorld, i int) Request {
		r := w.request(i)
		r.Principal = PrincipalFromARN(fmt.Sprintf("arn:aws:sts::%s:assumed-role/ExampleUserRole/new-%d", benchAccount, i))
		r.Principal.IdentityPolicies = benchIdentity
		return r
	}},
}

// benchClock advances one second every 1,000 calls, as a server's clock does under load.
func benchClock() func() time.Time {
	var n atomic.Int64
	start := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time { return start.Add(time.Duration(n.Add(1)/1000) * time.Second) }
}

// benchRing is how many requests a benchmark draws before it starts again: more than the
// decision memo holds, so the distinct requests never repeat a remembered one.
const benchRing = 2 * 4096

// ring builds the requests of a benchmark, past the warm-up's.
func ring(w *benchWorld, mode benchMode) []Request {
	reqs := make([]Request, benchRing)
	for i := range reqs {
		reqs[i] = mode.next(w, warmRequests*64+i)
	}
	return reqs
}

// BenchmarkDecide decides requests from one goroutine. Policies are compiled, the memo and
// residuals filled with one period of the mix, and the requests built before the timer starts.
func BenchmarkDecide(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode.name, func(b *testing.B) {
			w := newBenchWorld(b)
			e := New(append([]Option{WithNow(benchClock())}, mode.opts...)...)
			ctx := context.Background()
			warm(b, e, w, mode)
			reqs := ring(w, mode)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			i := 0
			for b.Loop() {
				i++
				if _, err := e.Decide(ctx, reqs[i%len(reqs)]); err != nil {
					b.Fatal(err)
				}
			}
			report(b, cpu)
		})
	}
}

// report adds decisions/s (by the wall clock) and the process's CPU time per decision, which
// other processes on the machine do not inflate (GC included).
func report(b *testing.B, cpuAtStart time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	if cpu := processCPU() - cpuAtStart; cpuAtStart > 0 && cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// warmRequests is the period of the mix's relevant facts (key, principal, action, department,
// via S3): after as many requests, every combination has been decided once.
const warmRequests = 2520

// warm decides one period of the mix, checking the first request is allowed.
func warm(b *testing.B, e *Evaluator, w *benchWorld, mode benchMode) {
	for i := range warmRequests {
		d, err := e.Decide(context.Background(), mode.next(w, i))
		if err != nil || (i == 0 && !d.Allowed()) {
			b.Fatalf("warm-up: %+v %v", d, err)
		}
	}
}

// BenchmarkDecideParallel decides requests from GOMAXPROCS goroutines sharing one Evaluator.
func BenchmarkDecideParallel(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode.name, func(b *testing.B) {
			w := newBenchWorld(b)
			e := New(append([]Option{WithNow(benchClock())}, mode.opts...)...)
			ctx := context.Background()
			warm(b, e, w, mode)
			reqs := ring(w, mode)
			var seq atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := e.Decide(ctx, reqs[int(seq.Add(1))%len(reqs)]); err != nil {
						b.Error(err)
						return
					}
				}
			})
			report(b, cpu)
		})
	}
}
