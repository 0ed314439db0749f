package simulator

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/kmsim/kmsim/simulator/keyspec"
)

// APIError is an error the client sees: a modeled exception name, its message and the HTTP status.
type APIError struct {
	Code    string
	Message string
	Status  int
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// exceptionStatus maps every exception the simulator returns to AWS's HTTP status. Anything not listed is a 400.
var exceptionStatus = map[string]int{
	"KMSInternalException":                http.StatusInternalServerError,
	"KeyUnavailableException":             http.StatusInternalServerError,
	"DependencyTimeoutException":          http.StatusServiceUnavailable,
	"MissingAuthenticationTokenException": http.StatusForbidden,
	"UnrecognizedClientException":         http.StatusForbidden,
}

// apiError builds an APIError with the status AWS uses for code.
func apiError(code, format string, args ...any) *APIError {
	status, ok := exceptionStatus[code]
	if !ok {
		status = http.StatusBadRequest
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &APIError{Code: code, Message: msg, Status: status}
}

// Constructors for the exceptions raised from more than one place.

func errNotFound(format string, args ...any) *APIError {
	return apiError("NotFoundException", format, args...)
}

func errValidation(format string, args ...any) *APIError {
	return apiError("ValidationException", format, args...)
}

func errInvalidState(format string, args ...any) *APIError {
	return apiError("KMSInvalidStateException", format, args...)
}

func errDisabled(keyARN string) *APIError {
	return apiError("DisabledException", "%s is disabled.", keyARN)
}

func errInvalidCiphertext() *APIError {
	return apiError("InvalidCiphertextException", "")
}

// errQuotaExceeded is LimitExceededException for a resource quota (keys, grants, custom key stores).
func errQuotaExceeded() *APIError {
	return apiError("LimitExceededException", "The request was rejected because a quota was exceeded. For more information, see Quotas in the Key Management Service Developer Guide.")
}

func errMalformedPolicy(reason string) *APIError {
	return apiError("MalformedPolicyDocumentException", "%s", reason)
}

// toAPIError maps any error to what the client sees; unmapped errors become KMSInternalException.
func toAPIError(err error) (apiErr *APIError, internal bool) {
	if errors.As(err, &apiErr) {
		return apiErr, false
	}
	return apiError("KMSInternalException", "An internal error occurred."), true
}

// cryptoError maps a caller mistake the keyspec package reports (*keyspec.Error) to the exception it
// names; any other error (corrupt material) stays internal.
func cryptoError(err error) error {
	var ke *keyspec.Error
	if errors.As(err, &ke) {
		return apiError(ke.Code, "%s", ke.Message)
	}
	return err
}

// validationErrors collects model-constraint violations and renders AWS's
// "N validation error(s) detected: Value … at '…' failed to satisfy constraint: …" message.
type validationErrors []string

func (v *validationErrors) add(format string, args ...any) {
	*v = append(*v, fmt.Sprintf(format, args...))
}

// required records a missing required member.
func (v *validationErrors) required(member string, present bool) {
	if !present {
		v.add("Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	}
}

// length checks a string member's length bounds; sensitive members omit the value as AWS does.
func (v *validationErrors) length(member, value string, min, max int, sensitive bool) {
	n := len([]rune(value))
	shown := fmt.Sprintf("'%s' ", value)
	if sensitive {
		shown = ""
	}
	if n < min {
		v.add("Value %sat '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", shown, member, min)
	}
	if max > 0 && n > max {
		v.add("Value %sat '%s' failed to satisfy constraint: Member must have length less than or equal to %d", shown, member, max)
	}
}

// blobLength checks a binary member's length bounds (values are never shown).
func (v *validationErrors) blobLength(member string, n, min, max int) {
	if n < min {
		v.add("Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", member, min)
	}
	if max > 0 && n > max {
		v.add("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", member, max)
	}
}

// enum checks that a non-empty value is one of allowed.
func (v *validationErrors) enum(member, value string, allowed []string) {
	if value == "" {
		return
	}
	for _, a := range allowed {
		if a == value {
			return
		}
	}
	v.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, member, strings.Join(allowed, ", "))
}

// pattern checks that a non-empty value matches the model's regular expression.
func (v *validationErrors) pattern(member, value, expr string) {
	if value == "" || compiledPattern(expr).MatchString(value) {
		return
	}
	v.add("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", value, member, expr)
}

var patterns sync.Map // expression -> *regexp.Regexp

// javaEscape is a Java \uXXXX escape, which Go's syntax writes \x{XXXX}.
var javaEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// compiledPattern compiles a model pattern (Java syntax) once. The model's patterns are anchored
// or not as written; Java's matches() semantics (the whole value) apply either way.
func compiledPattern(expr string) *regexp.Regexp {
	if re, ok := patterns.Load(expr); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(`^(?:` + javaEscape.ReplaceAllString(expr, `\x{$1}`) + `)$`)
	patterns.Store(expr, re)
	return re
}

// intRange checks a numeric member's bounds.
func (v *validationErrors) intRange(member string, value *int32, min, max int32) {
	if value == nil {
		return
	}
	if *value < min {
		v.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", *value, member, min)
	}
	if *value > max {
		v.add("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", *value, member, max)
	}
}

// err returns the ValidationException for the collected violations, or nil.
func (v validationErrors) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return errValidation("1 validation error detected: %s", v[0])
	default:
		return errValidation("%d validation errors detected: %s", len(v), strings.Join(v, "; "))
	}
}
