package simulator

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/simulator/keyspec"
	"github.com/kmsim/kmsim/trail"
)

// Tag is a key tag on the wire.
type Tag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// CreateKeyInput is the CreateKey request.
type CreateKeyInput struct {
	Policy                         *string `json:"Policy,omitempty"`
	Description                    string  `json:"Description" trail:"always"`
	KeyUsage                       string  `json:"KeyUsage,omitempty"`
	CustomerMasterKeySpec          string  `json:"CustomerMasterKeySpec,omitempty"`
	KeySpec                        string  `json:"KeySpec,omitempty"`
	Origin                         string  `json:"Origin,omitempty"`
	CustomKeyStoreId               string  `json:"CustomKeyStoreId,omitempty"`
	BypassPolicyLockoutSafetyCheck bool    `json:"BypassPolicyLockoutSafetyCheck" trail:"always"`
	Tags                           []Tag   `json:"Tags,omitempty"`
	MultiRegion                    *bool   `json:"MultiRegion,omitempty"`
	XksKeyId                       string  `json:"XksKeyId,omitempty"`
}

// CreateKeyOutput is the CreateKey response.
type CreateKeyOutput struct {
	KeyMetadata *KeyMetadata `json:"KeyMetadata"`
}

var (
	keySpecs = []string{"RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
		"ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
		"ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"}
	keyUsages = []string{"SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT", "ENCAPSULATE_DECAPSULATE"}
	origins   = []string{"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"}
)

