package simulator

import "time"

// Rotation types, as ListKeyRotations and the RotateKey event report them.
const (
	rotationAutomatic = "AUTOMATIC"
	rotationOnDemand  = "ON_DEMAND"
)

// Automatic rotation periods (EnableKeyRotation's RotationPeriodInDays) and the on-demand limit.
const (
	defaultRotationPeriod = 365
	minRotationPeriod     = 90
	maxRotationPeriod     = 2560
	maxOnDemandRotations  = 10
)

// rotate gives k new backing material at time at; older material stays for decryption.
// Callers hold the state lock and journal k.
func (s *Server) rotate(k *keyRecord, at time.Time, rotationType string) error {
	material := randomBytes(32)
	if err := s.addMaterial(k, s.seal.seal(material), materialID(k.ID, material), nil); err != nil {
		return err
	}
	k.Rotations = append(append([]rotationRecord{}, k.Rotations...), rotationRecord{RotationDate: at.UTC(), RotationType: rotationType})
	return nil
}

// rotateToPending makes the pending imported material of k current, at time at, on demand.
// Callers hold the state lock and journal k.
func (s *Server) rotateToPending(k *keyRecord, at time.Time) error {
	p := k.Pending
	if err := s.addMaterial(k, p.Material, p.ID, &p.importRecord); err != nil {
		return err
	}
	k.Pending = nil
	k.Rotations = append(append([]rotationRecord{}, k.Rotations...), rotationRecord{RotationDate: at.UTC(), RotationType: rotationOnDemand})
	return nil
}

// rotatable fails for keys whose material does not rotate automatically: only symmetric
// encryption keys with AWS-generated material do.
func rotatable(k *keyRecord) error {
	if k.Origin != "AWS_KMS" {
		return apiError("UnsupportedOperationException", "%s origin is %s which is not valid for this operation.", k.ARN(), k.Origin)
	}
	if k.Spec != "SYMMETRIC_DEFAULT" {
		return apiError("UnsupportedOperationException", "%s key spec %s is not valid for this operation.", k.ARN(), k.Spec)
	}
	return nil
}

// hasMaterialVersions fails for keys that have no material versions to list or rotate on demand:
// all but symmetric encryption keys with AWS-generated or imported material.
func hasMaterialVersions(k *keyRecord) error {
	if k.Origin == "EXTERNAL" && k.Spec == "SYMMETRIC_DEFAULT" {
		return nil
	}
	return rotatable(k)
}

// rotationManageable fails for multi-Region replicas, whose rotation follows their primary key,
// and for keys whose rotation is not automatic (onDemand allows symmetric keys with imported
// material, which rotate on demand only).
func rotationManageable(k *keyRecord, onDemand bool) error {
	check := rotatable
	if onDemand {
		check = hasMaterialVersions
	}
	if err := check(k); err != nil {
		return err
	}
	if k.MultiRegion && k.Region != k.PrimaryRegion {
		return apiError("UnsupportedOperationException", "%s is a multi-Region replica key: rotation is managed on its primary key in %s.", k.ARN(), k.PrimaryRegion)
	}
	return nil
}

func (k *keyRecord) onDemandRotations() int {
	n := 0
	for _, r := range k.Rotations {
		if r.RotationType == rotationOnDemand {
			n++
		}
	}
	return n
}
