package evaluator

import (
	"errors"
	"strings"

	"github.com/kmsim/kmsim/rego"
)

// DenialMessage renders the message of the AccessDeniedException AWS returns for a denied
// decision, e.g. "User: arn:aws:iam::111122223333:user/bob is not authorized to perform:
// kms:Decrypt on resource: arn:aws:kms:... because no resource-based policy allows the
// kms:Decrypt action". It returns "" for an allowed decision.
func DenialMessage(req Request, d Decision) string {
	if d.Allowed() {
		return ""
	}
	resource := req.Resource
	if resource == "" {
		resource = "*"
	}
	var b strings.Builder
	b.WriteString("User: ")
	b.WriteString(req.Principal.ARN)
	b.WriteString(" is not authorized to perform: ")
	b.WriteString(req.Action)
	b.WriteString(" on resource: ")
	b.WriteString(resource)
	reason := d.Reason
	switch {
	case strings.HasPrefix(string(reason), "explicit deny"):
		b.WriteString(" with an ")
		b.WriteString(string(reason))
	case reason == "":
		b.WriteString(" because no policy allows the ")
		b.WriteString(req.Action)
		b.WriteString(" action")
	default:
		b.WriteString(" because ")
		b.WriteString(string(reason))
		b.WriteString(" the ")
		b.WriteString(req.Action)
		b.WriteString(" action")
	}
	return b.String()
}

// PolicyError is a policy document that AWS would reject with MalformedPolicyDocumentException.
// Error returns AWS's reason; Unwrap returns the detailed rego.Errors.
type PolicyError struct {
	// Code is the rego.Code* constant of the first problem found.
	Code    string
	Message string
	Err     error
}

func (e *PolicyError) Error() string { return e.Message }

// Unwrap returns the detailed translation errors.
func (e *PolicyError) Unwrap() error { return e.Err }

// CheckPolicy validates a policy document's JSON and grammar as PutKeyPolicy and CreateKey do
// (for kind KindKey) or as IAM does for the other kinds. It returns nil or a *PolicyError whose
// Error is the reason AWS puts in the MalformedPolicyDocumentException message. It does not check
// the lockout safety rule ("The new key policy will not allow you to update the key policy in the future.").
func CheckPolicy(doc []byte, kind PolicyKind) error {
	_, err := rego.Parse(doc, rego.Kind(kind))
	if err == nil {
		return nil
	}
	var es rego.Errors
	if errors.As(err, &es) && len(es) > 0 {
		first := es.First()
		return &PolicyError{Code: first.Code, Message: first.Message, Err: err}
	}
	return &PolicyError{Code: rego.CodeInvalidJSON, Message: err.Error(), Err: err}
}
