package simulator

import "github.com/kmsim/kmsim/evaluator/worldview"

// setNetwork sets the network and service facts of a call from its credential's origin in the
// world: the condition keys it carries, the address CloudTrail records and, for a KMS call, the
// VPC endpoint it came through (whose policy then applies). A credential without an origin
// calls from the connection's address, over the internet. The origin's endpoint is an AWS KMS
// endpoint: an STS call of the same credential leaves the VPC another way, so it carries the
// connection's address rather than the origin's VPC address.
func (s *Server) setNetwork(c *call, o *credentialOwner, service string) {
	origin, ep := o.origin, s.dir.endpoint(o, service)
	if origin != nil && origin.VPCEndpoint != "" && ep == nil {
		other := *origin
		other.SourceIP = ""
		origin = &other
	}
	c.net = worldview.CallFacts(origin, ep, o.world.Type, c.sourceIP)
	c.sourceIP = c.net.SourceIP
}
