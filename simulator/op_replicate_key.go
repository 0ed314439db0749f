package simulator

import (
	"context"
	"maps"

	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/trail"
)

// ReplicateKeyInput is the ReplicateKey request.
type ReplicateKeyInput struct {
	KeyId                          string  `json:"KeyId"`
	ReplicaRegion                  string  `json:"ReplicaRegion"`
	Policy                         *string `json:"Policy,omitempty"`
	BypassPolicyLockoutSafetyCheck bool    `json:"BypassPolicyLockoutSafetyCheck" trail:"always"`
	Description                    string  `json:"Description" trail:"always"`
	Tags                           []Tag   `json:"Tags,omitempty"`
}

// ReplicateKeyOutput is the ReplicateKey response.
type ReplicateKeyOutput struct {
	ReplicaKeyMetadata *KeyMetadata `json:"ReplicaKeyMetadata"`
	ReplicaPolicy      string       `json:"ReplicaPolicy"`
	ReplicaTags        []Tag        `json:"ReplicaTags"`
}

// replicateKey creates a replica of a multi-Region primary key in another Region, with the same
// id and key material and its own policy, description and tags.
func (s *Server) replicateKey(ctx context.Context, c *call, in *ReplicateKeyInput) (*ReplicateKeyOutput, error) {
	var v validationErrors
	v.required("keyId", in.KeyId != "")
	v.length("keyId", in.KeyId, 1, 2048, false)
	v.required("replicaRegion", in.ReplicaRegion != "")
	v.length("replicaRegion", in.ReplicaRegion, 1, 32, false)
	if in.ReplicaRegion != "" && !regionPattern.MatchString(in.ReplicaRegion) {
		v.add("Value '%s' at 'replicaRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$", in.ReplicaRegion)
	}
	if in.Policy != nil {
		validatePolicy(&v, *in.Policy)
	}
	v.length("description", in.Description, 0, 8192, false)
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
	ref, err := s.resolveKey(c, in.KeyId)
	if err != nil {
		return nil, err
	}
	primary := ref.key
	c.resources = []trail.Resource{keyResource(primary)}
	if err := s.authorize(ctx, c, "kms:ReplicateKey", ref, map[string][]string{"kms:ReplicaRegion": {in.ReplicaRegion}}); err != nil {
		return nil, err
	}
	if !primary.MultiRegion || primary.Region != primary.PrimaryRegion {
		return nil, apiError("UnsupportedOperationException", "%s is not a multi-region primary key.", primary.ARN())
	}
	if err := checkKeyState(c.op, primary); err != nil {
		return nil, err
	}
	if in.ReplicaRegion == primary.Region || partition(in.ReplicaRegion) != partition(primary.Region) {
		return nil, errValidation("ReplicaRegion %s is not a valid Region for a replica of %s.", in.ReplicaRegion, primary.ARN())
	}
	replica := *primary
	replica.Region, replica.CreationDate, replica.State = in.ReplicaRegion, c.time, stateEnabled
	replica.Description, replica.Tags = in.Description, nil
	replica.Policy = worldview.DefaultKeyPolicy(primary.Account)
	replica.DeletionDate, replica.PendingWindowInDays = primary.DeletionDate, 0
	if primary.Origin == "EXTERNAL" {
		// A replica of a key with imported material waits for the same material to be imported into it.
		replica.State, replica.Material, replica.MaterialIDs, replica.Imports, replica.Pending = statePendingImport, nil, nil, nil, nil
	}
	if in.Policy != nil {
		if err := s.checkNewPolicy(ctx, c, &replica, *in.Policy, in.BypassPolicyLockoutSafetyCheck); err != nil {
			return nil, err
		}
		replica.Policy = *in.Policy
	}
	tags := []Tag{}
	if len(in.Tags) > 0 {
		replica.Tags = map[string]string{}
		for _, t := range in.Tags {
			replica.Tags[t.TagKey] = t.TagValue
		}
		tags = in.Tags
	}
	s.state.mu.Lock()
	if _, exists := s.state.keys[replica.index()]; exists {
		s.state.mu.Unlock()
		return nil, apiError("AlreadyExistsException", "The multi-Region key %s already has a replica in %s.", primary.ARN(), in.ReplicaRegion)
	}
	if s.state.countKeys(replica.Account, replica.Region) >= maxKeysPerRegion {
		s.state.mu.Unlock()
		return nil, errQuotaExceeded()
	}
	replica.Tags = maps.Clone(replica.Tags)
	err = s.state.putKey(&replica)
	s.state.mu.Unlock()
	if err != nil {
		return nil, err
	}
	md := s.describe(&replica)
	md.CurrentKeyMaterialId = "" // the new replica is still being created
	trailMD := trailKeyMetadata(&replica)
	trailMD["multiRegionConfiguration"] = md.MultiRegionConfiguration
	c.response = map[string]any{"replicaKeyMetadata": trailMD, "replicaPolicy": replica.Policy}
	return &ReplicateKeyOutput{ReplicaKeyMetadata: md, ReplicaPolicy: replica.Policy, ReplicaTags: tags}, nil
}
