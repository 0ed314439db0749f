package simulator

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
)

// operation is one API operation: whether CloudTrail marks it read-only, and its typed handler
// behind a decoder.
type operation struct {
	readOnly bool
	serve    func(s *Server, ctx context.Context, c *call, body []byte) (any, error)
}

// kmsOp adapts a typed handler: it decodes the JSON 1.1 body into I, runs h, and records the
// request parameters (after h, so defaults it fills in are recorded as AWS records them).
func kmsOp[I, O any](readOnly bool, h func(*Server, context.Context, *call, *I) (*O, error)) operation {
	return operation{readOnly: readOnly, serve: func(s *Server, ctx context.Context, c *call, body []byte) (any, error) {
		in := new(I)
		if len(strings.TrimSpace(string(body))) > 0 {
			if err := json.Unmarshal(body, in); err != nil {
				return nil, apiError("SerializationException", "Start of structure or map found where not expected.")
			}
		}
		if err := checkGrantTokens(body); err != nil {
			c.params = trailParameters(in)
			return nil, err
		}
		out, err := h(s, ctx, c, in)
		// Parameters the handler recorded itself (CloudTrail names some members differently) win.
		params := trailParameters(in)
		for k, v := range c.params {
			if params == nil {
				params = map[string]any{}
			}
			params[k] = v
		}
		c.params = params
		if err != nil {
			return nil, err
		}
		return out, nil
	}}
}

func (s *Server) serveKMS(w http.ResponseWriter, r *http.Request, c *call, body []byte) {
	if len(body) > maxBodyBytes {
		writeJSONError(w, c.requestID, apiError("SerializationException", "Request body is too large."))
		return
	}
	if err := s.authenticate(r, c, body, "kms"); err != nil {
		apiErr, _ := toAPIError(err)
		s.record(c, apiErr)
		writeJSONError(w, c.requestID, apiErr)
		return
	}
	op, ok := kmsOperations[c.op]
	if !ok {
		writeJSONError(w, c.requestID, apiError("UnknownOperationException", ""))
		return
	}
	c.readOnly = op.readOnly
	var out any
	err := s.checkQuota(c, body)
	if err == nil {
		out, err = op.serve(s, r.Context(), c, body)
	}
	if err != nil {
		apiErr, internal := toAPIError(err)
		if internal {
			s.log.Error("internal error", "operation", c.op, "requestID", c.requestID, "err", err)
		}
		s.record(c, apiErr)
		writeJSONError(w, c.requestID, apiErr)
		return
	}
	s.record(c, nil)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", c.requestID)
	json.NewEncoder(w).Encode(out)
}

// writeJSONError writes an AWS JSON 1.1 error: __type and X-Amzn-ErrorType carry the same name.
func writeJSONError(w http.ResponseWriter, requestID string, e *APIError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	if requestID != "" {
		w.Header().Set("x-amzn-RequestId", requestID)
	}
	w.WriteHeader(e.Status)
	body := map[string]string{"__type": e.Code}
	if e.Message != "" {
		body["message"] = e.Message
	}
	json.NewEncoder(w).Encode(body)
}

// trailParameters renders an operation input as CloudTrail's requestParameters: member names in
// lowerCamel case, absent members left out, and binary members (plaintext, ciphertext) never recorded.
func trailParameters(in any) map[string]any {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	out, _ := trailValue(v).(map[string]any)
	if len(out) == 0 {
		return nil
	}
	return out
}

func trailValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return trailValue(v.Elem())
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" || f.Tag.Get("trail") == "-" {
				continue
			}
			fv := v.Field(i)
			if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8 {
				continue // blobs are secrets or ciphertext
			}
			if isEmpty(fv) && f.Tag.Get("trail") != "always" {
				continue
			}
			out[lowerFirst(name)] = trailValue(fv)
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = trailValue(v.Index(i))
		}
		return out
	default:
		return v.Interface()
	}
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	return false
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
