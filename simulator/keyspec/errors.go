package keyspec

import (
	"fmt"
	"strings"
)

// AWS exception names used as [Error] codes.
const (
	CodeValidation           = "ValidationException"
	CodeInvalidKeyUsage      = "InvalidKeyUsageException"
	CodeInvalidSignature     = "KMSInvalidSignatureException"
	CodeInvalidCiphertext    = "InvalidCiphertextException"
	CodeUnsupportedOperation = "UnsupportedOperationException"
	CodeIncorrectKeyMaterial = "IncorrectKeyMaterialException"
)

// Error is a failure that maps onto an AWS KMS exception: Code is the
// exception name (one of the Code* constants) and Message the exact message
// AWS returns (possibly empty, as AWS sends for InvalidCiphertextException).
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// errIncompatible is AWS's message for an algorithm the key spec cannot use,
// e.g. "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224."
func errIncompatible(algorithm string, spec Spec) *Error {
	return newError(CodeInvalidKeyUsage, "Algorithm %s is incompatible with key spec %s.", algorithm, spec)
}

// errEnum is AWS's request-validation message for a value outside an enum.
func errEnum(value, field string, allowed []string) *Error {
	return newError(CodeValidation,
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
		value, field, strings.Join(allowed, ", "))
}

func errTooLarge(algorithm string, spec Spec, max int) *Error {
	return newError(CodeValidation, "Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", algorithm, spec, max)
}

func errDigestLength(algorithm string) *Error {
	return newError(CodeValidation, "Digest is invalid length for algorithm %s.", algorithm)
}

// errInvalidCiphertext is AWS's InvalidCiphertextException (empty message).
var errInvalidCiphertext = &Error{Code: CodeInvalidCiphertext}

// errInvalidPublicKey is AWS's answer to DeriveSharedSecret with a peer
// public key it cannot use: ValidationException with an empty message.
var errInvalidPublicKey = &Error{Code: CodeValidation}

func errUnsupported(op string, spec Spec) *Error {
	return newError(CodeUnsupportedOperation, "%s is not supported for key spec %s.", op, spec)
}

var errBadLength = errorString("unexpected key length")

type errorString string

func (e errorString) Error() string { return string(e) }
