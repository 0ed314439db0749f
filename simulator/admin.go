package simulator

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/kmsim/kmsim/trail"
)

// Admin serves kmsim's own endpoints under /_kmsim/, for the CLI running beside a server:
// POST /_kmsim/query runs SQL against the trail the server holds open; GET /_kmsim/clock reads
// the simulated clock and POST /_kmsim/clock advances it; GET /_kmsim/state reads a Snapshot of the
// keys, policies, grants and rotations; /_kmsim/trail/ goes to Trail. Every request must carry
// "Authorization: Bearer <Token>"; the token lives in the data directory (mode 0600).
type Admin struct {
	Token string
	Query func(ctx context.Context, sql string) (*trail.Result, error)
	Clock Clock
	// Trail, when set, serves the trail's other verbs (reports, detections, export, prune)
	// under /_kmsim/trail/.
	Trail http.Handler
	// State, when set, answers GET /_kmsim/state; *Server's Snapshot is one.
	State func() *Snapshot
}

// Clock is the simulated clock the admin endpoint drives; *Server implements it.
type Clock interface {
	Now() time.Time
	Advance(ctx context.Context, d time.Duration) error
	Set(ctx context.Context, t time.Time) error
}

// ClockState is the body of GET /_kmsim/clock and of its POST's answer.
type ClockState struct {
	Now string `json:"now"` // RFC 3339
}

// ClockRequest is the body of POST /_kmsim/clock: exactly one of Advance (a Go duration such
// as "720h") or Set (RFC 3339).
type ClockRequest struct {
	Advance string `json:"advance,omitempty"`
	Set     string `json:"set,omitempty"`
}

// QueryRequest is the body of POST /_kmsim/query.
type QueryRequest struct {
	SQL string `json:"sql"`
}

func (a *Admin) serve(w http.ResponseWriter, r *http.Request) {
	if a == nil || a.Token == "" {
		http.NotFound(w, r)
		return
	}
	if !fromLoopback(r) {
		http.Error(w, `{"message":"the admin endpoint answers only loopback clients"}`, http.StatusForbidden)
		return
	}
	got := []byte(r.Header.Get("Authorization"))
	want := []byte("Bearer " + a.Token)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		http.Error(w, `{"message":"invalid admin token"}`, http.StatusUnauthorized)
		return
	}
	if a.Trail != nil && strings.HasPrefix(r.URL.Path, "/_kmsim/trail/") {
		a.Trail.ServeHTTP(w, r)
		return
	}
	switch r.URL.Path {
	case "/_kmsim/health":
		w.Write([]byte(`{"status":"ok"}`))
	case "/_kmsim/query":
		var q QueryRequest
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&q) != nil || q.SQL == "" {
			http.Error(w, `{"message":"POST a JSON body {\"sql\": \"...\"}"}`, http.StatusBadRequest)
			return
		}
		res, err := a.Query(r.Context(), q.SQL)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"message": err.Error()})
			return
		}
		json.NewEncoder(w).Encode(res)
	case "/_kmsim/clock":
		a.serveClock(w, r)
	case "/_kmsim/state":
		if a.State == nil || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(a.State())
	default:
		http.NotFound(w, r)
	}
}

// fromLoopback reports whether r comes from this machine: the admin token gives the whole data
// directory, so it is never accepted from elsewhere, whatever address the server listens on.
func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (a *Admin) serveClock(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodPost {
		var req ClockRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			adminError(w, http.StatusBadRequest, "POST a JSON body {\"advance\": \"720h\"} or {\"set\": \"RFC 3339 time\"}")
			return
		}
		var err error
		switch {
		case req.Advance != "" && req.Set == "":
			var d time.Duration
			if d, err = time.ParseDuration(req.Advance); err == nil {
				err = a.Clock.Advance(r.Context(), d)
			}
		case req.Set != "" && req.Advance == "":
			var t time.Time
			if t, err = time.Parse(time.RFC3339, req.Set); err == nil {
				err = a.Clock.Set(r.Context(), t)
			}
		default:
			err = errors.New("give exactly one of advance and set")
		}
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	json.NewEncoder(w).Encode(ClockState{Now: a.Clock.Now().Format(time.RFC3339)})
}

func adminError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
