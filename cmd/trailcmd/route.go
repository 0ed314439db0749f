package trailcmd

import (
	"context"
	"errors"

	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/trail"
)

// Query runs sql over the trail in dir the way `kmsim trail query` does: through a live server when
// one holds dir, else on the file directly. The TUI's trail view shares it.
func Query(ctx context.Context, dir, sql string) (*trail.Result, error) {
	if info, ok := serve.ReadServerInfo(dir); ok {
		res, err := serve.QueryServer(ctx, info, sql)
		if err == nil {
			return res, nil
		}
		var qe *serve.QueryError
		if errors.As(err, &qe) {
			return nil, err
		}
		// The server is gone (killed or stopped without cleanup): open the file ourselves.
	}
	return queryFile(ctx, dir, sql)
}

// Detect runs the built-in detection rules over every event of the trail in dir. It opens the file,
// so it fails while a server holds dir (the error says so).
func Detect(ctx context.Context, dir string) ([]trail.Finding, error) {
	rules, err := trail.BuiltinRules()
	if err != nil {
		return nil, err
	}
	store, err := openData(dir, false)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	return store.Detect(ctx, rules, trail.Scope{})
}
