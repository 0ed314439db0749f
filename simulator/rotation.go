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
func (s *Server) rotate(k *keyRecord, at time.Time, rotationType string) {
	k.Material = append(append([][]byte{}, k.Material...), s.seal.seal(randomBytes(32)))
	k.Rotations = append(append([]rotationRecord{}, k.Rotations...), rotationRecord{RotationDate: at.UTC(), RotationType: rotationType})
}

// rotatable fails for keys whose material kmsim cannot rotate: only symmetric encryption keys
// with AWS-generated material rotate.
func rotatable(k *keyRecord) error {
	if k.Origin != "AWS_KMS" {
		return apiError("UnsupportedOperationException", "%s origin is %s which is not valid for this operation.", k.ARN(), k.Origin)
	}
	if k.Spec != "SYMMETRIC_DEFAULT" {
		return apiError("UnsupportedOperationException", "%s key spec %s is not valid for this operation.", k.ARN(), k.Spec)
	}
	return nil
}

// rotationManageable fails for multi-Region replicas, whose rotation follows their primary key.
func rotationManageable(k *keyRecord) error {
	if err := rotatable(k); err != nil {
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
