package simulator

import (
	"context"
	"time"
)

// KeyLastUsageData is the last successful cryptographic use of a key.
type KeyLastUsageData struct {
	CloudTrailEventId string    `json:"CloudTrailEventId"`
	KmsRequestId      string    `json:"KmsRequestId,omitempty"`
	Operation         string    `json:"Operation"`
	Timestamp         epochTime `json:"Timestamp"`
}

// GetKeyLastUsageOutput is the GetKeyLastUsage response.
type GetKeyLastUsageOutput struct {
	KeyCreationDate   epochTime         `json:"KeyCreationDate"`
	KeyId             string            `json:"KeyId"`
	KeyLastUsage      *KeyLastUsageData `json:"KeyLastUsage,omitempty"`
	TrackingStartDate epochTime         `json:"TrackingStartDate"`
}

// trackedOperations are the cryptographic operations GetKeyLastUsage reports.
var trackedOperations = []string{"Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
	"GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt", "Sign",
	"Verify", "VerifyMac", "Encapsulate", "Decapsulate"}

// getKeyLastUsage answers from the trail: the newest successful cryptographic call on the key.
func (s *Server) getKeyLastUsage(ctx context.Context, c *call, in *KeyIdInput) (*GetKeyLastUsageOutput, error) {
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:GetKeyLastUsage")
	if err != nil {
		return nil, err
	}
	k := ref.key
	if k.Account != c.caller.principal.Account {
		return nil, errNotFound("Key '%s' does not exist", k.ARN())
	}
	s.state.mu.RLock()
	tracking := s.state.trackingStart
	s.state.mu.RUnlock()
	if k.CreationDate.After(tracking) {
		tracking = k.CreationDate
	}
	out := &GetKeyLastUsageOutput{KeyCreationDate: epochTime(k.CreationDate), KeyId: k.ARN(), TrackingStartDate: epochTime(tracking)}
	if s.cfg.LastUse == nil {
		return out, nil
	}
	use, err := s.cfg.LastUse(ctx, k.ARN(), trackedOperations)
	if err != nil {
		return nil, err
	}
	if use != nil && !use.Time.Before(tracking.Truncate(time.Second)) {
		out.KeyLastUsage = &KeyLastUsageData{CloudTrailEventId: use.EventID, KmsRequestId: use.RequestID, Operation: use.Operation, Timestamp: epochTime(use.Time)}
	}
	return out, nil
}
