package simulator

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
)

// stsNamespace is the XML namespace of STS responses.
const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// stsOperation is one STS action: it reads form values and returns the <Action>Result element.
type stsOperation func(s *Server, ctx context.Context, c *call, form url.Values) (any, error)

// stsOperations is the STS dispatch table (query protocol, Action=<Op>).
var stsOperations = map[string]stsOperation{
	"AssumeRole":        (*Server).assumeRole,
	"GetCallerIdentity": (*Server).getCallerIdentity,
}

// stsErrorCodes renames errors to the codes STS (a query-protocol service) uses.
var stsErrorCodes = map[string]string{
	"UnrecognizedClientException":         "InvalidClientTokenId",
	"InvalidSignatureException":           "SignatureDoesNotMatch",
	"IncompleteSignatureException":        "IncompleteSignature",
	"MissingAuthenticationTokenException": "MissingAuthenticationToken",
	"ExpiredTokenException":               "ExpiredToken",
	"AccessDeniedException":               "AccessDenied",
	"ValidationException":                 "ValidationError",
}

func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request, c *call, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeSTSError(w, c.requestID, apiError("MalformedInput", "The request body could not be parsed."))
		return
	}
	c.op = form.Get("Action")
	if err := s.authenticate(r, c, body, "sts"); err != nil {
		apiErr, _ := toAPIError(err)
		s.record(c, apiErr)
		writeSTSError(w, c.requestID, apiErr)
		return
	}
	op, ok := stsOperations[c.op]
	if !ok {
		writeSTSError(w, c.requestID, apiError("InvalidAction", "Could not find operation %s for version %s", c.op, form.Get("Version")))
		return
	}
	result, err := op(s, r.Context(), c, form)
	if err != nil {
		apiErr, internal := toAPIError(err)
		if internal {
			s.log.Error("internal error", "operation", c.op, "requestID", c.requestID, "err", err)
		}
		s.record(c, apiErr)
		writeSTSError(w, c.requestID, apiErr)
		return
	}
	s.record(c, nil)
	type response struct {
		XMLName  xml.Name
		Xmlns    string `xml:"xmlns,attr"`
		Result   any
		Metadata struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}
	resp := response{XMLName: xml.Name{Local: c.op + "Response"}, Xmlns: stsNamespace, Result: result}
	resp.Metadata.RequestID = c.requestID
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", c.requestID)
	xml.NewEncoder(w).Encode(resp)
}

// writeSTSError writes a query-protocol ErrorResponse.
func writeSTSError(w http.ResponseWriter, requestID string, e *APIError) {
	code := e.Code
	if renamed, ok := stsErrorCodes[code]; ok {
		code = renamed
	}
	status := e.Status
	if code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" || code == "AccessDenied" {
		status = http.StatusForbidden
	}
	type errorResponse struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Xmlns   string   `xml:"xmlns,attr"`
		Error   struct {
			Type    string
			Code    string
			Message string
		}
		RequestID string `xml:"RequestId"`
	}
	resp := errorResponse{Xmlns: stsNamespace, RequestID: requestID}
	resp.Error.Type, resp.Error.Code, resp.Error.Message = "Sender", code, e.Message
	if status >= 500 {
		resp.Error.Type = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	xml.NewEncoder(w).Encode(resp)
}
