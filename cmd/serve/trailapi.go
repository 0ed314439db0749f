package serve

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"time"

	"github.com/kmsim/kmsim/trail"
)

// The trail verbs a running server answers for the CLI, since it holds the database file: each is
// a POST of a JSON body to /_kmsim/trail/VERB on the authenticated admin endpoint. Each first waits
// for the records already written to be stored, so it sees every call the server acknowledged.

// ReportRequest is the body of POST /_kmsim/trail/report; the answer is a trail.Result.
type ReportRequest struct {
	Name  string      `json:"name"`
	Scope trail.Scope `json:"scope"`
}

// DetectRequest is the body of POST /_kmsim/trail/detect; the answer is a list of trail.Finding.
type DetectRequest struct {
	Rules []trail.Rule `json:"rules"`
	Scope trail.Scope  `json:"scope"`
}

// ExportRequest is the body of POST /_kmsim/trail/export; the answer is a trail.ExportSummary.
// Dir is absolute: the server writes there.
type ExportRequest struct {
	Dir    string      `json:"dir"`
	Format string      `json:"format"`
	Scope  trail.Scope `json:"scope"`
}

// PruneRequest is the body of POST /_kmsim/trail/prune; the answer is PruneResponse.
type PruneRequest struct {
	Before time.Time `json:"before"`
}

// PruneResponse says how many events a prune deleted.
type PruneResponse struct {
	Deleted int64 `json:"deleted"`
}

// trailHandler serves the trail verbs on store; flush waits for the records written so far.
func trailHandler(store *trail.Store, flush func(context.Context) error) http.Handler {
	mux := http.NewServeMux()
	handle(mux, "report", flush, func(ctx context.Context, req ReportRequest) (any, error) {
		return store.Report(ctx, req.Name, req.Scope)
	})
	handle(mux, "detect", flush, func(ctx context.Context, req DetectRequest) (any, error) {
		findings, err := store.Detect(ctx, req.Rules, req.Scope)
		if findings == nil {
			findings = []trail.Finding{}
		}
		return findings, err
	})
	handle(mux, "export", flush, func(ctx context.Context, req ExportRequest) (any, error) {
		if !filepath.IsAbs(req.Dir) {
			return nil, errors.New("export: the directory must be an absolute path")
		}
		return store.Export(ctx, req.Dir, trail.ExportOptions{Format: req.Format, Scope: req.Scope})
	})
	handle(mux, "prune", flush, func(ctx context.Context, req PruneRequest) (any, error) {
		n, err := store.Prune(ctx, req.Before)
		return PruneResponse{Deleted: n}, err
	})
	return mux
}

// handle serves POST /_kmsim/trail/VERB: it decodes a Req, flushes, runs and answers JSON.
func handle[Req any](mux *http.ServeMux, verb string, flush func(context.Context) error, run func(context.Context, Req) (any, error)) {
	mux.HandleFunc("POST /_kmsim/trail/"+verb, func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeError(w, "POST a JSON "+verb+" request: "+err.Error())
			return
		}
		if err := flush(r.Context()); err != nil {
			writeError(w, err.Error())
			return
		}
		out, err := run(r.Context(), req)
		if err != nil {
			writeError(w, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
}

func writeError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
