package evaluator

// Grant is a KMS grant: GranteePrincipal may perform Operations on the key, when the request's
// encryption context satisfies the constraints. Requests carry the grants on their key
// (Request.Grants) and the decision applies them (see Evaluator.Decide).
type Grant struct {
	ID                string
	Name              string
	KeyARN            string
	GranteePrincipal  string
	RetiringPrincipal string
	// Operations are KMS operation names: "Decrypt", "ReEncryptFrom", "CreateGrant", ...
	Operations []string
	// EncryptionContextEquals, if set, must equal the request's encryption context exactly.
	EncryptionContextEquals map[string]string
	// EncryptionContextSubset, if set, must be contained in the request's encryption context.
	EncryptionContextSubset map[string]string
}
