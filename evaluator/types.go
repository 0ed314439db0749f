package evaluator

// PolicyKind says what role a policy document plays in authorization.
type PolicyKind string

// The policy kinds AWS KMS authorization combines.
const (
	KindKey      PolicyKind = "key"      // the key policy (resource-based)
	KindIdentity PolicyKind = "identity" // IAM identity policy: user, group or role; inline or managed
	KindSCP      PolicyKind = "scp"      // service control policy of the caller's account
	KindBoundary PolicyKind = "boundary" // permissions boundary of the caller
	KindSession  PolicyKind = "session"  // session policy passed to AssumeRole
	KindTrust    PolicyKind = "trust"    // a role's trust policy (resource-based, for sts:AssumeRole)
	KindVPCE     PolicyKind = "vpce"     // the policy of the VPC endpoint a call came through
)

// Policy is one policy document with a stable identifier used in explanations
// (e.g. "key/1234abcd-...", "arn:aws:iam::111122223333:policy/KMSUse", "role/EncryptionApp/inline/use-key").
type Policy struct {
	ID       string
	Kind     PolicyKind
	Document []byte
}

// Principal is the authenticated caller of a request.
type Principal struct {
	// ARN is the caller ARN as AWS reports it (the assumed-role session ARN for role sessions).
	ARN string
	// Type is IAMUser, AssumedRole, Root, FederatedUser or AWSService (CloudTrail userIdentity.type).
	Type    string
	Account string
	// UserID is aws:userid (AIDA... for users, AROA...:session for role sessions, the account id for root).
	UserID string
	// Name is aws:username for IAM users; empty otherwise.
	Name string
	// RoleARN is the issuing role for role sessions (the session issuer).
	RoleARN     string
	SessionName string
	Tags        map[string]string
	// OrgID and OrgPaths describe the caller's AWS Organizations position (aws:PrincipalOrgID, aws:PrincipalOrgPaths).
	OrgID    string
	OrgPaths []string
	// IdentityPolicies are every identity-based policy that applies: the user's or role's inline and
	// managed policies and, for users, those of their groups.
	IdentityPolicies []Policy
	// Boundary is the permissions boundary, if any.
	Boundary *Policy
	// SessionPolicies are the session policies of a role session, if any.
	SessionPolicies []Policy
	// SCPs are the service control policies on the path from the organization root to the caller's
	// account, one slice per level; each level must allow.
	SCPs [][]Policy
}

// Request is one authorization question: may Principal perform Action on Resource?
type Request struct {
	Principal Principal
	// Action is the IAM action, e.g. "kms:Decrypt".
	Action string
	// Resource is the key ARN ("*" for actions without a resource, such as kms:CreateKey).
	Resource string
	// ResourceAccount is the account that owns Resource (empty when Resource is "*").
	ResourceAccount string
	// ResourcePolicy is the key policy of Resource (or the role trust policy for sts:AssumeRole);
	// nil for actions without a resource, such as kms:CreateKey.
	ResourcePolicy *Policy
	// Context holds condition-key values set from the request (kms:EncryptionContext:dept,
	// aws:SourceIp, aws:CurrentTime, ...). Keys are matched case-insensitively; each key may be multi-valued.
	// Its single-valued kms:EncryptionContext:<key> entries are also the request's encryption
	// context for grant constraints, with <key> as written here (case-sensitive).
	Context map[string][]string
	// VPCEPolicy is the policy of the VPC endpoint the request came through; nil for a request
	// that did not come through one (or through one without a policy, which allows everything).
	// It must allow the request, and an explicit Deny in it wins.
	VPCEPolicy *Policy
	// Grants are the grants on Resource (grants on other keys are ignored). A grant allows its
	// operations to its grantee when the policies do not, unless a policy explicitly denies the
	// request or an SCP level does not allow it; see Decision.Grant.
	Grants []Grant
}

// Effect is the outcome of a decision, in the IAM policy simulator's vocabulary.
type Effect string

// The three outcomes of a decision.
const (
	Allowed      Effect = "allowed"
	ExplicitDeny Effect = "explicitDeny"
	ImplicitDeny Effect = "implicitDeny"
)

// Statement identifies one statement of one policy that matched the request.
type Statement struct {
	PolicyID   string
	PolicyKind PolicyKind
	Index      int // position in the Statement array, from 0
	Sid        string
	Effect     string // "Allow" or "Deny"
}

// Decision is the answer to a Request with its explanation.
type Decision struct {
	Effect Effect
	// Reason names the policy type that decided a denial, phrased as in AWS's AccessDenied messages
	// (see DenialMessage); empty when allowed.
	Reason DenyReason
	// Matched lists every statement that matched, sorted by policy then index.
	Matched []Statement
	// MissingContext lists condition keys the policies asked for that the request did not carry (sorted).
	MissingContext []string
	// Grant is the ID of the grant that allowed the request when the policies alone did not;
	// empty otherwise (including when a policy allowed and a grant would have too).
	Grant string
}

// DenyReason says which layer of authorization denied a request.
type DenyReason string

// Denial reasons, one per AccessDeniedException message form.
const (
	NoResourcePolicyAllows DenyReason = "no resource-based policy allows"
	NoIdentityPolicyAllows DenyReason = "no identity-based policy allows"
	NoSCPAllows            DenyReason = "no service control policy allows"
	NoBoundaryAllows       DenyReason = "no permissions boundary allows"
	NoSessionPolicyAllows  DenyReason = "no session policy allows"
	NoVPCEPolicyAllows     DenyReason = "no VPC endpoint policy allows"
	DenyInResourcePolicy   DenyReason = "explicit deny in a resource-based policy"
	DenyInIdentityPolicy   DenyReason = "explicit deny in an identity-based policy"
	DenyInSCP              DenyReason = "explicit deny in a service control policy"
	DenyInBoundary         DenyReason = "explicit deny in a permissions boundary"
	DenyInSessionPolicy    DenyReason = "explicit deny in a session policy"
	DenyInVPCEPolicy       DenyReason = "explicit deny in a VPC endpoint policy"
)
