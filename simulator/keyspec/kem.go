package keyspec

import "slices"

// CheckEncapsulationAlgorithm validates the EncapsulationAlgorithm request
// field (only ML_KEM exists), with AWS's enum ValidationException otherwise.
func CheckEncapsulationAlgorithm(algorithm string) error {
	if !slices.Contains([]string{AlgMLKEM}, algorithm) {
		return errEnum(algorithm, "encapsulationAlgorithm", []string{AlgMLKEM})
	}
	return nil
}

// Encapsulate runs ML-KEM.Encaps (FIPS 203) against the public half of an
// ML-KEM key, returning the ciphertext and the 32-byte shared secret.
func Encapsulate(spec Spec, material []byte) (ciphertext, sharedSecret []byte, err error) {
	if err := ValidateSpec(spec); err != nil {
		return nil, nil, err
	}
	if !spec.isMLKEM() {
		return nil, nil, errIncompatible(AlgMLKEM, spec)
	}
	pk, _, err := mlkemKey(spec, material)
	if err != nil {
		return nil, nil, err
	}
	return mlkemScheme(spec).Encapsulate(pk)
}

// Decapsulate runs ML-KEM.Decaps. As in AWS, a ciphertext of the wrong length
// for the spec yields InvalidCiphertextException (empty message); any other
// ciphertext yields a 32-byte value (implicit rejection for altered input).
func Decapsulate(spec Spec, material []byte, ciphertext []byte) ([]byte, error) {
	if err := ValidateSpec(spec); err != nil {
		return nil, err
	}
	if !spec.isMLKEM() {
		return nil, errIncompatible(AlgMLKEM, spec)
	}
	scheme := mlkemScheme(spec)
	if len(ciphertext) != scheme.CiphertextSize() {
		return nil, errInvalidCiphertext
	}
	_, sk, err := mlkemKey(spec, material)
	if err != nil {
		return nil, err
	}
	return scheme.Decapsulate(sk, ciphertext)
}
