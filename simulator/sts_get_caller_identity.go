package simulator

import (
	"context"
	"encoding/xml"
	"net/url"
)

// getCallerIdentityResult is the GetCallerIdentity result element.
type getCallerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string
	UserId  string
	Account string
}

// getCallerIdentity answers who the caller is; like AWS, it needs no permission.
func (s *Server) getCallerIdentity(_ context.Context, c *call, _ url.Values) (any, error) {
	c.readOnly = true
	p := c.caller.principal
	return getCallerIdentityResult{Arn: p.ARN, UserId: p.UserID, Account: p.Account}, nil
}
