package simulator

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

// epochTime is a timestamp on the JSON 1.1 wire: seconds since the epoch, with fractions.
type epochTime time.Time

func (t epochTime) MarshalJSON() ([]byte, error) {
	secs := float64(time.Time(t).UnixMilli()) / 1000
	return strconv.AppendFloat(nil, math.Round(secs*1000)/1000, 'f', -1, 64), nil
}

func (t *epochTime) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	*t = epochTime(time.Unix(int64(sec), int64(frac*1e9)).UTC())
	return nil
}

// KeyMetadata is the wire shape DescribeKey and CreateKey return.
type KeyMetadata struct {
	AWSAccountId                string                    `json:"AWSAccountId"`
	Arn                         string                    `json:"Arn"`
	CreationDate                epochTime                 `json:"CreationDate"`
	CustomerMasterKeySpec       string                    `json:"CustomerMasterKeySpec,omitempty"`
	DeletionDate                *epochTime                `json:"DeletionDate,omitempty"`
	Description                 string                    `json:"Description"`
	Enabled                     bool                      `json:"Enabled"`
	KeyId                       string                    `json:"KeyId"`
	KeyManager                  string                    `json:"KeyManager"`
	KeySpec                     string                    `json:"KeySpec"`
	KeyState                    string                    `json:"KeyState"`
	KeyUsage                    string                    `json:"KeyUsage"`
	MultiRegion                 bool                      `json:"MultiRegion"`
	MultiRegionConfiguration    *MultiRegionConfiguration `json:"MultiRegionConfiguration,omitempty"`
	CustomKeyStoreId            string                    `json:"CustomKeyStoreId,omitempty"`
	CloudHsmClusterId           string                    `json:"CloudHsmClusterId,omitempty"`
	XksKeyConfiguration         *XksKeyConfiguration      `json:"XksKeyConfiguration,omitempty"`
	Origin                      string                    `json:"Origin"`
	PendingDeletionWindowInDays *int32                    `json:"PendingDeletionWindowInDays,omitempty"`
	ExpirationModel             string                    `json:"ExpirationModel,omitempty"`
	CurrentKeyMaterialId        string                    `json:"CurrentKeyMaterialId,omitempty"`
	ValidTo                     *epochTime                `json:"ValidTo,omitempty"`
	algorithmLists
}

// algorithmLists are the algorithm members of KeyMetadata and of GetPublicKey's response: AWS
// fills in the one list that belongs to the key's usage.
type algorithmLists struct {
	EncryptionAlgorithms    []string `json:"EncryptionAlgorithms,omitempty"`
	SigningAlgorithms       []string `json:"SigningAlgorithms,omitempty"`
	MacAlgorithms           []string `json:"MacAlgorithms,omitempty"`
	KeyAgreementAlgorithms  []string `json:"KeyAgreementAlgorithms,omitempty"`
	EncapsulationAlgorithms []string `json:"EncapsulationAlgorithms,omitempty"`
}

func keyAlgorithms(k *keyRecord) algorithmLists {
	spec := keyspec.Spec(k.Spec)
	switch k.Usage {
	case keyspec.UsageEncryptDecrypt:
		return algorithmLists{EncryptionAlgorithms: keyspec.EncryptionAlgorithms(spec)}
	case keyspec.UsageSignVerify:
		return algorithmLists{SigningAlgorithms: keyspec.SigningAlgorithms(spec)}
	case keyspec.UsageGenerateVerifyMAC:
		return algorithmLists{MacAlgorithms: keyspec.MacAlgorithms(spec)}
	case keyspec.UsageKeyAgreement:
		return algorithmLists{KeyAgreementAlgorithms: keyspec.KeyAgreementAlgorithms(spec)}
	case keyspec.UsageEncapsulateDecapsulate:
		return algorithmLists{EncapsulationAlgorithms: keyspec.EncapsulationAlgorithms(spec)}
	}
	return algorithmLists{}
}

// customerMasterKeySpecs are the values of the deprecated CustomerMasterKeySpec member; key specs
// added after it was deprecated have none.
var customerMasterKeySpecs = []string{"RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
	"ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2"}

// customerMasterKeySpec is the CustomerMasterKeySpec of a key spec, or "" for the newer specs.
func customerMasterKeySpec(spec string) string {
	if slices.Contains(customerMasterKeySpecs, spec) {
		return spec
	}
	return ""
}

func keyMetadata(k *keyRecord) *KeyMetadata {
	m := &KeyMetadata{
		AWSAccountId: k.Account, Arn: k.ARN(), CreationDate: epochTime(k.CreationDate),
		CustomerMasterKeySpec: customerMasterKeySpec(k.Spec), Description: k.Description, Enabled: k.State == stateEnabled,
		KeyId: k.ID, KeyManager: "CUSTOMER", KeySpec: k.Spec, KeyState: k.State, KeyUsage: k.Usage,
		MultiRegion: k.MultiRegion, Origin: k.Origin, algorithmLists: keyAlgorithms(k),
	}
	if k.State == statePendingDeletion {
		d := epochTime(k.DeletionDate)
		m.DeletionDate = &d
		w := k.PendingWindowInDays
		m.PendingDeletionWindowInDays = &w
	}
	if model, validTo, ok := importedExpiration(k); ok {
		m.ExpirationModel = model
		if validTo != nil {
			vt := epochTime(*validTo)
			m.ValidTo = &vt
		}
	}
	return m
}

// trailKeyMetadata is keyMetadata as CloudTrail records it in responseElements.
func trailKeyMetadata(k *keyRecord) map[string]any {
	m := map[string]any{
		"AWSAccountId": k.Account, "keyId": k.ID, "arn": k.ARN(), "creationDate": trailDate(k.CreationDate),
		"enabled": k.State == stateEnabled, "description": k.Description, "keyUsage": k.Usage,
		"keyState": k.State, "origin": k.Origin, "keyManager": "CUSTOMER",
		"keySpec": k.Spec, "multiRegion": k.MultiRegion,
	}
	if cmk := customerMasterKeySpec(k.Spec); cmk != "" {
		m["customerMasterKeySpec"] = cmk
	}
	a := keyAlgorithms(k)
	for name, list := range map[string][]string{
		"encryptionAlgorithms": a.EncryptionAlgorithms, "signingAlgorithms": a.SigningAlgorithms,
		"macAlgorithms": a.MacAlgorithms, "keyAgreementAlgorithms": a.KeyAgreementAlgorithms,
		"encapsulationAlgorithms": a.EncapsulationAlgorithms,
	} {
		if list != nil {
			m[name] = list
		}
	}
	return m
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// XksKeyConfiguration names the external key behind a key in an external key store.
type XksKeyConfiguration struct {
	Id string `json:"Id"`
}
