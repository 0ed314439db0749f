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
