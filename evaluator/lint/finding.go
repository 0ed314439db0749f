package lint

import (
	"fmt"
	"sort"
	"strings"
)

// Severity is how bad a finding is, in the four finding types of IAM Access Analyzer policy validation.
type Severity string

// The severities, most severe first.
const (
	// SeverityError: the policy is invalid or does not do what it says; AWS may reject it.
	SeverityError Severity = "ERROR"
	// SeveritySecurity: the policy grants more access than it probably should.
	SeveritySecurity Severity = "SECURITY_WARNING"
	// SeverityWarning: the policy is valid but part of it has no effect or is likely a mistake.
	SeverityWarning Severity = "WARNING"
	// SeveritySuggestion: the policy can be simplified without changing what it allows.
	SeveritySuggestion Severity = "SUGGESTION"
)

// Rank orders severities: ERROR is 4, SUGGESTION is 1, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 4
	case SeveritySecurity:
		return 3
	case SeverityWarning:
		return 2
	case SeveritySuggestion:
		return 1
	}
	return 0
}

// ParseSeverity reads a --fail-on value: error, security (or security_warning), warning or suggestion,
// in any case.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.ReplaceAll(s, "-", "_")) {
	case "error":
		return SeverityError, nil
	case "security", "security_warning":
		return SeveritySecurity, nil
	case "warning":
		return SeverityWarning, nil
	case "suggestion":
		return SeveritySuggestion, nil
	}
	return "", fmt.Errorf("unknown severity %q: want error, security, warning or suggestion", s)
}

// Finding codes. Each is stable: it never changes meaning, and a retired code is never reused.
// docs/lint.md describes each with an example and a fix.
const (
	// CodeInvalidJSON: the file or the embedded policy is not valid JSON (or YAML).
	CodeInvalidJSON = "KMS001"
	// CodeGrammar: the policy breaks the policy grammar (rego.Parse rejected it).
	CodeGrammar = "KMS002"
	// CodeTooLarge: the policy document is larger than 32768 bytes.
	CodeTooLarge = "KMS003"
	// CodeUnknownAction: a kms: action that does not exist, or a kms: wildcard that matches none.
	CodeUnknownAction = "KMS004"
	// CodeActionFormat: an action that is not of the form service:Action.
	CodeActionFormat = "KMS005"
	// CodeUnknownConditionKey: a kms: condition key that does not exist.
	CodeUnknownConditionKey = "KMS006"
	// CodeConditionKeyNotApplicable: a kms: condition key that none of the statement's actions supports.
	CodeConditionKeyNotApplicable = "KMS007"
	// CodeConditionValueType: a condition value that the operator cannot compare (e.g. Numeric* with "ten").
	CodeConditionValueType = "KMS008"
	// CodeConditionOperatorType: a condition operator that does not suit the key's type (e.g. ArnEquals on kms:CallerAccount).
	CodeConditionOperatorType = "KMS009"
	// CodePublicAccess: Principal "*" on an Allow statement that no condition restricts to known callers.
	CodePublicAccess = "KMS010"
	// CodeExternalAccount: an Allow statement grants access to an account other than the key's.
	CodeExternalAccount = "KMS011"
	// CodeFullAccessNonRoot: kms:* (or *) granted to a principal other than the account root.
	CodeFullAccessNonRoot = "KMS012"
	// CodeAdminAndUsage: one non-root principal gets both key-administration and key-usage actions.
	CodeAdminAndUsage = "KMS013"
	// CodeLockout: no principal is left able to call kms:PutKeyPolicy, so the key becomes unmanageable.
	CodeLockout = "KMS014"
	// CodeCreateGrantUnrestricted: kms:CreateGrant allowed without a kms:GrantIsForAWSResource condition.
	CodeCreateGrantUnrestricted = "KMS015"
	// CodeForAllValuesAllow: ForAllValues in an Allow statement, which also matches when the key is absent.
	CodeForAllValuesAllow = "KMS016"
	// CodeNotPrincipalAllow: NotPrincipal with Effect Allow.
	CodeNotPrincipalAllow = "KMS017"
	// CodeRedundantStatement: an Allow statement fully covered by another unconditional Allow.
	CodeRedundantStatement = "KMS018"
	// CodeUnreachableStatement: an Allow statement entirely shadowed by an unconditional Deny.
	CodeUnreachableStatement = "KMS019"
	// CodeUnknownPrincipal: (--world) a principal ARN that does not exist in the world.
	CodeUnknownPrincipal = "KMS020"
	// CodeUnknownAccount: (--world) an account that is not in the world.
	CodeUnknownAccount = "KMS021"
)

// Rule describes one finding code; it feeds the SARIF rules table and docs/lint.md.
type Rule struct {
	ID       string
	Name     string
	Severity Severity
	Short    string
	Full     string
	Help     string
	Tags     []string
}

