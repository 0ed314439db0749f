package simulator

import (
	"context"

	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// GetPublicKeyInput is the GetPublicKey request.
type GetPublicKeyInput struct {
	KeyId       string   `json:"KeyId"`
	GrantTokens []string `json:"GrantTokens,omitempty"`
}

// GetPublicKeyOutput is the GetPublicKey response: the DER SubjectPublicKeyInfo and what the key may do.
type GetPublicKeyOutput struct {
	KeyId                 string `json:"KeyId"`
	PublicKey             []byte `json:"PublicKey"`
	CustomerMasterKeySpec string `json:"CustomerMasterKeySpec,omitempty"`
	KeySpec               string `json:"KeySpec"`
	KeyUsage              string `json:"KeyUsage"`
	algorithmLists
}

func (s *Server) getPublicKey(ctx context.Context, c *call, in *GetPublicKeyInput) (*GetPublicKeyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	validateGrantTokens(&v, in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	if err := s.authorize(ctx, c, "kms:GetPublicKey", ref, nil); err != nil {
		return nil, err
	}
	if err := checkKeyState(c.op, k); err != nil {
		return nil, err
	}
	material, err := s.keyMaterial(k)
	if err != nil {
		return nil, err
	}
	pub, err := keyspec.PublicKey(keyspec.Spec(k.Spec), material)
	if err != nil {
		return nil, cryptoError(err)
	}
	return &GetPublicKeyOutput{KeyId: k.ARN(), PublicKey: pub, CustomerMasterKeySpec: customerMasterKeySpec(k.Spec),
		KeySpec: k.Spec, KeyUsage: k.Usage, algorithmLists: keyAlgorithms(k)}, nil
}
