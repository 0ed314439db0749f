package rego

import (
	"fmt"
	"sort"
	"strings"
)

// Error codes for policy documents that cannot be translated. Each names the grammar rule that was broken.
const (
	// CodeTooLarge: the document exceeds MaxPolicySize bytes.
	CodeTooLarge = "iam_policy_too_large"
	// CodeInvalidJSON: the document is not a single JSON object.
	CodeInvalidJSON = "iam_invalid_json"
	// CodeUnknownElement: a top-level or statement element that the policy grammar does not define.
	CodeUnknownElement = "iam_unknown_element"
	// CodeInvalidVersion: Version is neither 2008-10-17 nor 2012-10-17.
	CodeInvalidVersion = "iam_invalid_version"
	// CodeMissingStatement: the document has no Statement element.
	CodeMissingStatement = "iam_missing_statement"
	// CodeInvalidEffect: Effect is missing or is neither Allow nor Deny.
	CodeInvalidEffect = "iam_invalid_effect"
	// CodeMissingAction: neither Action nor NotAction is present, or both are.
	CodeMissingAction = "iam_missing_action"
	// CodeMissingResource: neither Resource nor NotResource is present, or both are.
	CodeMissingResource = "iam_missing_resource"
	// CodeMissingPrincipal: a resource-based policy statement has no Principal or NotPrincipal (or has both).
	CodeMissingPrincipal = "iam_missing_principal"
	// CodeUnexpectedPrincipal: an identity-based policy, SCP, boundary or session policy names a principal.
	CodeUnexpectedPrincipal = "iam_unexpected_principal"
	// CodeInvalidPrincipal: a principal value is not a form AWS accepts.
	CodeInvalidPrincipal = "iam_invalid_principal"
	// CodeInvalidValue: an element holds a value of the wrong JSON type (e.g. a number as Action).
	CodeInvalidValue = "iam_invalid_value"
	// CodeUnsupportedConditionOperator: a Condition operator that the policy grammar does not define.
	CodeUnsupportedConditionOperator = "iam_unsupported_condition_operator"
	// CodeInvalidCondition: a Condition block that is not an object of objects of scalar or array values.
	CodeInvalidCondition = "iam_invalid_condition"
	// CodeInvalidKind: Translate was asked for a policy kind it does not know.
	CodeInvalidKind = "iam_invalid_kind"
)

// AWS's wording for the reasons a policy document is rejected.
const (
	msgSyntax     = "Syntax errors in policy."
	msgPrincipals = "Policy contains a statement with one or more invalid principals."
)

// Location says where in a policy document an Error was found.
type Location struct {
	// Statement is the index in the Statement array, or -1 for document-level errors.
	Statement int
	// Sid is the statement's Sid, if it has one.
	Sid string
	// Pointer is a JSON pointer to the offending element, e.g. "/Statement/1/Principal/AWS".
	Pointer string
}

func (l Location) String() string {
	if l.Statement < 0 {
		return l.Pointer
	}
	if l.Sid != "" {
		return fmt.Sprintf("statement %d (Sid %q) %s", l.Statement, l.Sid, l.Pointer)
	}
	return fmt.Sprintf("statement %d %s", l.Statement, l.Pointer)
}

// Error is one reason a policy document cannot be translated.
type Error struct {
	// Code is one of the Code* constants.
	Code     string
	Location Location
	// Message is the reason in AWS's words (MalformedPolicyDocumentException).
	Message string
	// Detail says precisely what was wrong.
	Detail string
}

func (e *Error) Error() string {
	s := e.Code + ": " + e.Message
	if loc := e.Location.String(); loc != "" {
		s = loc + ": " + s
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &Error{Code: CodeInvalidPrincipal}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errors is the list of every problem found in one document, sorted by location.
type Errors []*Error

func (es Errors) Error() string {
	switch len(es) {
	case 0:
		return "no error(s)"
	case 1:
		return es[0].Error()
	}
	lines := []string{fmt.Sprintf("%d errors occurred:", len(es))}
	for _, e := range es {
		lines = append(lines, e.Error())
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the individual errors so errors.Is and errors.As see each of them.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// First returns the first error, or nil.
func (es Errors) First() *Error {
	if len(es) == 0 {
		return nil
	}
	return es[0]
}

func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].Location, es[j].Location
		if a.Statement != b.Statement {
			return a.Statement < b.Statement
		}
		return a.Pointer < b.Pointer
	})
}
