package simulator

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// BenchmarkEncrypt measures the whole round trip of Encrypt through the real SDK client: HTTP,
// SigV4 signing and verification, OPA authorization, AES-GCM and the trail write, with 1 and 8
// concurrent clients. The req/s metric is the figure to compare.
func BenchmarkEncrypt(b *testing.B) {
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			h := newHarness(b)
			cs := make([]*kms.Client, clients)
			for i := range cs {
				cs[i] = h.kms(adminCreds)
			}
			in := &kms.EncryptInput{KeyId: aws.String("alias/app-data"), Plaintext: make([]byte, 256), EncryptionContext: map[string]string{"app": "bench"}}
			if _, err := cs[0].Encrypt(ctx, in); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			per := (b.N + clients - 1) / clients
			for _, c := range cs {
				wg.Add(1)
				go func(c *kms.Client) {
					defer wg.Done()
					for i := 0; i < per; i++ {
						if _, err := c.Encrypt(ctx, in); err != nil {
							b.Error(err)
							return
						}
					}
				}(c)
			}
			wg.Wait()
			b.ReportMetric(float64(per*clients)/time.Since(start).Seconds(), "req/s")
		})
	}
}
