package analysis

import (
	"context"
	"fmt"
	"testing"

	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
)

// generatedWorld is the demo world with n more users in 10 groups of identity policies and n/10
// more roles.
func generatedWorld(n int) *fixtures.World {
	w := fixtures.MustLoad("demo")
	for i := 0; i < n; i++ {
		doc, _ := fixtures.NewDocument(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:team":"t%d"}}}]}`, i%10))
		w.Users = append(w.Users, fixtures.User{Account: "111122223333", Name: fmt.Sprintf("gen-%05d", i), Path: "/",
			InlinePolicies: []fixtures.InlinePolicy{{Name: "use", Document: doc}}})
	}
	return w
}

func BenchmarkWhoCan(b *testing.B) {
	w := generatedWorld(10000)
	k, _ := worldview.FindKey(w, "alias/app-data", "", "")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		acc, err := New(w).WhoCan(context.Background(), Query{Action: "kms:Decrypt", Key: k})
		if err != nil || len(acc) < 10000 {
			b.Fatal(err, len(acc))
		}
	}
}

// generatedKeys adds n keys to w, their policies drawn from ten shapes: the account delegating to
// IAM, a named user allowed directly, an encryption-context condition, a via-service condition.
func generatedKeys(w *fixtures.World, n int) {
	for i := 0; i < n; i++ {
		shape := i % 10
		doc, _ := fixtures.NewDocument(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
{"Sid":"EnableIAM","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
{"Sid":"User","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/gen-%05d"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*",
 "Condition":{"StringEquals":{"kms:EncryptionContext:shape":"s%d"}}},
{"Sid":"ViaS3","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*",
 "Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}`, shape, shape))
		w.Keys = append(w.Keys, fixtures.Key{Account: "111122223333", Region: "us-east-1", ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), Policy: doc})
	}
	w.ApplyDefaults()
}

// BenchmarkWhoCanEveryKey answers who can decrypt every key of a world of 1,000 keys and
// 10,000 generated principals (one analyzer, as the TUI and `kmsim can` keep one).
func BenchmarkWhoCanEveryKey(b *testing.B) {
	w := generatedWorld(10000)
	generatedKeys(w, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := New(w)
		pairs := 0
		for k := range w.Keys {
			acc, err := a.WhoCan(context.Background(), Query{Action: "kms:Decrypt", Key: &w.Keys[k], All: true})
			if err != nil {
				b.Fatal(err)
			}
			pairs += len(acc)
		}
		if pairs < 1000*10000 {
			b.Fatal(pairs)
		}
	}
}
