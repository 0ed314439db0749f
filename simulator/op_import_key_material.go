package simulator

import (
	"context"
	"encoding/base64"
	"time"

	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// ImportKeyMaterialInput is the ImportKeyMaterial request.
type ImportKeyMaterialInput struct {
	KeyId                  string     `json:"KeyId"`
	ImportToken            []byte     `json:"ImportToken"`
	EncryptedKeyMaterial   []byte     `json:"EncryptedKeyMaterial"`
	ValidTo                *epochTime `json:"ValidTo,omitempty"`
	ExpirationModel        string     `json:"ExpirationModel,omitempty"`
	ImportType             string     `json:"ImportType,omitempty"`
	KeyMaterialDescription string     `json:"KeyMaterialDescription,omitempty"`
	KeyMaterialId          string     `json:"KeyMaterialId,omitempty"`
}

// ImportKeyMaterialOutput is the ImportKeyMaterial response.
type ImportKeyMaterialOutput struct {
	KeyId         string `json:"KeyId"`
	KeyMaterialId string `json:"KeyMaterialId,omitempty"`
}

// Import types of ImportKeyMaterial.
const (
	importNew      = "NEW_KEY_MATERIAL"
	importExisting = "EXISTING_KEY_MATERIAL"
)

// Patterns of the model's key material members.
const (
	materialIDPattern          = `^[a-f0-9]+$`
	materialDescriptionPattern = `^[a-zA-Z0-9:/_\s.-]+$`
)

func (s *Server) importKeyMaterial(ctx context.Context, c *call, in *ImportKeyMaterialInput) (*ImportKeyMaterialOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("importToken", in.ImportToken != nil)
	v.blobLength("importToken", len(in.ImportToken), 1, 6144)
	v.required("encryptedKeyMaterial", in.EncryptedKeyMaterial != nil)
	v.blobLength("encryptedKeyMaterial", len(in.EncryptedKeyMaterial), 1, 6144)
	v.enum("expirationModel", in.ExpirationModel, []string{materialExpires, materialDoesNotExpire})
	v.enum("importType", in.ImportType, []string{importNew, importExisting})
	v.length("keyMaterialDescription", in.KeyMaterialDescription, 0, 256, false)
	v.pattern("keyMaterialDescription", in.KeyMaterialDescription, materialDescriptionPattern)
	if in.KeyMaterialId != "" {
		v.length("keyMaterialId", in.KeyMaterialId, 64, 64, false)
		v.pattern("keyMaterialId", in.KeyMaterialId, materialIDPattern)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	in.ExpirationModel = orDefault(in.ExpirationModel, materialExpires)
	if in.ExpirationModel == materialExpires && in.ValidTo == nil {
		return nil, errValidation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
	}
	if in.ExpirationModel == materialDoesNotExpire && in.ValidTo != nil {
		return nil, errValidation("A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE")
	}
	if in.ImportType == importNew && in.KeyMaterialId != "" {
		return nil, errValidation("You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL.")
	}
	if in.ValidTo != nil {
		c.params = map[string]any{"validTo": trailDate(time.Time(*in.ValidTo))}
	}
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	k := ref.key
	c.resources = []trail.Resource{keyResource(k)}
	extra := map[string][]string{"kms:ExpirationModel": {in.ExpirationModel}}
	if in.ValidTo != nil {
		extra["kms:ValidTo"] = []string{itoa(time.Time(*in.ValidTo).Unix())}
	}
	if err := s.authorize(ctx, c, "kms:ImportKeyMaterial", ref, extra); err != nil {
		return nil, err
	}
	if err := checkKeyState(c.op, k); err != nil {
		return nil, err
	}
	if k.Origin != "EXTERNAL" {
		return nil, apiError("UnsupportedOperationException", "%s origin is %s which is not valid for this operation.", k.ARN(), k.Origin)
	}
	symmetric := k.Spec == string(keyspec.SymmetricDefault)
	if !symmetric && (in.ImportType != "" || in.KeyMaterialId != "" || in.KeyMaterialDescription != "") {
		return nil, errValidation("ImportType, KeyMaterialId and KeyMaterialDescription are supported only for symmetric encryption KMS keys.")
	}
	if in.ValidTo != nil {
		if vt := time.Time(*in.ValidTo); !vt.After(c.time) || vt.After(c.time.AddDate(0, 0, 365)) {
			return nil, errValidation("ValidTo must be a time in the future, no more than 365 days from now.")
		}
	}
	token := base64.StdEncoding.EncodeToString(in.ImportToken)
	s.state.mu.RLock()
	params, found := s.state.imports[token]
	s.state.mu.RUnlock()
	if !found || params.KeyID != k.ID || params.Region != k.Region {
		return nil, apiError("InvalidImportTokenException", "The import token is invalid for the specified KMS key.")
	}
	if !c.time.Before(params.ValidTo) {
		return nil, apiError("ExpiredImportTokenException", "The import token has expired. Call GetParametersForImport to get a new one.")
	}
	wrapped, err := s.unwrapImported(params, in.EncryptedKeyMaterial)
	if err != nil {
		return nil, err
	}
	material, err := keyspec.ImportMaterial(keyspec.Spec(k.Spec), wrapped)
	if err != nil {
		return nil, cryptoError(err)
	}
	id := materialID(k.ID, material)
	rec := importRecord{ExpirationModel: in.ExpirationModel, Description: in.KeyMaterialDescription}
	if in.ValidTo != nil {
		rec.ValidTo = time.Time(*in.ValidTo).UTC()
	}
	imp := &materialImport{id: id, sealed: s.seal.seal(material), rec: rec, importType: in.ImportType, wantID: in.KeyMaterialId}
	k, err = s.mutateKey(k, func(k *keyRecord) error {
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		if err := s.completeImports(k); err != nil {
			return err
		}
		return s.state.importMaterial(k, imp)
	})
	if err != nil {
		return nil, err
	}
	s.state.mu.Lock()
	err = s.state.commit(journalEntry{DeleteImport: token})
	s.state.mu.Unlock()
	if err != nil {
		return nil, err
	}
	c.response = keyIDResponse(k)
	out := &ImportKeyMaterialOutput{KeyId: k.ARN()}
	if symmetric {
		out.KeyMaterialId = id
	}
	return out, nil
}

// unwrapImported decrypts EncryptedKeyMaterial with the wrapping key of an import token.
func (s *Server) unwrapImported(p *importParams, wrapped []byte) ([]byte, error) {
	private, err := s.seal.open(p.WrappingKey)
	if err != nil {
		return nil, err
	}
	spec := keyspec.Spec(p.WrappingKeySpec)
	invalid := apiError("InvalidCiphertextException", "The key material could not be unwrapped with the wrapping key of the import token.")
	switch p.WrappingAlgorithm {
	case "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE":
		material, err := keyspec.Decrypt(spec, private, p.WrappingAlgorithm, wrapped)
		if err != nil {
			return nil, invalid
		}
		return material, nil
	case "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256":
		rsaLen := map[keyspec.Spec]int{"RSA_2048": 256, "RSA_3072": 384, "RSA_4096": 512}[spec]
		if len(wrapped) <= rsaLen {
			return nil, invalid
		}
		oaep := "RSAES_OAEP_SHA_1"
		if p.WrappingAlgorithm == "RSA_AES_KEY_WRAP_SHA_256" {
			oaep = "RSAES_OAEP_SHA_256"
		}
		aesKey, err := keyspec.Decrypt(spec, private, oaep, wrapped[:rsaLen])
		if err != nil {
			return nil, invalid
		}
		material, err := aesKeyUnwrapWithPadding(aesKey, wrapped[rsaLen:])
		if err != nil {
			return nil, invalid
		}
		return material, nil
	}
	return nil, invalid
}
