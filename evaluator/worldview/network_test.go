package worldview

import (
	"reflect"
	"testing"

	"github.com/kmsim/kmsim/fixtures"
)

func TestCallFacts(t *testing.T) {
	age := 120
	ep := &fixtures.VPCEndpoint{ID: "vpce-0a1b2c3d", VPC: "vpc-0a1b2c3d", Policy: fixtures.Document(`{"Statement":[]}`)}
	tests := []struct {
		name     string
		origin   *fixtures.Origin
		endpoint *fixtures.VPCEndpoint
		typ      string
		want     map[string][]string
		ip       string
	}{
		{"user from the internet", nil, nil, fixtures.PrincipalIAMUser,
			map[string][]string{"aws:SourceIp": {"198.51.100.7"}, "aws:ViaAWSService": {"false"}}, "198.51.100.7"},
		{"user with a given public address", &fixtures.Origin{SourceIP: "203.0.113.9"}, nil, fixtures.PrincipalIAMUser,
			map[string][]string{"aws:SourceIp": {"203.0.113.9"}, "aws:ViaAWSService": {"false"}}, "203.0.113.9"},
		{"user through an endpoint: no aws:SourceIp", &fixtures.Origin{SourceIP: "10.0.1.15"}, ep, fixtures.PrincipalIAMUser,
			map[string][]string{"aws:SourceVpce": {"vpce-0a1b2c3d"}, "aws:SourceVpc": {"vpc-0a1b2c3d"}, "aws:VpcSourceIp": {"10.0.1.15"}, "aws:ViaAWSService": {"false"}}, "10.0.1.15"},
		{"role session without MFA", nil, nil, fixtures.PrincipalAssumedRole,
			map[string][]string{"aws:SourceIp": {"198.51.100.7"}, "aws:MultiFactorAuthPresent": {"false"}, "aws:ViaAWSService": {"false"}}, "198.51.100.7"},
		{"role session with MFA, via services", &fixtures.Origin{MFAAge: &age, ViaService: "ec2.us-east-1.amazonaws.com", CalledVia: []string{"athena.amazonaws.com", "glue.amazonaws.com"}}, nil, fixtures.PrincipalAssumedRole,
			map[string][]string{"aws:SourceIp": {"198.51.100.7"}, "aws:MultiFactorAuthPresent": {"true"}, "aws:MultiFactorAuthAge": {"120"},
				"aws:ViaAWSService": {"true"}, "kms:ViaService": {"ec2.us-east-1.amazonaws.com"},
				"aws:CalledVia": {"athena.amazonaws.com", "glue.amazonaws.com"}, "aws:CalledViaFirst": {"athena.amazonaws.com"}, "aws:CalledViaLast": {"glue.amazonaws.com"}}, "198.51.100.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CallFacts(tt.origin, tt.endpoint, tt.typ, "198.51.100.7")
			if !reflect.DeepEqual(c.Context, tt.want) {
				t.Errorf("context %v\nwant    %v", c.Context, tt.want)
			}
			if c.SourceIP != tt.ip {
				t.Errorf("source IP %q, want %q", c.SourceIP, tt.ip)
			}
			if (tt.endpoint != nil) != (c.VPCEPolicy != nil) || (tt.endpoint != nil && c.VPCEndpoint != tt.endpoint.ID) {
				t.Errorf("endpoint %q policy %v", c.VPCEndpoint, c.VPCEPolicy)
			}
		})
	}
}
