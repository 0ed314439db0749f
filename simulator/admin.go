package simulator

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"

	"github.com/kmsim/kmsim/trail"
)

// Admin serves kmsim's own endpoints under /_kmsim/, for the CLI running beside a server:
// POST /_kmsim/query runs SQL against the trail the server holds open. Every request must
// carry "Authorization: Bearer <Token>"; the token lives in the data directory (mode 0600).
type Admin struct {
	Token string
	Query func(ctx context.Context, sql string) (*trail.Result, error)
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
	got := []byte(r.Header.Get("Authorization"))
	want := []byte("Bearer " + a.Token)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		http.Error(w, `{"message":"invalid admin token"}`, http.StatusUnauthorized)
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
	default:
		http.NotFound(w, r)
	}
}
