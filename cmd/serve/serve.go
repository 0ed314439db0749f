// Package serve implements `kmsim serve`: the KMS and STS simulator over HTTP.
package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/simulator"
	"github.com/kmsim/kmsim/trail"
)

// DefaultAddr is where `kmsim serve` listens unless --addr says otherwise: loopback only.
const DefaultAddr = "127.0.0.1:8084"

// DefaultDataDir is the data directory used when --data is not given.
const DefaultDataDir = ".kmsim"

// Options are the serve command's inputs.
type Options struct {
	Factory   *cmdutil.Factory
	Addr      string
	DataDir   string
	WorldPath string
	Sync      bool
	TrailDir  string // also write the trail in CloudTrail's S3 layout here
	Quotas    bool
	// Ready, if set, receives the bound address once the server accepts connections (tests use it).
	Ready func(addr string)
	// Stop, if set, ends the server when closed (tests use it); signals always do.
	Stop <-chan struct{}
}

// NewCmd builds `kmsim serve`.
func NewCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the KMS simulator: real AWS clients call it, every call is authorized and recorded",
		Long: `Serve the AWS KMS API (JSON 1.1, TrentService) and the STS API (GetCallerIdentity, AssumeRole)
over HTTP. Requests must be signed with SigV4 using credentials of the world's principals; every call is
authorized by the key policy and IAM policies and recorded as a CloudTrail event in DIR/kmsim.duckdb.

The server binds to the loopback interface unless --addr names another. State (keys, aliases, role
sessions) persists in --data; restarting with the same directory continues where it stopped.`,
		Example: `  # the embedded demo world on 127.0.0.1:8084, state in ./.kmsim
  $ kmsim serve

  # then, in another shell, as the demo admin user
  $ AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
      aws --region us-east-1 --endpoint-url http://127.0.0.1:8084 kms list-keys

  # your own world, another port and data directory
  $ kmsim serve --world world.yaml --addr 127.0.0.1:9000 --data /tmp/kms`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", DefaultAddr, "`HOST:PORT` to listen on")
	cmd.Flags().StringVar(&opts.DataDir, "data", DefaultDataDir, "data `DIR` for state and the trail")
	cmd.Flags().StringVar(&opts.WorldPath, "world", "", "world `FILE` (default: the embedded demo world)")
	cmd.Flags().BoolVar(&opts.Sync, "fsync", false, "fsync every trail record and state change (survives power loss, slower)")
	cmd.Flags().StringVar(&opts.TrailDir, "trail-dir", "", "also write the trail as CloudTrail delivers it to S3 (AWSLogs/…/*.json.gz) under `DIR`, flushed every minute")
	cmd.Flags().BoolVar(&opts.Quotas, "quotas", false, "enforce AWS KMS request quotas: calls over them fail with ThrottlingException")
	return cmd
}

// ServerInfo is written to DIR/server.json while a server holds DIR, so other kmsim commands
// can reach it (mode 0600: it holds the admin token).
type ServerInfo struct {
	Addr  string `json:"addr"`
	Token string `json:"token"`
	PID   int    `json:"pid"`
}

// Run serves until a signal arrives or opts.Stop closes.
func Run(ctx context.Context, opts *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	logger := slog.New(slog.NewTextHandler(opts.Factory.IO.ErrOut, nil))
	world, err := opts.Factory.LoadWorld(opts.WorldPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return err
	}
	store, err := trail.Open(filepath.Join(opts.DataDir, "kmsim.duckdb"))
	if err != nil {
		return fmt.Errorf("open trail: %w", err)
	}
	defer store.Close()
	writer, err := trail.NewWriter(store, filepath.Join(opts.DataDir, "trail.journal"), trail.WithSync(opts.Sync), trail.WithLogger(logger))
	if err != nil {
		return fmt.Errorf("open trail journal: %w", err)
	}
	defer writer.Close()
	var recorder trail.Recorder = writer
	if opts.TrailDir != "" {
		delivery := trail.NewDeliveryWriter(opts.TrailDir, time.Minute)
		defer delivery.Close()
		recorder = trail.Tee{writer, delivery}
	}

	token := make([]byte, 24)
	if _, err := rand.Read(token); err != nil {
		return err
	}
	admin := &simulator.Admin{Token: hex.EncodeToString(token), Query: func(ctx context.Context, sql string) (*trail.Result, error) {
		if err := writer.Flush(ctx); err != nil {
			return nil, err
		}
		return store.Query(ctx, sql)
	}}
	admin.Trail = trailHandler(store, writer.Flush)
	lastUse := func(ctx context.Context, keyARN string, ops []string) (*trail.Use, error) {
		if err := writer.Flush(ctx); err != nil {
			return nil, err
		}
		return store.LastUse(ctx, keyARN, ops)
	}
	srv, err := simulator.New(simulator.Config{World: world, DataDir: opts.DataDir, Recorder: recorder, Logger: logger, Admin: admin, LastUse: lastUse, Quotas: opts.Quotas})
	if err != nil {
		return err
	}
	defer srv.Close()
	admin.Clock = srv
	admin.State = srv.Snapshot

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	info := ServerInfo{Addr: addr, Token: admin.Token, PID: os.Getpid()}
	infoPath := filepath.Join(opts.DataDir, "server.json")
	if err := writeJSONFile(infoPath, info); err != nil {
		ln.Close()
		return err
	}
	defer os.Remove(infoPath)

	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	fmt.Fprintf(opts.Factory.IO.ErrOut, "kmsim: serving KMS and STS for world %q on http://%s (data in %s)\n", world.Name, addr, opts.DataDir)
	if opts.Ready != nil {
		opts.Ready(addr)
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-sigs:
	case <-opts.Stop:
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return httpSrv.Shutdown(shutdown)
}
