package trail

// Record is one CloudTrail event record, with CloudTrail's field names and order.
// It marshals to JSON exactly as CloudTrail delivers it: requestParameters and
// responseElements are null when absent, optional fields are omitted.
type Record struct {
	EventVersion        string         `json:"eventVersion"`
	UserIdentity        *UserIdentity  `json:"userIdentity"`
	EventTime           string         `json:"eventTime"` // RFC 3339, UTC, seconds: 2022-07-14T20:17:42Z
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress"`
	UserAgent           string         `json:"userAgent"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	RequestID           string         `json:"requestID,omitempty"` // absent on AwsServiceEvent records
	EventID             string         `json:"eventID"`
	ReadOnly            bool           `json:"readOnly"`
	Resources           []Resource     `json:"resources,omitempty"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	RecipientAccountID  string         `json:"recipientAccountId"`
	ServiceEventDetails map[string]any `json:"serviceEventDetails,omitempty"` // AwsServiceEvent records, e.g. RotateKey
	SharedEventID       string         `json:"sharedEventID,omitempty"`
	VPCEndpointID       string         `json:"vpcEndpointId,omitempty"`
	EventCategory       string         `json:"eventCategory"`
	TLSDetails          *TLSDetails    `json:"tlsDetails,omitempty"`
}

// UserIdentity describes the caller, shaped by Type (IAMUser, AssumedRole, Root, AWSAccount, AWSService).
type UserIdentity struct {
	Type           string          `json:"type,omitempty"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

// SessionContext is present for temporary credentials (role sessions).
type SessionContext struct {
	SessionIssuer *SessionIssuer   `json:"sessionIssuer,omitempty"`
	Attributes    SessionAttribute `json:"attributes"`
}

// SessionIssuer is the role (or user) that issued the session credentials.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// SessionAttribute carries when the session was created and whether MFA was used.
type SessionAttribute struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// Resource is one resource the event touched.
type Resource struct {
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

// TLSDetails describes the connection's TLS; omitted for plain-HTTP calls.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}
