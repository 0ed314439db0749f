package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/kmsim/kmsim/simulator"
	"github.com/kmsim/kmsim/trail"
)

// QueryError is a query the server ran and rejected (bad SQL), as opposed to an unreachable server.
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
