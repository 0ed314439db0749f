package simulator

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// GetParametersForImportInput is the GetParametersForImport request.
type GetParametersForImportInput struct {
	KeyId             string `json:"KeyId"`
	WrappingAlgorithm string `json:"WrappingAlgorithm"`
	WrappingKeySpec   string `json:"WrappingKeySpec"`
}

// GetParametersForImportOutput is the GetParametersForImport response.
type GetParametersForImportOutput struct {
	KeyId             string    `json:"KeyId"`
	ImportToken       []byte    `json:"ImportToken"`
	PublicKey         []byte    `json:"PublicKey"`
	ParametersValidTo epochTime `json:"ParametersValidTo"`
}

var (
	wrappingAlgorithms = []string{"RSAES_PKCS1_V1_5", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE"}
	wrappingKeySpecs   = []string{"RSA_2048", "RSA_3072", "RSA_4096", "SM2"}
)

func (s *Server) getParametersForImport(ctx context.Context, c *call, in *GetParametersForImportInput) (*GetParametersForImportOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("wrappingAlgorithm", in.WrappingAlgorithm != "")
	v.enum("wrappingAlgorithm", in.WrappingAlgorithm, wrappingAlgorithms)
	v.required("wrappingKeySpec", in.WrappingKeySpec != "")
	v.enum("wrappingKeySpec", in.WrappingKeySpec, wrappingKeySpecs)
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	extra := map[string][]string{"kms:WrappingAlgorithm": {in.WrappingAlgorithm}, "kms:WrappingKeySpec": {in.WrappingKeySpec}}
	if err := s.authorize(ctx, c, "kms:GetParametersForImport", ref, extra); err != nil {
		return nil, err
	}
	if err := checkKeyState(c.op, k); err != nil {
		return nil, err
	}
	if k.Origin != "EXTERNAL" {
		return nil, apiError("UnsupportedOperationException", "%s origin is %s which is not valid for this operation.", k.ARN(), k.Origin)
	}
	sm2 := in.WrappingKeySpec == "SM2"
	if sm2 != (in.WrappingAlgorithm == "SM2PKE") {
		return nil, errValidation("Wrapping algorithm %s is not compatible with wrapping key spec %s.", in.WrappingAlgorithm, in.WrappingKeySpec)
	}
	if sm2 {
		if err := checkSM2Region(c.region, "SM2"); err != nil {
			return nil, err
		}
	}
	if strings.HasPrefix(in.WrappingAlgorithm, "RSA_AES_KEY_WRAP") && partition(c.region) == "aws-cn" {
		return nil, errValidation("Wrapping algorithm %s is not supported in this region.", in.WrappingAlgorithm)
	}
	if in.WrappingAlgorithm == "RSAES_PKCS1_V1_5" {
		return nil, errValidation("The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported.")
	}
	private, err := keyspec.Generate(keyspec.Spec(in.WrappingKeySpec))
	if err != nil {
		return nil, err
	}
	public, err := keyspec.PublicKey(keyspec.Spec(in.WrappingKeySpec), private)
	if err != nil {
		return nil, err
	}
	token := randomBytes(64)
	p := &importParams{Token: base64.StdEncoding.EncodeToString(token), KeyID: k.ID, Region: k.Region, WrappingAlgorithm: in.WrappingAlgorithm,
		WrappingKeySpec: in.WrappingKeySpec, WrappingKey: s.seal.seal(private), ValidTo: c.time.Add(importTokenLifetime)}
	s.state.mu.Lock()
	err = s.state.commit(journalEntry{Import: p})
	s.state.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return &GetParametersForImportOutput{KeyId: k.ARN(), ImportToken: token, PublicKey: public, ParametersValidTo: epochTime(p.ValidTo)}, nil
}
