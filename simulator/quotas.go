package simulator

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"sync"

	"golang.org/x/time/rate"
)

// Request quotas of the AWS KMS Developer Guide (Quotas > Request quotas), enforced when
// Config.Quotas is set. Each quota counts per account and Region, as AWS counts them; a call
// over its quota fails with ThrottlingException, so clients can exercise their retry logic.

// perOperationQuotas are the requests per second of operations with a quota of their own.
var perOperationQuotas = map[string]float64{
	"CancelKeyDeletion": 5, "ConnectCustomKeyStore": 5, "CreateAlias": 5, "CreateCustomKeyStore": 5, "CreateGrant": 50,
	"CreateKey": 5, "DeleteAlias": 15, "DeleteCustomKeyStore": 5, "DeleteImportedKeyMaterial": 5, "DescribeCustomKeyStores": 5,
	"DescribeKey": 2000, "DisableKey": 5, "DisableKeyRotation": 5, "DisconnectCustomKeyStore": 5, "EnableKey": 5,
	"EnableKeyRotation": 15, "GetKeyPolicy": 1000, "GetKeyRotationStatus": 1000, "GetParametersForImport": 0.25,
	"GetPublicKey": 2000, "ImportKeyMaterial": 5, "ListAliases": 500, "ListGrants": 100, "ListKeyPolicies": 100,
	"ListKeys": 500, "ListKeyRotations": 100, "ListResourceTags": 2000, "ListRetirableGrants": 100, "PutKeyPolicy": 15,
	"ReplicateKey": 5, "RetireGrant": 30, "RevokeGrant": 30, "RotateKeyOnDemand": 5, "ScheduleKeyDeletion": 15,
	"TagResource": 10, "UntagResource": 5, "UpdateAlias": 5, "UpdateCustomKeyStore": 5, "UpdateKeyDescription": 5,
	"UpdatePrimaryRegion": 5,
}

// dataKeyPairQuotas are GenerateDataKeyPair(WithoutPlaintext)'s requests per second, per key pair spec.
var dataKeyPairQuotas = map[string]float64{
	"ECC_NIST_P256": 100, "ECC_NIST_P384": 100, "ECC_NIST_P521": 100, "ECC_SECG_P256K1": 100,
	"RSA_2048": 1, "RSA_3072": 0.5, "RSA_4096": 0.1, "SM2": 25,
}

// Shared quotas of cryptographic operations, by the type of key they use.
const (
	rsaCryptoQuota = 500 // Cryptographic operations (RSA) request rate
	eccCryptoQuota = 300 // Cryptographic operations (ECC and SM2) request rate
)

// symmetricCryptoQuota is the Cryptographic operations (symmetric) request rate of a region.
func symmetricCryptoQuota(region string) float64 {
	switch region {
	case "us-east-1", "us-west-2", "eu-west-1":
		return 50000
	case "us-east-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-central-1", "eu-west-2":
		return 10000
	}
	return 5500
}

// throttle holds one token bucket per account, region and quota.
type throttle struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newThrottle() *throttle { return &throttle{buckets: map[string]*rate.Limiter{}} }

// allow takes one request from the bucket of (account, region, quota); false means throttled.
func (t *throttle) allow(account, region, quota string, perSecond float64) bool {
	id := account + "/" + region + "/" + quota
	t.mu.Lock()
	b, ok := t.buckets[id]
	if !ok {
		b = rate.NewLimiter(rate.Limit(perSecond), int(math.Max(1, math.Ceil(perSecond))))
		t.buckets[id] = b
	}
	t.mu.Unlock()
	return b.Allow()
}

// checkQuota throttles c when its operation's quota is exhausted. Cryptographic operations
// share a quota per key type, read from the key the request names.
func (s *Server) checkQuota(c *call, body []byte) error {
	if s.throttle == nil {
		return nil
	}
	quota, perSecond := c.op, perOperationQuotas[c.op]
	switch c.op {
	case "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext":
		var in struct{ KeyPairSpec string }
		json.Unmarshal(body, &in)
		quota, perSecond = "GenerateDataKeyPair/"+in.KeyPairSpec, dataKeyPairQuotas[in.KeyPairSpec]
	case "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "GenerateRandom", "ReEncrypt", "VerifyMac", "Sign", "Verify":
		quota, perSecond = s.cryptoQuota(c, body)
	}
	if perSecond == 0 || s.throttle.allow(c.caller.principal.Account, c.region, quota, perSecond) {
		return nil
	}
	return apiError("ThrottlingException", "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.")
}

// cryptoQuota names the shared cryptographic quota a request counts against.
func (s *Server) cryptoQuota(c *call, body []byte) (string, float64) {
	var in struct{ KeyId, SourceKeyId string }
	if bytes.Contains(body, []byte(`"KeyId"`)) || bytes.Contains(body, []byte(`"SourceKeyId"`)) {
		json.Unmarshal(body, &in)
	}
	spec := "SYMMETRIC_DEFAULT"
	if id := orDefault(in.KeyId, in.SourceKeyId); id != "" {
		if ref, err := s.resolveKey(c, id); err == nil {
			spec = ref.key.Spec
		}
	}
	switch {
	case strings.HasPrefix(spec, "RSA_"):
		return "crypto/RSA", rsaCryptoQuota
	case strings.HasPrefix(spec, "ECC_") || spec == "SM2":
		return "crypto/ECC", eccCryptoQuota
	}
	return "crypto/symmetric", symmetricCryptoQuota(c.region)
}
