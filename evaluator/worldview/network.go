package worldview

import (
	"strconv"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/fixtures"
)

// Call is the network and service side of one call: the condition keys it carries and the VPC
// endpoint it came through.
type Call struct {
	// Context holds aws:SourceIp, or aws:SourceVpce, aws:SourceVpc and aws:VpcSourceIp for a call
	// through a VPC endpoint; aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge; kms:ViaService
	// and aws:ViaAWSService; aws:CalledVia, aws:CalledViaFirst and aws:CalledViaLast.
	Context map[string][]string
	// SourceIP is the caller's address as CloudTrail records it (its VPC address for a call
	// through an endpoint).
	SourceIP string
	// VPCEndpoint is the id of the endpoint the call came through, "" for none.
	VPCEndpoint string
	// VPCEPolicy is the endpoint's policy: nil without an endpoint, or for an endpoint without a
	// policy (which allows everything).
	VPCEPolicy *evaluator.Policy
}

// CallFacts returns the facts of a call made by a principal of type principalType (CloudTrail's
// userIdentity.type) from address ip, with origin o (nil for none) through endpoint e (nil for
// none; o.VPCEndpoint is not looked up). As AWS does, a call through a VPC endpoint carries its
// address as aws:VpcSourceIp and no aws:SourceIp; a role session's calls carry
// aws:MultiFactorAuthPresent (false without MFA), long-term keys' calls neither MFA key.
func CallFacts(o *fixtures.Origin, e *fixtures.VPCEndpoint, principalType, ip string) Call {
	if o == nil {
		o = &fixtures.Origin{}
	}
	if o.SourceIP != "" {
		ip = o.SourceIP
	}
	c := Call{Context: map[string][]string{}, SourceIP: ip}
	set := func(k string, vs ...string) { c.Context[k] = vs }
	switch {
	case e != nil:
		c.VPCEndpoint = e.ID
		set("aws:SourceVpce", e.ID)
		set("aws:SourceVpc", e.VPC)
		if ip != "" {
			set("aws:VpcSourceIp", ip)
		}
		if !e.Policy.IsZero() {
			c.VPCEPolicy = &evaluator.Policy{ID: "vpce/" + e.ID, Kind: evaluator.KindVPCE, Document: []byte(e.Policy)}
		}
	case ip != "":
		set("aws:SourceIp", ip)
	}
	if principalType == fixtures.PrincipalAssumedRole {
		set("aws:MultiFactorAuthPresent", strconv.FormatBool(o.MFAAge != nil))
		if o.MFAAge != nil {
			set("aws:MultiFactorAuthAge", strconv.Itoa(*o.MFAAge))
		}
	}
	set("aws:ViaAWSService", strconv.FormatBool(o.ViaService != "" || len(o.CalledVia) > 0))
	if o.ViaService != "" {
		set("kms:ViaService", o.ViaService)
	}
	if n := len(o.CalledVia); n > 0 {
		set("aws:CalledVia", o.CalledVia...)
		set("aws:CalledViaFirst", o.CalledVia[0])
		set("aws:CalledViaLast", o.CalledVia[n-1])
	}
	return c
}
