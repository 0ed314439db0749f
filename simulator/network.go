package simulator

import "github.com/kmsim/kmsim/evaluator/worldview"

// setNetwork sets the network and service facts of a call from its credential's origin in the
// world: the condition keys it carries, the address CloudTrail records and, for a KMS call, the
// VPC endpoint it came through (whose policy then applies). A credential without an origin
// calls from the connection's address, over the internet.
func (s *Server) setNetwork(c *call, o *credentialOwner, service string) {
	c.net = worldview.CallFacts(o.origin, s.dir.endpoint(o, service), o.world.Type, c.sourceIP)
	c.sourceIP = c.net.SourceIP
}
