package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

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
