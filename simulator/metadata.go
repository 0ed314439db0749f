package simulator

import (
	"math"
	"strconv"
	"time"
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
	AWSAccountId                string     `json:"AWSAccountId"`
	Arn                         string     `json:"Arn"`
	CreationDate                epochTime  `json:"CreationDate"`
	CustomerMasterKeySpec       string     `json:"CustomerMasterKeySpec"`
	DeletionDate                *epochTime `json:"DeletionDate,omitempty"`
	Description                 string     `json:"Description"`
	Enabled                     bool       `json:"Enabled"`
	EncryptionAlgorithms        []string   `json:"EncryptionAlgorithms,omitempty"`
	KeyId                       string     `json:"KeyId"`
	KeyManager                  string     `json:"KeyManager"`
	KeySpec                     string     `json:"KeySpec"`
	KeyState                    string     `json:"KeyState"`
	KeyUsage                    string     `json:"KeyUsage"`
	MultiRegion                 bool       `json:"MultiRegion"`
	Origin                      string     `json:"Origin"`
	PendingDeletionWindowInDays *int32     `json:"PendingDeletionWindowInDays,omitempty"`
}

func keyMetadata(k *keyRecord) *KeyMetadata {
	m := &KeyMetadata{
		AWSAccountId: k.Account, Arn: k.ARN(), CreationDate: epochTime(k.CreationDate),
		CustomerMasterKeySpec: k.Spec, Description: k.Description, Enabled: k.State == stateEnabled,
		KeyId: k.ID, KeyManager: "CUSTOMER", KeySpec: k.Spec, KeyState: k.State, KeyUsage: k.Usage,
		MultiRegion: k.MultiRegion, Origin: k.Origin,
	}
	if k.Usage == "ENCRYPT_DECRYPT" && k.Spec == "SYMMETRIC_DEFAULT" {
		m.EncryptionAlgorithms = []string{"SYMMETRIC_DEFAULT"}
	}
	if k.State == statePendingDeletion {
		d := epochTime(k.DeletionDate)
		m.DeletionDate = &d
		w := k.PendingWindowInDays
		m.PendingDeletionWindowInDays = &w
	}
	return m
}

// trailKeyMetadata is keyMetadata as CloudTrail records it in responseElements.
func trailKeyMetadata(k *keyRecord) map[string]any {
	m := map[string]any{
		"AWSAccountId": k.Account, "keyId": k.ID, "arn": k.ARN(), "creationDate": trailDate(k.CreationDate),
		"enabled": k.State == stateEnabled, "description": k.Description, "keyUsage": k.Usage,
		"keyState": k.State, "origin": k.Origin, "keyManager": "CUSTOMER",
		"customerMasterKeySpec": k.Spec, "keySpec": k.Spec, "multiRegion": k.MultiRegion,
	}
	if k.Spec == "SYMMETRIC_DEFAULT" {
		m["encryptionAlgorithms"] = []string{"SYMMETRIC_DEFAULT"}
	}
	return m
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