func (s *Server) createKey(ctx context.Context, c *call, in *CreateKeyInput) (*CreateKeyOutput, error) {
	var v validationErrors
	if in.Policy != nil {
		validatePolicy(&v, *in.Policy)
	}
	v.length("description", in.Description, 0, 8192, false)
	v.enum("keyUsage", in.KeyUsage, keyUsages)
	v.enum("keySpec", in.KeySpec, keySpecs)
	v.enum("customerMasterKeySpec", in.CustomerMasterKeySpec, customerMasterKeySpecs)
	v.enum("origin", in.Origin, origins)
	v.length("customKeyStoreId", in.CustomKeyStoreId, 0, 64, false)
	v.length("xksKeyId", in.XksKeyId, 0, 128, false)
	v.pattern("xksKeyId", in.XksKeyId, `^[a-zA-Z0-9-_.]+$`)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.Policy != nil {
		if err := checkPolicySize(*in.Policy); err != nil {
			return nil, err
		}
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	if in.KeySpec != "" && in.CustomerMasterKeySpec != "" {
		return nil, errValidation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated. Use KeySpec parameter instead.")
	}
	in.KeySpec = orDefault(orDefault(in.KeySpec, in.CustomerMasterKeySpec), "SYMMETRIC_DEFAULT")
	in.CustomerMasterKeySpec = customerMasterKeySpec(in.KeySpec)
	if in.KeyUsage == "" && in.KeySpec != "SYMMETRIC_DEFAULT" {
		return nil, errValidation("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
	}
	in.KeyUsage = orDefault(in.KeyUsage, "ENCRYPT_DECRYPT")
	in.Origin = orDefault(in.Origin, "AWS_KMS")
	if !slices.Contains(keyspec.Usages(keyspec.Spec(in.KeySpec)), in.KeyUsage) {
		return nil, errValidation("KeyUsage %s is not compatible with KeySpec %s", in.KeyUsage, in.KeySpec)
	}
	if err := checkSM2Region(c.region, in.KeySpec); err != nil {
		return nil, err
	}
	account := c.caller.principal.Account
	extra := map[string][]string{
		"kms:KeySpec":                        {in.KeySpec},
		"kms:KeyUsage":                       {in.KeyUsage},
		"kms:KeyOrigin":                      {in.Origin},
		"kms:MultiRegion":                    {boolString(in.MultiRegion != nil && *in.MultiRegion)},
		"kms:BypassPolicyLockoutSafetyCheck": {boolString(in.BypassPolicyLockoutSafetyCheck)},
	}
	for _, t := range in.Tags {
		extra["aws:RequestTag/"+t.TagKey] = []string{t.TagValue}
		extra["aws:TagKeys"] = append(extra["aws:TagKeys"], t.TagKey)
	}
	if err := s.authorize(ctx, c, "kms:CreateKey", nil, extra); err != nil {
		return nil, err
	}
	if in.Origin == "EXTERNAL" && !keyspec.Importable(keyspec.Spec(in.KeySpec)) {
		return nil, apiError("UnsupportedOperationException", "KeySpec %s is not supported for KMS keys with imported key material (Origin EXTERNAL).", in.KeySpec)
	}
	store, err := s.storeForNewKey(c, in)
	if err != nil {
		return nil, err
	}
	id := uuid.NewString()
	if in.MultiRegion != nil && *in.MultiRegion {
		id = "mrk-" + strings.ReplaceAll(uuid.NewString(), "-", "")
	}
	k := &keyRecord{
		ID: id, Account: account, Region: c.region, Spec: in.KeySpec, Usage: in.KeyUsage, Origin: in.Origin,
		Description: in.Description, State: stateEnabled, CreationDate: c.time,
		MultiRegion: in.MultiRegion != nil && *in.MultiRegion,
	}
	if k.MultiRegion {
		k.PrimaryRegion = c.region
	}
	if store != nil {
		k.CustomKeyStoreID, k.XksKeyID = store.ID, in.XksKeyId
	}
	if in.Origin == "EXTERNAL" {
		// The key waits for ImportKeyMaterial.
		k.State = statePendingImport
	} else {
		// Asymmetric and HMAC keys have this one material version for life: they never rotate.
		material, err := keyspec.Generate(keyspec.Spec(in.KeySpec))
		if err != nil {
			return nil, err
		}
		k.Material = [][]byte{s.seal.seal(material)}
	}
	k.Policy = worldview.DefaultKeyPolicy(account)
	if in.Policy != nil {
		if err := s.checkNewPolicy(ctx, c, k, *in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
			return nil, err
		}
		k.Policy = *in.Policy
	}
	if len(in.Tags) > 0 {
		k.Tags = map[string]string{}
		for _, t := range in.Tags {
			k.Tags[t.TagKey] = t.TagValue
		}
	}
	s.state.mu.Lock()
	if s.state.countKeys(account, c.region) >= maxKeysPerRegion {
		s.state.mu.Unlock()
		return nil, errQuotaExceeded()
	}
	err = s.state.putKey(k)
	s.state.mu.Unlock()
	if err != nil {
		return nil, err
	}
	c.resources = []trail.Resource{keyResource(k)}
	c.response = map[string]any{"keyMetadata": trailKeyMetadata(k)}
	return &CreateKeyOutput{KeyMetadata: s.describe(k)}, nil
}

// checkSM2Region refuses SM2, which AWS offers only in the China Regions.
func checkSM2Region(region, spec string) error {
	if spec == string(keyspec.SM2) && region != "cn-north-1" && region != "cn-northwest-1" {
		return errValidation("KeySpec SM2 is not supported in this region.")
	}
	return nil
}

// checkNewPolicy validates a key policy and, unless bypassed, refuses one that would lock the
// caller out of PutKeyPolicy (the lockout safety check).
func (s *Server) checkNewPolicy(ctx context.Context, c *call, k *keyRecord, policy string, bypass bool) error {
	if err := evaluator.CheckPolicy([]byte(policy), evaluator.KindKey); err != nil {
		return errMalformedPolicy(err.Error())
	}
	if bypass {
		return nil
	}
	probe := *k
	probe.Policy = policy
	if err := s.authorize(ctx, c, "kms:PutKeyPolicy", &keyRef{key: &probe}, nil); err != nil {
		return errMalformedPolicy("The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}

// validateTags applies AWS's tag rules.
func validateTags(tags []Tag) error {
	var v validationErrors
	for i, t := range tags {
		v.length(fmt.Sprintf("tags.%d.member.tagKey", i+1), t.TagKey, 1, 128, false)
		v.length(fmt.Sprintf("tags.%d.member.tagValue", i+1), t.TagValue, 0, 256, false)
	}
	if err := v.err(); err != nil {
		return err
	}
	if len(tags) > 50 {
		return apiError("TagException", "Too many tags")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if strings.HasPrefix(t.TagKey, "aws:") {
			return apiError("TagException", "Tags beginning with aws: are reserved")
		}
		if seen[t.TagKey] {
			return apiError("TagException", "Duplicate tag keys")
		}
		seen[t.TagKey] = true
	}
	return nil
}
