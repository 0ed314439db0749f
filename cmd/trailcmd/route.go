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

// Detect runs the built-in detection rules over every event of the trail in dir, through a live
// server when one holds dir, else on the file directly.
func Detect(ctx context.Context, dir string) ([]trail.Finding, error) {
	rules, err := trail.BuiltinRules()
	if err != nil {
		return nil, err
	}
	return detect(ctx, dir, rules, trail.Scope{})
}

func detect(ctx context.Context, dir string, rules []trail.Rule, scope trail.Scope) ([]trail.Finding, error) {
	var findings []trail.Finding
	err := withTrail(dir, func(info serve.ServerInfo) (err error) {
		findings, err = serve.DetectServer(ctx, info, rules, scope)
		return err
	}, func(store *trail.Store) (err error) {
		findings, err = store.Detect(ctx, rules, scope)
		return err
	})
	return findings, err
}

// withTrail runs viaServer against the server holding dir when one answers there (DuckDB lets only
// one process open the file for writing), else opens the file and runs direct on it.
func withTrail(dir string, viaServer func(serve.ServerInfo) error, direct func(*trail.Store) error) error {
	if info, ok := serve.ReadServerInfo(dir); ok {
		err := viaServer(info)
		var qe *serve.QueryError
		if err == nil || errors.As(err, &qe) {
			return err
		}
		// The server is gone (killed or stopped without cleanup): open the file ourselves.
	}
	store, err := openData(dir, false)
	if err != nil {
		return err
	}
	defer store.Close()
	return direct(store)
}
