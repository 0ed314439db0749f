package simulator

import (
	"context"

	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// SignInput is the Sign request.
type SignInput struct {
	KeyId            string   `json:"KeyId"`
	Message          []byte   `json:"Message"`
	MessageType      string   `json:"MessageType,omitempty"`
	GrantTokens      []string `json:"GrantTokens,omitempty"`
	SigningAlgorithm string   `json:"SigningAlgorithm"`
	DryRun           *bool    `json:"DryRun,omitempty"`
}

// SignOutput is the Sign response.
type SignOutput struct {
	KeyId            string `json:"KeyId"`
	Signature        []byte `json:"Signature"`
	SigningAlgorithm string `json:"SigningAlgorithm"`
}

// The service model's enums for Sign and Verify.
var (
	signingAlgorithms = []string{"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
		"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
		"ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512", "SM2DSA", "ML_DSA_SHAKE_256", "ED25519_SHA_512", "ED25519_PH_SHA_512"}
	messageTypes = []string{"RAW", "DIGEST", "EXTERNAL_MU"}
)

func (s *Server) sign(ctx context.Context, c *call, in *SignInput) (*SignOutput, error) {
	var v validationErrors
	validateSigning(&v, in.KeyId, in.Message, in.MessageType, in.SigningAlgorithm, in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	in.MessageType = orDefault(in.MessageType, keyspec.MessageRaw)
	k, material, err := s.signingKey(ctx, c, "kms:Sign", in.KeyId, in.SigningAlgorithm, in.MessageType)
	if err != nil {
		return nil, err
	}
	sig, err := keyspec.Sign(keyspec.Spec(k.Spec), material, in.SigningAlgorithm, in.MessageType, in.Message)
	if err != nil {
		return nil, cryptoError(err)
	}
	if err := checkDryRun(in.DryRun); err != nil {
		return nil, err
	}
	return &SignOutput{KeyId: k.ARN(), Signature: sig, SigningAlgorithm: in.SigningAlgorithm}, nil
}

// validateSigning applies the model constraints Sign and Verify share.
func validateSigning(v *validationErrors, keyID string, message []byte, messageType, algorithm string, grantTokens []string) {
	v.required("keyId", keyID != "")
	v.length("keyId", keyID, 1, 2048, false)
	v.required("message", message != nil)
	v.blobLength("message", len(message), 1, 4096)
	v.enum("messageType", messageType, messageTypes)
	v.required("signingAlgorithm", algorithm != "")
	v.enum("signingAlgorithm", algorithm, signingAlgorithms)
	validateGrantTokens(v, grantTokens)
}

// signingKey resolves and authorizes the key of a Sign or Verify request, checks its state, usage
// and algorithm, and opens its material.
func (s *Server) signingKey(ctx context.Context, c *call, action, keyID, algorithm, messageType string) (*keyRecord, []byte, error) {
	ref, err := s.resolveKey(c, keyID)
	if err != nil {
		return nil, nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	extra := map[string][]string{"kms:SigningAlgorithm": {algorithm}, "kms:MessageType": {messageType}}
	if err := s.authorize(ctx, c, action, ref, extra); err != nil {
		return nil, nil, err
	}
	if err := requireUsage(c.op, k, keyspec.UsageSignVerify); err != nil {
		return nil, nil, err
	}
	if err := requireAlgorithm(k, algorithm, keyspec.SigningAlgorithms(keyspec.Spec(k.Spec))); err != nil {
		return nil, nil, err
	}
	material, err := s.keyMaterial(k)
	if err != nil {
		return nil, nil, err
	}
	return k, material, nil
}
