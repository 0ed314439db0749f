package simulator

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/kmsim/kmsim/evaluator"
)

var (
	keyIDPattern = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	arnPattern   = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):(\d{12}):(key/.+|alias/.+)$`)
)

// aliasesRefused are the operations that take a key id or key ARN but no alias: the service
// model lists InvalidArnException for them and AWS answers an alias with it.
var aliasesRefused = map[string]bool{
	"CancelKeyDeletion": true, "CreateGrant": true, "DeleteImportedKeyMaterial": true, "DisableKey": true,
	"DisableKeyRotation": true, "EnableKey": true, "EnableKeyRotation": true, "GetKeyLastUsage": true,
	"GetKeyPolicy": true, "GetKeyRotationStatus": true, "GetParametersForImport": true, "ImportKeyMaterial": true,
	"ListAliases": true, "ListGrants": true, "ListKeyPolicies": true, "ListKeyRotations": true,
	"ListResourceTags": true, "PutKeyPolicy": true, "ReplicateKey": true, "RetireGrant": true, "RevokeGrant": true,
	"RotateKeyOnDemand": true, "ScheduleKeyDeletion": true, "TagResource": true, "UntagResource": true,
	"UpdateKeyDescription": true, "UpdatePrimaryRegion": true,
}

// isAliasRef reports whether a key reference is an alias name or alias ARN.
func isAliasRef(ref string) bool {
	return strings.HasPrefix(ref, "alias/") || strings.HasPrefix(ref, "arn:") && strings.Contains(ref, ":alias/")
}

// keyRef is a resolved key together with how the request named it.
type keyRef struct {
	key   *keyRecord // a copy, safe to read without the state lock
	alias string     // alias name used in the request, if any
}

// resolveKey finds the key named by a key id, key ARN, alias name or alias ARN, as AWS accepts them.
// Key ids and alias names refer to the caller's account and the request's region.
func (s *Server) resolveKey(c *call, ref string) (*keyRef, error) {
	if aliasesRefused[c.op] && isAliasRef(ref) {
		return nil, apiError("InvalidArnException", "Key Aliases are not supported for this operation.")
	}
	account, region := c.caller.principal.Account, c.region
	name := ref
	if strings.HasPrefix(ref, "arn:") {
		m := arnPattern.FindStringSubmatch(ref)
		if m == nil {
			return nil, errNotFound("Invalid arn %s", ref)
		}
		if m[2] != region {
			return nil, errNotFound("Invalid arn %s", region)
		}
		account, name = m[3], m[4]
	}
	s.state.mu.RLock()
	defer s.state.mu.RUnlock()
	if strings.HasPrefix(name, "alias/") {
		a, ok := s.state.aliases[aliasKey(account, region, name)]
		if !ok {
			return nil, errNotFound("Alias arn:%s:kms:%s:%s:%s is not found.", partition(region), region, account, name)
		}
		k, ok := s.state.keys[keyIndex(region, a.TargetKeyID)]
		if !ok {
			return nil, errNotFound("Alias arn:%s:kms:%s:%s:%s is not found.", partition(region), region, account, name)
		}
		kc := *k
		kc.State = s.state.effectiveState(k)
		return &keyRef{key: &kc, alias: name}, nil
	}
	id := strings.TrimPrefix(name, "key/")
	if !keyIDPattern.MatchString(id) {
		return nil, errNotFound("Invalid keyId '%s'", ref)
	}
	k, ok := s.state.keys[keyIndex(region, id)]
	if !ok || k.Account != account {
		return nil, errNotFound("Key 'arn:%s:kms:%s:%s:key/%s' does not exist", partition(region), region, account, id)
	}
	kc := *k
	kc.State = s.state.effectiveState(k)
	return &keyRef{key: &kc}, nil
}

// authorize asks the evaluator whether the caller may perform action on key (nil for
// account-level actions), with the key's policy and grants, and returns AccessDeniedException
// with AWS's message otherwise.
func (s *Server) authorize(ctx context.Context, c *call, action string, ref *keyRef, extra map[string][]string) error {
	req := evaluator.Request{
		Principal: c.caller.principal,
		Action:    action,
		Resource:  "*",
		Context:   s.requestContext(c, ref, extra),
	}
	req.VPCEPolicy = c.net.VPCEPolicy
	if ref != nil {
		k := ref.key
		req.Resource = k.ARN()
		req.ResourceAccount = k.Account
		req.ResourcePolicy = &evaluator.Policy{ID: "key/" + k.ID, Kind: evaluator.KindKey, Document: []byte(k.Policy)}
		req.Grants = s.grantsOn(k)
	}
	d, err := s.eval.Decide(ctx, req)
	if err != nil {
		return err
	}
	if !d.Allowed() {
		return apiError("AccessDeniedException", "%s", evaluator.DenialMessage(req, d))
	}
	return nil
}

// requestContext sets the condition keys every KMS request carries (with the network and service
// facts of the call), plus the operation's own.
func (s *Server) requestContext(c *call, ref *keyRef, extra map[string][]string) map[string][]string {
	ctx := map[string][]string{
		"kms:CallerAccount":   {c.caller.principal.Account},
		"aws:RequestedRegion": {c.region},
		"aws:CurrentTime":     {c.time.Format(time.RFC3339)},
		"aws:EpochTime":       {itoa(c.time.Unix())},
		"aws:SecureTransport": {boolString(c.tls != nil)},
	}
	for k, v := range c.net.Context {
		ctx[k] = v
	}
	if ref != nil {
		k := ref.key
		ctx["kms:KeySpec"] = []string{k.Spec}
		ctx["kms:KeyUsage"] = []string{k.Usage}
		ctx["kms:KeyOrigin"] = []string{k.Origin}
		ctx["kms:MultiRegion"] = []string{boolString(k.MultiRegion)}
		ctx["aws:ResourceAccount"] = []string{k.Account}
		if ref.alias != "" {
			ctx["kms:RequestAlias"] = []string{ref.alias}
		}
		s.state.mu.RLock()
		for _, a := range s.state.aliasesOf(k) {
			ctx["kms:ResourceAliases"] = append(ctx["kms:ResourceAliases"], a.Name)
		}
		s.state.mu.RUnlock()
		for tk, tv := range k.Tags {
			ctx["aws:ResourceTag/"+tk] = []string{tv}
		}
	}
	for k, v := range extra {
		ctx[k] = v
	}
	return ctx
}

// encryptionContextKeys sets kms:EncryptionContext:<key> and kms:EncryptionContextKeys.
func encryptionContextKeys(ec map[string]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range ec {
		out["kms:EncryptionContext:"+k] = []string{v}
		out["kms:EncryptionContextKeys"] = append(out["kms:EncryptionContextKeys"], k)
	}
	return out
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
