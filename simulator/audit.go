package simulator

import (
	"crypto/tls"
	"time"

	"github.com/kmsim/kmsim/trail"
)

// trailEventVersion is the CloudTrail record version kmsim writes.
const trailEventVersion = "1.11"

// trailRecord builds the CloudTrail record for a finished call.
func (s *Server) trailRecord(c *call, err error) *trail.Record {
	id := c.caller.identity
	rec := &trail.Record{
		EventVersion:        trailEventVersion,
		UserIdentity:        &id,
		EventTime:           c.time.Format(time.RFC3339),
		EventSource:         c.service + ".amazonaws.com",
		EventName:           c.op,
		AWSRegion:           c.region,
		SourceIPAddress:     c.sourceIP,
		UserAgent:           c.userAgent,
		RequestParameters:   c.params,
		ResponseElements:    c.response,
		AdditionalEventData: c.additional,
		RequestID:           c.requestID,
		EventID:             c.eventID,
		ReadOnly:            c.readOnly,
		Resources:           c.resources,
		EventType:           "AwsApiCall",
		ManagementEvent:     true,
		RecipientAccountID:  c.caller.identity.AccountID,
		EventCategory:       "Management",
		TLSDetails:          c.tls,
		VPCEndpointID:       c.net.VPCEndpoint,
	}
	if rec.AWSRegion == "" {
		rec.AWSRegion = "us-east-1"
	}
	if len(c.resources) > 0 {
		// The key owner receives the event; for cross-account calls the caller's account does too,
		// but one simulator record describes the call once, as seen by the key's account.
		rec.RecipientAccountID = c.resources[0].AccountID
	}
	if err != nil {
		apiErr, _ := toAPIError(err)
		rec.ErrorCode = apiErr.Code
		rec.ErrorMessage = apiErr.Message
		rec.ResponseElements = nil
	}
	if rec.UserIdentity.AccountID != rec.RecipientAccountID && rec.UserIdentity.Type != "" {
		// CloudTrail shows a cross-account caller to the resource owner as an AWSAccount identity.
		rec.UserIdentity = &trail.UserIdentity{Type: "AWSAccount", PrincipalID: id.PrincipalID, AccountID: id.AccountID}
	}
	return rec
}

// keyResource is the CloudTrail resource entry for a key.
func keyResource(k *keyRecord) trail.Resource {
	return trail.Resource{AccountID: k.Account, Type: "AWS::KMS::Key", ARN: k.ARN()}
}

// trailDate renders a timestamp the way KMS writes dates inside responseElements ("Aug 10, 2022, 10:38:27 PM").
func trailDate(t time.Time) string { return t.UTC().Format("Jan 2, 2006, 3:04:05 PM") }

func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	}
	return "TLS"
}

func tlsCipherName(id uint16) string { return tls.CipherSuiteName(id) }
