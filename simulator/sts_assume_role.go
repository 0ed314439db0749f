package simulator

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/trail"
)

type assumeRoleResult struct {
	XMLName     xml.Name `xml:"AssumeRoleResult"`
	Credentials struct {
		AccessKeyId     string
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	AssumedRoleUser struct {
		AssumedRoleId string
		Arn           string
	}
	PackedPolicySize int
}

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)

// assumeRole mints role-session credentials after the role's trust policy and the caller's
// identity policies allow sts:AssumeRole.
func (s *Server) assumeRole(ctx context.Context, c *call, form url.Values) (any, error) {
	roleARN, name, policy := form.Get("RoleArn"), form.Get("RoleSessionName"), form.Get("Policy")
	c.params = map[string]any{"roleArn": roleARN, "roleSessionName": name}
	var v validationErrors
	v.required("roleArn", roleARN != "")
	v.length("roleArn", roleARN, 20, 2048, false)
	v.required("roleSessionName", name != "")
	v.length("roleSessionName", name, 2, 64, false)
	if name != "" && !sessionNamePattern.MatchString(name) {
		v.add("Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name)
	}
	duration := 3600
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			v.add("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be a number", d)
		} else {
			duration = n
			c.params["durationSeconds"] = n
			if n < 900 {
				v.add("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", n)
			}
			if n > 43200 {
				v.add("Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200", n)
			}
		}
	}
	if policy != "" {
		v.length("policy", policy, 1, 2048, false)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	role := s.dir.roles[roleARN]
	resource := roleARN
	req := evaluator.Request{Principal: c.caller.principal, Action: "sts:AssumeRole", Resource: resource,
		Context: map[string][]string{"aws:CurrentTime": {c.time.Format(time.RFC3339)}}}
	for k, v := range c.net.Context {
		req.Context[k] = v
	}
	if role != nil {
		req.ResourceAccount = role.Account
		req.ResourcePolicy = &evaluator.Policy{ID: "role/" + role.Name + "/trust", Kind: evaluator.KindTrust, Document: role.TrustPolicy}
		c.resources = []trail.Resource{{AccountID: role.Account, Type: "AWS::IAM::Role", ARN: roleARN}}
	}
	if role == nil {
		return nil, apiError("AccessDeniedException", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.caller.principal.ARN, roleARN)
	}
	d, err := s.eval.Decide(ctx, req)
	if err != nil {
		return nil, err
	}
	if !d.Allowed() {
		return nil, apiError("AccessDeniedException", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.caller.principal.ARN, roleARN)
	}
	maxDuration := role.MaxSessionDuration
	if maxDuration == 0 {
		maxDuration = 3600
	}
	if c.caller.principal.Type == "AssumedRole" {
		maxDuration = 3600 // role chaining is limited to one hour
	}
	if duration > maxDuration {
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if policy != "" {
		if err := evaluator.CheckPolicy([]byte(policy), evaluator.KindSession); err != nil {
			return nil, apiError("MalformedPolicyDocument", "%s", err.Error())
		}
	}
	secret := base64.StdEncoding.EncodeToString(randomBytes(30))
	sess := &sessionRecord{
		AccessKeyID:  "ASIA" + randomUpper(16),
		Secret:       s.seal.seal([]byte(secret)),
		SessionToken: base64.StdEncoding.EncodeToString(randomBytes(96)),
		RoleARN:      roleARN, SessionName: name, Policy: policy,
		// Credentials expire by the wall clock, the clock signatures are checked against.
		Created: c.time, Expiration: s.cfg.WallClock().UTC().Add(time.Duration(duration) * time.Second),
	}
	s.state.mu.Lock()
	err = s.state.commit(journalEntry{Session: sess})
	s.state.mu.Unlock()
	if err != nil {
		return nil, err
	}
	var out assumeRoleResult
	out.Credentials.AccessKeyId = sess.AccessKeyID
	out.Credentials.SecretAccessKey = secret
	out.Credentials.SessionToken = sess.SessionToken
	out.Credentials.Expiration = sess.Expiration.UTC().Format(time.RFC3339)
	out.AssumedRoleUser.AssumedRoleId = roleID(role, roleARN) + ":" + name
	out.AssumedRoleUser.Arn = "arn:aws:sts::" + role.Account + ":assumed-role/" + role.Name + "/" + name
	c.response = map[string]any{
		"credentials":     map[string]any{"accessKeyId": sess.AccessKeyID, "expiration": trailDate(sess.Expiration)},
		"assumedRoleUser": map[string]any{"assumedRoleId": out.AssumedRoleUser.AssumedRoleId, "arn": out.AssumedRoleUser.Arn},
	}
	return out, nil
}

func randomUpper(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var b strings.Builder
	for _, r := range randomBytes(n) {
		b.WriteByte(alphabet[int(r)%len(alphabet)])
	}
	return b.String()
}