// Rules lists every finding code, sorted by ID.
var Rules = []Rule{
	{CodeInvalidJSON, "InvalidJSON", SeverityError, "Policy is not valid JSON",
		"The file, or the policy embedded in it, cannot be parsed as JSON (or YAML for CloudFormation templates).",
		"Fix the syntax error at the reported position; `jq . file.json` shows the same error.", []string{"correctness"}},
	{CodeGrammar, "PolicyGrammar", SeverityError, "Policy breaks the policy grammar",
		"The document is valid JSON but not a valid policy: an unknown element, a missing Effect/Action/Resource/Principal, a Principal in an identity policy, an unsupported condition operator, a value of the wrong JSON type. AWS rejects it with MalformedPolicyDocumentException.",
		"Follow the message: it names the element and the rule (the kmsim rego error code in brackets).", []string{"correctness"}},
	{CodeTooLarge, "PolicyTooLarge", SeverityError, "Policy exceeds 32 KB",
		"A key policy document can be at most 32768 bytes; PutKeyPolicy and CreateKey reject larger ones with LimitExceededException.",
		"Remove whitespace, merge statements that share a principal, or move access to IAM policies or grants.", []string{"correctness"}},
	{CodeUnknownAction, "UnknownAction", SeverityError, "Unknown KMS action",
		"A kms: action that AWS KMS does not define (often a typo such as kms:Decrpyt), or a kms: wildcard that matches no action. The statement silently grants or denies nothing for it.",
		"Use the suggested action name; the list of KMS actions is in the AWS KMS permissions reference.", []string{"correctness"}},
	{CodeActionFormat, "InvalidActionFormat", SeverityError, "Action is not service:Action",
		"An action must be \"*\" or a service prefix (letters, digits, hyphens), a colon and an action name (letters, digits, * and ?).",
		"Write the action as service:ActionName, e.g. kms:Decrypt.", []string{"correctness"}},
	{CodeUnknownConditionKey, "UnknownConditionKey", SeverityError, "Unknown KMS condition key",
		"A kms: condition key that AWS KMS does not define. A condition on a key that is never present is false (true with IfExists or a negated operator), so the statement does not work as written.",
		"Use the suggested key; AWS KMS condition keys are listed in the developer guide's \"Condition keys for AWS KMS\".", []string{"correctness"}},
	{CodeConditionKeyNotApplicable, "ConditionKeyNotApplicable", SeverityWarning, "Condition key does not apply to the statement's actions",
		"None of the statement's actions sets this kms: condition key, so the condition is never true for them (or always true with IfExists / a negated operator).",
		"Move the condition to a statement whose actions support the key, or use a key that applies to these actions.", []string{"correctness"}},
	{CodeConditionValueType, "ConditionValueType", SeverityError, "Condition value does not suit the operator",
		"A Numeric* operator with a non-number, a Date* operator with a value that is neither an ISO 8601 date nor epoch seconds, Bool with something other than true/false, IpAddress with something other than an IP address or CIDR, or an Arn* operator with a value that is not an ARN pattern.",
		"Use a value of the operator's type, or the operator that matches the value (e.g. StringEquals).", []string{"correctness"}},
	{CodeConditionOperatorType, "ConditionOperatorType", SeverityError, "Condition operator does not suit the key's type",
		"The operator compares a type the condition key does not hold, e.g. ArnEquals on kms:CallerAccount (a string), NumericEquals on kms:ViaService, Bool on a string key, IpAddress on anything but aws:SourceIp.",
		"Use the operator family of the key's type: String* for strings, Numeric* for numbers, Date* for timestamps, Bool for booleans, Arn* for ARNs.", []string{"correctness"}},
	{CodePublicAccess, "PublicAccess", SeveritySecurity, "Principal * without a restricting condition",
		"An Allow statement with Principal \"*\" (or {\"AWS\": \"*\"}) lets any AWS principal in any account use the key, unless a condition restricts the caller. Conditions on kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, kms:ViaService, aws:SourceVpce or aws:SourceVpc (positive operator, no IfExists, a value other than \"*\") count as restricting.",
		"Name the principals, or add a condition such as \"StringEquals\": {\"kms:CallerAccount\": \"111122223333\"}.", []string{"security"}},
	{CodeExternalAccount, "ExternalAccountAccess", SeveritySecurity, "Access for another account",
		"An Allow statement grants access to a principal (or, through kms:CallerAccount / aws:PrincipalAccount, to callers) in an account other than the key's. The key's account comes from the account root principal of the statement that grants kms:* (the \"Enable IAM User Permissions\" statement) or from --world.",
		"Check that the cross-account access is intended; grant the narrowest actions (e.g. kms:Decrypt only) and prefer grants for temporary access.", []string{"security"}},
	{CodeFullAccessNonRoot, "FullAccessNonRoot", SeveritySecurity, "kms:* granted to a principal other than the account root",
		"kms:* (or *) gives a principal every KMS permission on the key, including PutKeyPolicy and ScheduleKeyDeletion. Only the account root (which delegates to IAM policies) should hold it.",
		"List the actions the principal needs: key administrators get the administrative actions, key users the cryptographic ones.", []string{"security"}},
	{CodeAdminAndUsage, "AdminAndUsage", SeveritySecurity, "Key administration and key usage granted to the same principal",
		"The same non-root principal can change the key's policy or state (PutKeyPolicy, ScheduleKeyDeletion, DisableKey, Create/Delete/UpdateAlias, ImportKeyMaterial...) and use it for cryptography (Encrypt, Decrypt, GenerateDataKey*, ReEncrypt*, Sign, GenerateMac). Separation of duties is lost: that principal can grant itself anything.",
		"Split administrators and users into different principals.", []string{"security"}},
	{CodeLockout, "KeyLockout", SeverityError, "No principal can manage the key policy",
		"No Allow statement lets any principal call kms:PutKeyPolicy (neither the account root, nor a principal with kms:*, kms:Put* or kms:PutKeyPolicy), or an unconditional Deny removes it. Nobody can change the policy again and the key becomes unmanageable; AWS rejects such a policy unless BypassPolicyLockoutSafetyCheck is set.",
		"Keep the \"Enable IAM User Permissions\" statement (account root, kms:*), or allow kms:PutKeyPolicy to a key administrator.", []string{"security", "correctness"}},
	{CodeCreateGrantUnrestricted, "CreateGrantUnrestricted", SeveritySecurity, "CreateGrant without kms:GrantIsForAWSResource",
		"A principal allowed to call kms:CreateGrant can give any other principal the permissions the grant operations carry. Without \"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"} it can do so for anyone, not only for AWS services integrated with KMS. Not reported when a Deny with kms:GrantIsForAWSResource false covers CreateGrant, or when CreateGrant comes only from kms:*, * or kms:Create* (see KMS012).",
		"Add \"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}} to the statement.", []string{"security"}},
	{CodeForAllValuesAllow, "ForAllValuesAllow", SeveritySecurity, "ForAllValues in an Allow matches requests without the key",
		"ForAllValues is true when the request has no value for the key at all (e.g. no encryption context, so no kms:EncryptionContextKeys), so the Allow grants more than intended.",
		"Add a Null condition on the same key with \"false\", or use ForAnyValue.", []string{"security"}},
	{CodeNotPrincipalAllow, "NotPrincipalAllow", SeveritySecurity, "NotPrincipal with Allow",
		"Allow with NotPrincipal grants access to every principal except those listed, including anonymous and other accounts' principals.",
		"Use Principal with the principals that need access.", []string{"security"}},
	{CodeRedundantStatement, "RedundantStatement", SeveritySuggestion, "Statement is covered by another statement",
		"An unconditional Allow statement whose principals, actions and resources are all covered by another unconditional Allow statement adds nothing.",
		"Remove the statement, or merge it into the one that covers it.", []string{"maintainability"}},
	{CodeUnreachableStatement, "UnreachableStatement", SeverityWarning, "Statement is shadowed by a Deny",
		"Every request the Allow statement matches is also matched by an unconditional Deny statement, which always wins: the Allow never takes effect.",
		"Remove the Allow, or narrow the Deny (add a condition or remove the shared actions).", []string{"correctness"}},
	{CodeUnknownPrincipal, "UnknownPrincipal", SeverityWarning, "Principal not in the world",
		"With --world: the principal ARN names a user or role that the world does not define.",
		"Fix the ARN, or add the principal to the world file.", []string{"correctness"}},
	{CodeUnknownAccount, "UnknownAccount", SeverityWarning, "Account not in the world",
		"With --world: the policy names an account (in a principal or in kms:CallerAccount / aws:PrincipalAccount) that is not one of the world's accounts.",
		"Fix the account id, or add the account to the world file.", []string{"correctness"}},
}

// RuleByID returns the rule for a code.
func RuleByID(id string) (Rule, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Finding is one problem found in one policy.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// File is the path of the linted file, as given.
	File string `json:"file"`
	// Line and Column (1-based; columns count characters) locate the offending element in File.
	Line   int `json:"line"`
	Column int `json:"column"`
	// Resource names the embedded policy: a CloudFormation logical id or a Terraform address.
	Resource string `json:"resource,omitempty"`
	// Pointer is the JSON pointer of the element inside the policy document.
	Pointer string `json:"pointer,omitempty"`
	// Statement is the statement's index, or -1 for document-level findings.
	Statement int    `json:"statement"`
	Sid       string `json:"sid,omitempty"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s %s %s", f.File, f.Line, f.Column, f.Severity, f.Code, f.Message)
}

// Sort orders findings by file, line, column, code and message.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
}

// AtLeast reports whether any finding has severity min or higher.
func AtLeast(fs []Finding, min Severity) bool {
	for _, f := range fs {
		if f.Severity.Rank() >= min.Rank() {
			return true
		}
	}
	return false
}
