package sigv4_test

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

	"github.com/kmsim/kmsim/simulator/sigv4"
)

func FuzzVerify(f *testing.F) {
	good := sign(f, kmsSpec())
	f.Add(good.Header.Get("Authorization"), "20240101T000000Z", "")
	f.Add("AWS4-HMAC-SHA256 garbage", "20240101T000000Z", "")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature=", "", "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request,SignedHeaders=host,Signature=00", "2024", "a=%zz&&=")
	f.Add("Bearer x", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2F20240101%2Fus-east-1%2Fsts%2Faws4_request")
	f.Add("", "20240101T000000Z", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a/20240101/us-east-1/sts/aws4_request&X-Amz-Date=20240101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab&X-Amz-Expires=-1")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/kms/aws4_request, SignedHeaders=content-length;host;transfer-encoding;x-amz-date, Signature="+
		"0000000000000000000000000000000000000000000000000000000000000000", "20240101T000000Z", "")
	body := []byte(kmsSpec().body)
	f.Fuzz(func(t *testing.T, auth, date, rawQuery string) {
		r, err := http.NewRequest(http.MethodPost, "https://kms.us-east-1.amazonaws.com/", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.URL.RawQuery = rawQuery
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", "TrentService.Encrypt")
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		_ = sigv4.AccessKeyID(r)
		res, err := sigv4.Verify(r, body, lookup, signTime)
		if err != nil {
			var se *sigv4.Error
			if !errors.As(err, &se) || se.Code == "" || se.Message == "" {
				t.Fatalf("error %v (%T) is not a populated *sigv4.Error", err, err)
			}
			return
		}
		if res == nil || res.AccessKeyID == "" || res.Service == "" {
			t.Fatalf("nil error with result %+v", res)
		}
	})
}
