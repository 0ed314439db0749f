package simulator

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestAdminLoopbackOnly: the admin endpoint answers a request with the right token only when it
// comes from a loopback address, so a server listening on all interfaces keeps it to this machine.
func TestAdminLoopbackOnly(t *testing.T) {
	admin := &Admin{Token: "secret"}
	for _, tc := range []struct {
		remote string
		want   int
	}{
		{"127.0.0.1:50000", http.StatusOK},
		{"[::1]:50000", http.StatusOK},
		{"192.0.2.10:50000", http.StatusForbidden},
		{"[2001:db8::1]:50000", http.StatusForbidden},
	} {
		r := httptest.NewRequest(http.MethodGet, "/_kmsim/health", nil)
		r.RemoteAddr = tc.remote
		r.Header.Set("Authorization", "Bearer secret")
		w := httptest.NewRecorder()
		admin.serve(w, r)
		if w.Code != tc.want {
			t.Errorf("from %s: status %d, want %d", tc.remote, w.Code, tc.want)
		}
	}
}
