package simulator

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// TestQuotas: with quotas on, a burst of CreateKey calls (5 per second) is throttled and the
// throttled calls are in the trail; DescribeKey (2,000 per second) is not affected.
func TestQuotas(t *testing.T) {
	h := newHarnessWith(t, t.TempDir(), func(c *Config) { c.Quotas = true })
	c := h.kms(adminCreds)
	// 30 calls take far less than the 6 seconds in which the bucket would refill that many.
	var ok, throttled int
	for i := 0; i < 30; i++ {
		_, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
		if err == nil {
			ok++
			continue
		}
		if msg := wantErrorCode(t, err, "ThrottlingException"); msg != "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls." {
			t.Fatalf("message %q", msg)
		}
		throttled++
	}
	if ok < 5 || throttled == 0 {
		t.Fatalf("%d created, %d throttled", ok, throttled)
	}
	for i := 0; i < 20; i++ {
		if _, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(appDataKey)}); err != nil {
			t.Fatalf("DescribeKey %d: %v", i, err)
		}
	}
	var recorded int
	for _, r := range h.records() {
		if r.ErrorCode == "ThrottlingException" {
			recorded++
		}
	}
	if recorded != throttled {
		t.Fatalf("%d throttled calls, %d in the trail", throttled, recorded)
	}
	// Off by default.
	plain := newHarness(t).kms(adminCreds)
	for i := 0; i < 12; i++ {
		if _, err := plain.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
			t.Fatalf("without quotas: %v", err)
		}
	}
}
