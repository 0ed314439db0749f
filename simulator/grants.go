package simulator

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/kmsim/kmsim/evaluator"
)

// grantRecord is one grant on a key, as the simulator keeps it.
type grantRecord struct {
	ID                      string            `json:"id"`
	Name                    string            `json:"name,omitempty"`
	KeyID                   string            `json:"keyId"`
	KeyARN                  string            `json:"keyArn"`
	IssuingAccount          string            `json:"issuingAccount"`
	GranteePrincipal        string            `json:"granteePrincipal"`
	RetiringPrincipal       string            `json:"retiringPrincipal,omitempty"`
	Operations              []string          `json:"operations"`
	EncryptionContextEquals map[string]string `json:"encryptionContextEquals,omitempty"`
	EncryptionContextSubset map[string]string `json:"encryptionContextSubset,omitempty"`
	CreationDate            time.Time         `json:"creationDate"`
	// Tokens are the grant tokens CreateGrant returned for this grant.
	Tokens []string `json:"tokens"`
}

func (g *grantRecord) evaluatorGrant() evaluator.Grant {
	return evaluator.Grant{ID: g.ID, Name: g.Name, KeyARN: g.KeyARN, GranteePrincipal: g.GranteePrincipal,
		RetiringPrincipal: g.RetiringPrincipal, Operations: g.Operations,
		EncryptionContextEquals: g.EncryptionContextEquals, EncryptionContextSubset: g.EncryptionContextSubset}
}

// Grant quotas (resource quotas of the guide).
const (
	maxGrantsPerKey           = 50000
	maxGrantsPerGranteePerKey = 500
	grantTokenPrefix          = "AQpAM2"
)

// grantOperations are the operations a grant may allow, by key usage.
var grantOperations = map[string][]string{
	"ENCRYPT_DECRYPT":         {"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "CreateGrant", "RetireGrant", "DescribeKey", "GetPublicKey"},
	"SIGN_VERIFY":             {"Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey"},
	"GENERATE_VERIFY_MAC":     {"GenerateMac", "VerifyMac", "CreateGrant", "RetireGrant", "DescribeKey"},
	"KEY_AGREEMENT":           {"DeriveSharedSecret", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey"},
	"ENCAPSULATE_DECAPSULATE": {"Decapsulate", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey"},
}

// allGrantOperations is the GrantOperation enum of the service model.
var allGrantOperations = []string{"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
	"Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey", "GenerateDataKeyPair",
	"GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac", "DeriveSharedSecret", "Decapsulate"}

func newGrantID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newGrantToken() string {
	b := make([]byte, 96)
	rand.Read(b)
	return grantTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// grantsOf lists a key's grants sorted by creation then id. Callers hold the state lock.
func (st *state) grantsOf(k *keyRecord) []*grantRecord {
	var out []*grantRecord
	arn := k.ARN()
	for _, g := range st.grants {
		if g.KeyARN == arn {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreationDate.Equal(out[j].CreationDate) {
			return out[i].CreationDate.Before(out[j].CreationDate)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// grantByToken finds the grant a token was issued for. Callers hold the state lock.
func (st *state) grantByToken(token string) *grantRecord {
	for _, g := range st.grants {
		for _, t := range g.Tokens {
			if t == token {
				return g
			}
		}
	}
	return nil
}

// checkGrantTokens rejects a request whose GrantTokens member holds a token kmsim never
// issued. Valid tokens need no further handling: grants take effect at once in the simulator.
// It reads the raw body, so every operation that takes grant tokens is covered in one place.
func checkGrantTokens(body []byte) error {
	if !bytes.Contains(body, []byte(`"GrantTokens"`)) {
		return nil
	}
	var in struct{ GrantTokens []string }
	if json.Unmarshal(body, &in) != nil {
		return nil
	}
	if len(in.GrantTokens) > 10 {
		return nil // the operation's validation reports too many tokens first
	}
	for _, t := range in.GrantTokens {
		if t == "" || len(t) > 8192 {
			return nil // and tokens of a length the model refuses
		}
	}
	for _, t := range in.GrantTokens {
		if !strings.HasPrefix(t, grantTokenPrefix) {
			return apiError("InvalidGrantTokenException", "Invalid grant token.")
		}
	}
	return nil
}

// grantsOn returns the grants on k as the evaluator takes them.
func (s *Server) grantsOn(k *keyRecord) []evaluator.Grant {
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	var grants []evaluator.Grant
	for _, g := range s.state.grantsOf(k) {
		grants = append(grants, g.evaluatorGrant())
	}
	return grants
}
