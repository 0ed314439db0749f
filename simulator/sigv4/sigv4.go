// Package sigv4 verifies AWS Signature Version 4 signatures on incoming requests.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Credential is the secret material behind an access key id.
type Credential struct {
	AccessKeyID  string
	Secret       string
	SessionToken string    // non-empty for temporary (ASIA…) credentials: the request must carry the same X-Amz-Security-Token
	Expiration   time.Time // zero = never expires
}

// Lookup finds the credential for an access key id.
type Lookup func(accessKeyID string) (Credential, bool)

// Result describes a successfully verified request.
type Result struct {
	AccessKeyID string
	Region      string // from the credential scope
	Service     string // from the credential scope ("kms", "sts")
	SignedAt    time.Time
}

// Error is a verification failure carrying the AWS exception name and message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// AWS exception names produced by Verify.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
	CodeExpiredToken               = "ExpiredTokenException"
	CodeInvalidSignature           = "InvalidSignatureException"
)

const (
	algorithm     = "AWS4-HMAC-SHA256"
	terminator    = "aws4_request"
	amzDateFormat = "20060102T150405Z"
	scopeDateFmt  = "20060102"
	// MaxSkew is how far X-Amz-Date may be from the server clock.
	MaxSkew = 15 * time.Minute
	// maxPresignExpires is the longest X-Amz-Expires AWS accepts (7 days).
	maxPresignExpires = 7 * 24 * 60 * 60
	unsignedPayload   = "UNSIGNED-PAYLOAD"

	msgMissingToken   = "Missing Authentication Token"
	msgInvalidToken   = "The security token included in the request is invalid."
	msgExpiredToken   = "The security token included in the request is expired"
	msgSignatureMatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

func newErr(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// authInfo is what the request claims about its signature.
type authInfo struct {
	presigned     bool
	accessKeyID   string
	scopeDate     string
	region        string
	service       string
	signedHeaders string // verbatim, as listed by the client
	signature     string
	amzDate       string // the timestamp string used in the string to sign
	signedAt      time.Time
	token         string
	hasToken      bool
	expires       int64 // presigned only; 0 when absent
}

// Verify checks r's Authorization header (or presigned query parameters
// X-Amz-Algorithm/X-Amz-Credential/X-Amz-Signature…) against the credential
// from lookup. body is the full request body (already read by the caller).
// now is the server's wall clock.
//
// Failures are returned as *Error.
func Verify(r *http.Request, body []byte, lookup Lookup, now time.Time) (*Result, error) {
	if r == nil || r.URL == nil {
		return nil, newErr(CodeMissingAuthenticationToken, msgMissingToken)
	}
	info, err := parseAuth(r)
	if err != nil {
		return nil, err
	}
	if err := checkTime(info, now); err != nil {
		return nil, err
	}
	if err := checkScope(info); err != nil {
		return nil, err
	}
	if lookup == nil {
		return nil, newErr(CodeUnrecognizedClient, msgInvalidToken)
	}
	cred, ok := lookup(info.accessKeyID)
	if !ok || cred.AccessKeyID != "" && cred.AccessKeyID != info.accessKeyID {
		return nil, newErr(CodeUnrecognizedClient, msgInvalidToken)
	}
	// A temporary credential needs its exact token; a long-term key must not carry one.
	if cred.SessionToken != "" || info.hasToken {
		if subtle.ConstantTimeCompare([]byte(cred.SessionToken), []byte(info.token)) != 1 {
			return nil, newErr(CodeUnrecognizedClient, msgInvalidToken)
		}
	}
	if !cred.Expiration.IsZero() && !now.Before(cred.Expiration) {
		return nil, newErr(CodeExpiredToken, msgExpiredToken)
	}

	provided, err := hex.DecodeString(info.signature)
	if err != nil || len(provided) != sha256.Size {
		return nil, newErr(CodeInvalidSignature, msgSignatureMatch)
	}
	payloadHashes, err := payloadHashes(r, body, info.presigned)
	if err != nil {
		return nil, err
	}
	names := strings.Split(info.signedHeaders, ";")
	headers := canonicalHeaders(r, names)
	query := canonicalQuery(r.URL.RawQuery, info.presigned)
	scope := info.scopeDate + "/" + info.region + "/" + info.service + "/" + terminator
	key := signingKey(cred.Secret, info.scopeDate, info.region, info.service)

	for _, path := range canonicalURIs(r.URL) {
		for _, ph := range payloadHashes {
			creq := r.Method + "\n" + path + "\n" + query + "\n" + headers + "\n" + info.signedHeaders + "\n" + ph
			sum := sha256.Sum256([]byte(creq))
			sts := algorithm + "\n" + info.amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
			if hmac.Equal(hmacSHA256(key, []byte(sts)), provided) {
				return &Result{
					AccessKeyID: info.accessKeyID,
					Region:      info.region,
					Service:     info.service,
					SignedAt:    info.signedAt,
				}, nil
			}
		}
	}
	return nil, newErr(CodeInvalidSignature, msgSignatureMatch)
}

// AccessKeyID extracts the access key id from the Authorization header or
// query without verifying, or "" (the server uses it to name the caller in
// audit records for failed auth).
func AccessKeyID(r *http.Request) string {
	if r == nil {
		return ""
	}
	if h := r.Header.Get("Authorization"); strings.TrimSpace(h) != "" {
		_, rest := splitScheme(h)
		params, _ := parseAuthParams(rest)
		return keyIDFromCredential(params["Credential"])
	}
	if r.URL == nil {
		return ""
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	return keyIDFromCredential(q.Get("X-Amz-Credential"))
}

func keyIDFromCredential(c string) string {
	id, _, _ := strings.Cut(c, "/")
	return strings.TrimSpace(id)
}

// isPresigned reports whether the query carries SigV4 query authentication.
func isPresigned(q url.Values) bool {
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders"} {
		if _, ok := q[k]; ok {
			return true
		}
	}
	return false
}

func parseAuth(r *http.Request) (*authInfo, error) {
	q, _ := url.ParseQuery(r.URL.RawQuery)
	header := r.Header.Get("Authorization")
	if strings.TrimSpace(header) != "" {
		if isPresigned(q) {
			return nil, newErr(CodeInvalidSignature, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		}
		return parseHeaderAuth(r, header)
	}
	if isPresigned(q) {
		return parseQueryAuth(q)
	}
	return nil, newErr(CodeMissingAuthenticationToken, msgMissingToken)
}

func splitScheme(h string) (scheme, rest string) {
	h = strings.TrimSpace(h)
	i := strings.IndexAny(h, " \t")
	if i < 0 {
		return h, ""
	}
	return h[:i], strings.TrimSpace(h[i+1:])
}

// parseAuthParams parses "Credential=a, SignedHeaders=b, Signature=c".
// The second result is false when a component is not of the form key=value.
func parseAuthParams(s string) (map[string]string, bool) {
	params := map[string]string{}
	wellFormed := true
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			wellFormed = false
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if _, dup := params[k]; dup {
			wellFormed = false
			continue
		}
		params[k] = v
	}
	return params, wellFormed
}

// requestDate returns the X-Amz-Date header (or the Date header) value.
func requestDate(r *http.Request) (raw string, fromDate bool, ok bool) {
	if v := strings.TrimSpace(r.Header.Get("X-Amz-Date")); v != "" {
		return v, false, true
	}
	if v := strings.TrimSpace(r.Header.Get("Date")); v != "" {
		return v, true, true
	}
	return "", false, false
}

func parseHeaderAuth(r *http.Request, header string) (*authInfo, error) {
	scheme, rest := splitScheme(header)
	var params map[string]string
	if scheme == algorithm {
		params, _ = parseAuthParams(rest)
	} else {
		params = map[string]string{}
	}
	rawDate, fromDate, hasDate := requestDate(r)

	var missing []string
	for _, p := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[p] == "" {
			missing = append(missing, "Authorization header requires '"+p+"' parameter.")
		}
	}
	if !hasDate {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, newErr(CodeIncompleteSignature, "%s Authorization=%s", strings.Join(missing, " "), header)
	}

	info := &authInfo{signedHeaders: params["SignedHeaders"], signature: params["Signature"]}
	if err := parseCredential(info, params["Credential"]); err != nil {
		return nil, err
	}
	if err := parseDate(info, rawDate, fromDate); err != nil {
		return nil, err
	}
	if vs, ok := r.Header["X-Amz-Security-Token"]; ok && len(vs) > 0 {
		info.token, info.hasToken = vs[0], true
	}
	return info, nil
}

func parseQueryAuth(q url.Values) (*authInfo, error) {
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders"} {
		if q.Get(p) == "" {
			return nil, newErr(CodeIncompleteSignature, "AWS query-string parameters must include '%s'. Re-examine the query-string parameters.", p)
		}
	}
	if alg := q.Get("X-Amz-Algorithm"); alg != algorithm {
		return nil, newErr(CodeIncompleteSignature, "X-Amz-Algorithm only supports \"%s\"", algorithm)
	}
	info := &authInfo{
		presigned:     true,
		signedHeaders: q.Get("X-Amz-SignedHeaders"),
		signature:     q.Get("X-Amz-Signature"),
	}
	if err := parseCredential(info, q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	if err := parseDate(info, q.Get("X-Amz-Date"), false); err != nil {
		return nil, err
	}
	if vs, ok := q["X-Amz-Security-Token"]; ok && len(vs) > 0 {
		info.token, info.hasToken = vs[0], true
	}
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil || n < 0 {
			return nil, newErr(CodeIncompleteSignature, "X-Amz-Expires should be a number")
		}
		if n > maxPresignExpires {
			return nil, newErr(CodeIncompleteSignature, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		info.expires = n
	}
	return info, nil
}

func parseCredential(info *authInfo, c string) error {
	parts := strings.Split(c, "/")
	if len(parts) != 5 {
		return newErr(CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", c)
	}
	info.accessKeyID, info.scopeDate, info.region, info.service = parts[0], parts[1], parts[2], parts[3]
	if parts[4] != terminator {
		return newErr(CodeInvalidSignature, "Credential should be scoped with a valid terminator: '%s', not '%s'.", terminator, parts[4])
	}
	if info.accessKeyID == "" {
		return newErr(CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", c)
	}
	return nil
}

func parseDate(info *authInfo, raw string, fromDate bool) error {
	if fromDate {
		t, err := http.ParseTime(raw)
		if err != nil {
			return newErr(CodeIncompleteSignature, "Date must be in ISO-8601 'basic format' or RFC 1123 format. Got '%s'.", raw)
		}
		info.signedAt = t.UTC()
		info.amzDate = info.signedAt.Format(amzDateFormat)
		return nil
	}
	t, err := time.Parse(amzDateFormat, raw)
	if err != nil || len(raw) != len(amzDateFormat) {
		return newErr(CodeIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", raw)
	}
	info.signedAt, info.amzDate = t.UTC(), raw
	return nil
}

// checkScope validates the credential scope against the request date.
func checkScope(info *authInfo) error {
	date := info.amzDate[:8]
	if info.scopeDate != date {
		return newErr(CodeInvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", info.scopeDate, date, info.amzDate)
	}
	if !validRegion(info.region) {
		return newErr(CodeInvalidSignature, "Credential should be scoped to a valid region. ")
	}
	if info.service == "" {
		return newErr(CodeInvalidSignature, "Credential should be scoped to correct service. ")
	}
	if info.signature == "" || info.signedHeaders == "" {
		return newErr(CodeIncompleteSignature, "Authorization header requires 'Signature' and 'SignedHeaders' parameters.")
	}
	hasHost := false
	for _, h := range strings.Split(info.signedHeaders, ";") {
		if strings.EqualFold(h, "host") || h == ":authority" {
			hasHost = true
		}
	}
	if !hasHost {
		return newErr(CodeInvalidSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return nil
}

func validRegion(r string) bool {
	if r == "" {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// checkTime enforces the 15-minute clock skew window (and X-Amz-Expires for
// presigned requests).
func checkTime(info *authInfo, now time.Time) error {
	now = now.UTC()
	signed := info.signedAt.Format(amzDateFormat)
	if info.signedAt.After(now.Add(MaxSkew)) {
		return newErr(CodeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
			signed, now.Add(MaxSkew).Format(amzDateFormat), now.Format(amzDateFormat))
	}
	if info.presigned && info.expires > 0 {
		if deadline := info.signedAt.Add(time.Duration(info.expires) * time.Second); now.After(deadline) {
			return newErr(CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - %d sec.)",
				signed, now.Add(-time.Duration(info.expires)*time.Second).Format(amzDateFormat), now.Format(amzDateFormat), info.expires)
		}
		return nil
	}
	if info.signedAt.Before(now.Add(-MaxSkew)) {
		return newErr(CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			signed, now.Add(-MaxSkew).Format(amzDateFormat), now.Format(amzDateFormat))
	}
	return nil
}

// payloadHashes returns the payload hash candidates for the canonical request.
func payloadHashes(r *http.Request, body []byte, presigned bool) ([]string, error) {
	sum := sha256.Sum256(body)
	actual := hex.EncodeToString(sum[:])
	if claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed != "" {
		// A claimed hex digest must describe the body actually received.
		if len(claimed) == 64 && isHex(claimed) && !strings.EqualFold(claimed, actual) {
			return nil, newErr(CodeInvalidSignature, msgSignatureMatch)
		}
		return []string{claimed}, nil
	}
	if presigned {
		return []string{actual, unsignedPayload}, nil
	}
	return []string{actual}, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// canonicalHeaders renders "name:value\n" for each signed header name.
func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, n := range names {
		name := strings.ToLower(strings.TrimSpace(n))
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(r, name))
		b.WriteByte('\n')
	}
	return b.String()
}

func headerValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host", ":authority":
		values = []string{r.Host}
	default:
		values = append([]string(nil), r.Header.Values(name)...)
		if len(values) == 0 {
			switch name {
			case "content-length":
				// Go moves this out of the header map in some paths.
				if r.ContentLength >= 0 {
					values = []string{strconv.FormatInt(r.ContentLength, 10)}
				}
			case "transfer-encoding":
				values = append([]string(nil), r.TransferEncoding...)
			}
		}
	}
	for i, v := range values {
		values[i] = trimAll(v)
	}
	return strings.Join(values, ",")
}

// trimAll trims a header value and collapses runs of spaces into one.
func trimAll(v string) string {
	v = strings.Trim(v, " \t")
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	space := false
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// canonicalQuery sorts the query parameters by encoded name, then encoded
// value. X-Amz-Signature is excluded from presigned requests.
func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			dk = k
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			dv = v
		}
		if presigned && dk == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{uriEncode(dk, true), uriEncode(dv, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// canonicalURIs returns the canonical URI candidates: the received escaped
// path encoded again (what aws-sdk-go-v2 signs for non-S3 services), the same
// after dot-segment normalization (what botocore signs), and the escaped path
// as is (S3 style, single encoding).
func canonicalURIs(u *url.URL) []string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	cands := []string{uriEncode(p, false)}
	add := func(c string) {
		for _, x := range cands {
			if x == c {
				return
			}
		}
		cands = append(cands, c)
	}
	add(uriEncode(normalizePath(p), false))
	add(p)
	return cands
}

// normalizePath removes "." and ".." segments and collapses empty segments,
// as botocore's normalize_url_path does.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	res := "/" + strings.Join(out, "/")
	if strings.HasSuffix(p, "/") && res != "/" {
		res += "/"
	}
	return res
}

// uriEncode percent-encodes every byte outside A-Z a-z 0-9 - _ . ~ with
// uppercase hex; '/' is kept unless encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&15])
	}
	return b.String()
}

func hmacSHA256(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte(terminator))
}
