package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/kmsim/kmsim/simulator"
	"github.com/kmsim/kmsim/trail"
)

// QueryError is a request the server ran and rejected (bad SQL, an unknown report), as opposed to
// an unreachable server.
type QueryError struct{ msg string }

func (e *QueryError) Error() string { return e.msg }

// QueryServer runs sql on the server described by info, through its admin endpoint.
func QueryServer(ctx context.Context, info ServerInfo, sql string) (*trail.Result, error) {
	body, _ := json.Marshal(map[string]string{"sql": sql})
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+info.Addr+"/_kmsim/query", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+info.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		var res trail.Result
		dec := json.NewDecoder(resp.Body)
		dec.UseNumber()
		if err := dec.Decode(&res); err != nil {
			return nil, err
		}
		return &res, nil
	case http.StatusBadRequest:
		var e struct{ Message string }
		json.NewDecoder(resp.Body).Decode(&e)
		return nil, &QueryError{msg: e.Message}
	default:
		return nil, fmt.Errorf("server answered %s", resp.Status)
	}
}

// ReportServer runs a trail report on the server described by info.
func ReportServer(ctx context.Context, info ServerInfo, name string, scope trail.Scope) (*trail.Result, error) {
	var res trail.Result
	err := callTrail(ctx, info, "report", ReportRequest{Name: name, Scope: scope}, &res)
	return &res, err
}

// DetectServer runs detection rules on the server described by info.
func DetectServer(ctx context.Context, info ServerInfo, rules []trail.Rule, scope trail.Scope) ([]trail.Finding, error) {
	var findings []trail.Finding
	err := callTrail(ctx, info, "detect", DetectRequest{Rules: rules, Scope: scope}, &findings)
	return findings, err
}

// ExportServer has the server described by info export its trail under dir (made absolute).
func ExportServer(ctx context.Context, info ServerInfo, dir, format string, scope trail.Scope) (trail.ExportSummary, error) {
	var sum trail.ExportSummary
	abs, err := filepath.Abs(dir)
	if err != nil {
		return sum, err
	}
	err = callTrail(ctx, info, "export", ExportRequest{Dir: abs, Format: format, Scope: scope}, &sum)
	return sum, err
}

// PruneServer has the server described by info delete the events before t.
func PruneServer(ctx context.Context, info ServerInfo, before time.Time) (int64, error) {
	var res PruneResponse
	err := callTrail(ctx, info, "prune", PruneRequest{Before: before}, &res)
	return res.Deleted, err
}

// callTrail posts req to /_kmsim/trail/VERB and decodes the answer into out. A request the
// server refused is a *QueryError; any other error means the server did not answer.
func callTrail(ctx context.Context, info ServerInfo, verb string, req, out any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+info.Addr+"/_kmsim/trail/"+verb, bytes.NewReader(body))
	if err != nil {
		return err
	}
	httpReq.Header.Set("Authorization", "Bearer "+info.Token)
	httpReq.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(httpReq)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		dec := json.NewDecoder(resp.Body)
		dec.UseNumber()
		return dec.Decode(out)
	case http.StatusBadRequest:
		var e struct{ Message string }
		json.NewDecoder(resp.Body).Decode(&e)
		return &QueryError{msg: e.Message}
	default:
		return fmt.Errorf("server answered %s", resp.Status)
	}
}

// ClockServer reads the running server's simulated clock and, when req asks, advances it first.
func ClockServer(ctx context.Context, info ServerInfo, req *simulator.ClockRequest) (time.Time, error) {
	method, body := http.MethodGet, []byte(nil)
	if req != nil {
		method = http.MethodPost
		body, _ = json.Marshal(req)
	}
	httpReq, err := http.NewRequestWithContext(ctx, method, "http://"+info.Addr+"/_kmsim/clock", bytes.NewReader(body))
	if err != nil {
		return time.Time{}, err
	}
	httpReq.Header.Set("Authorization", "Bearer "+info.Token)
	resp, err := http.DefaultClient.Do(httpReq)
	if err != nil {
		return time.Time{}, fmt.Errorf("no kmsim server answers at %s: %w", info.Addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Message string }
		json.NewDecoder(resp.Body).Decode(&e)
		return time.Time{}, fmt.Errorf("clock: %s", e.Message)
	}
	var st simulator.ClockState
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339, st.Now)
}

// StateServer reads a snapshot of the running server's keys, policies, grants and rotations.
func StateServer(ctx context.Context, info ServerInfo) (*simulator.Snapshot, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+info.Addr+"/_kmsim/state", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+info.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("no kmsim server answers at %s: %w", info.Addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("state: server answered %s", resp.Status)
	}
	var snap simulator.Snapshot
	if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil {
		return nil, err
	}
	return &snap, nil
}
