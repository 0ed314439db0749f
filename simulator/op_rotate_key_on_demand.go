package simulator

import "context"

// RotateKeyOnDemandOutput is the RotateKeyOnDemand response.
type RotateKeyOnDemandOutput struct {
	KeyId string `json:"KeyId"`
}

// rotateKeyOnDemand rotates a symmetric key now: to new AWS-generated material, or for a key with
// imported material to the material imported for rotation (pending rotation), which a
// multi-Region primary key's replicas must all hold too.
func (s *Server) rotateKeyOnDemand(ctx context.Context, c *call, in *KeyIdInput) (*RotateKeyOnDemandOutput, error) {
	ref, err := s.keyOnly(ctx, c, in.KeyId, "kms:RotateKeyOnDemand")
	if err != nil {
		return nil, err
	}
	k, err := s.mutateKey(ref.key, func(k *keyRecord) error {
		imported := k.Origin == "EXTERNAL" && k.Spec == "SYMMETRIC_DEFAULT"
		if imported && k.State == statePendingImport {
			return errInvalidState("%s is pending import.", k.ARN())
		}
		if err := checkKeyState(c.op, k); err != nil {
			return err
		}
		if err := rotationManageable(k, true); err != nil {
			return err
		}
		if k.onDemandRotations() >= maxOnDemandRotations {
			return apiError("LimitExceededException", "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s", k.ARN())
		}
		if !imported {
			if err := s.rotate(k, c.time, rotationOnDemand); err != nil {
				return err
			}
			return s.syncReplicas(k, c.time)
		}
		if k.Pending == nil {
			return errInvalidState("No available key material pending rotation for the key: %s.", k.ARN())
		}
		return s.rotateImported(k, c)
	})
	if err != nil {
		return nil, err
	}
	c.response = map[string]any{"keyId": k.ID}
	s.recordServiceEvent("RotateKey", k, c.time, map[string]any{"rotationType": rotationOnDemand, "keyId": k.ID})
	return &RotateKeyOnDemandOutput{KeyId: k.ID}, nil
}

// rotateImported makes k's pending imported material current, and its replicas' too; every
// replica must hold the same pending material. Callers hold the state lock and journal k.
func (s *Server) rotateImported(k *keyRecord, c *call) error {
	var replicas []*keyRecord
	if k.MultiRegion {
		for _, r := range s.state.replicasOf(k) {
			if r.Pending == nil || r.Pending.ID != k.Pending.ID {
				return errInvalidState("Key material (id: %s) of %s is pending import into its replica key %s.", k.Pending.ID, k.ARN(), r.ARN())
			}
			updated := *r
			replicas = append(replicas, &updated)
		}
	}
	if err := s.rotateToPending(k, c.time); err != nil {
		return err
	}
	for _, r := range replicas {
		if err := s.rotateToPending(r, c.time); err != nil {
			return err
		}
		if err := s.state.putKey(r); err != nil {
			return err
		}
		s.recordInternalCall("SynchronizeMultiRegionKey", r, c.time)
	}
	return nil
}
