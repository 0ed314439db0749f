package simulator

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
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

// BenchmarkSign measures Sign through the real SDK client (HTTP, SigV4, authorization, the
// signature and the trail write) for an ECDSA P-256 and an RSA-2048 key.
func BenchmarkSign(b *testing.B) {
	for _, c := range []struct {
		name string
		spec types.KeySpec
		alg  types.SigningAlgorithmSpec
	}{
		{"P-256", types.KeySpecEccNistP256, types.SigningAlgorithmSpecEcdsaSha256},
		{"RSA-2048", types.KeySpecRsa2048, types.SigningAlgorithmSpecRsassaPssSha256},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := newHarness(b)
			client := h.kms(adminCreds)
			key, err := client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: c.spec, KeyUsage: types.KeyUsageTypeSignVerify})
			if err != nil {
				b.Fatal(err)
			}
			in := &kms.SignInput{KeyId: key.KeyMetadata.KeyId, Message: make([]byte, 256), SigningAlgorithm: c.alg}
			for b.Loop() {
				if _, err := client.Sign(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGenerateMac measures GenerateMac through the real SDK client with an HMAC_256 key.
func BenchmarkGenerateMac(b *testing.B) {
	h := newHarness(b)
	client := h.kms(adminCreds)
	key, err := client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	if err != nil {
		b.Fatal(err)
	}
	in := &kms.GenerateMacInput{KeyId: key.KeyMetadata.KeyId, Message: make([]byte, 256), MacAlgorithm: types.MacAlgorithmSpecHmacSha256}
	for b.Loop() {
		if _, err := client.GenerateMac(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
