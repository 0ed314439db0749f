package simulator

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kmsim/kmsim/evaluator"
	"github.com/kmsim/kmsim/evaluator/worldview"
	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/simulator/sigv4"
	"github.com/kmsim/kmsim/trail"
)

// maxBodyBytes bounds a request body; AWS KMS requests are far smaller.
const maxBodyBytes = 1 << 20

// Recorder receives one CloudTrail record per handled call. trail.Writer implements it.
type Recorder interface {
	Write(rec *trail.Record) error
}

// Config holds what a Server is built from.
type Config struct {
	// World is the starting world; its keys seed an empty data directory.
	World *fixtures.World
	// DataDir holds persistent state (keys, aliases, sessions, master key). Empty keeps everything in memory.
	DataDir string
	// Recorder receives the trail; nil discards it.
	Recorder Recorder
	// Evaluator decides authorization; nil uses evaluator.New().
	Evaluator *evaluator.Evaluator
	// Now is the simulated clock (key creation and deletion dates, aws:CurrentTime); default time.Now.
	Now func() time.Time
	// WallClock checks request signature times; default time.Now.
	WallClock func() time.Time
	// Logger receives internal errors; default slog.Default().
	Logger *slog.Logger
	// Admin serves the authenticated /_kmsim/ endpoints; nil disables them.
	Admin *Admin
	// Quotas turns on AWS's request quotas: calls over them fail with ThrottlingException.
	Quotas bool
	// LastUse finds a key's last successful use among operations in the trail (GetKeyLastUsage);
	// nil reports no use.
	LastUse func(ctx context.Context, keyARN string, operations []string) (*trail.Use, error)
}

// Server is the KMS and STS API over HTTP.
type Server struct {
	cfg   Config
	dir   *directory
	state *state
	seal  *sealer
	eval  *evaluator.Evaluator
	log   *slog.Logger
	stop  chan struct{} // ends the scheduler goroutine
	// throttle enforces request quotas; nil when they are off.
	throttle *throttle
}

// New builds a server, loading or seeding persistent state in cfg.DataDir.
func New(cfg Config) (*Server, error) {
	if cfg.World == nil {
		return nil, errors.New("simulator: a world is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.WallClock == nil {
		cfg.WallClock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Evaluator == nil {
		cfg.Evaluator = evaluator.New()
	}
	seal, err := loadSealer(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	st, err := openState(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, state: st, seal: seal, eval: cfg.Evaluator, log: cfg.Logger, stop: make(chan struct{})}
	s.dir = newDirectory(cfg.World, cfg.Now())
	if cfg.Quotas {
		s.throttle = newThrottle()
	}
	if err := s.seed(); err != nil {
		st.close()
		return nil, err
	}
	if err := s.RunDue(context.Background()); err != nil {
		st.close()
		return nil, err
	}
	go s.tick(time.Minute, s.stop)
	return s, nil
}

// Close stops the scheduler and releases the state journal.
func (s *Server) Close() error {
	close(s.stop)
	return s.state.close()
}

// ServeHTTP routes KMS (JSON 1.1, X-Amz-Target: TrentService.<Op>) and STS (query protocol) calls.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_kmsim/") {
		s.cfg.Admin.serve(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		writeJSONError(w, "", apiError("SerializationException", "Could not read the request body."))
		return
	}
	c := s.newCall(r)
	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(target, "TrentService."):
		c.service, c.op = "kms", strings.TrimPrefix(target, "TrentService.")
		s.serveKMS(w, r, c, body)
	case target == "" && r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		c.service = "sts"
		s.serveSTS(w, r, c, body)
	default:
		writeJSONError(w, c.requestID, apiError("UnknownOperationException", ""))
	}
}

// call is the state of one API call: who made it and what the trail records about it.
type call struct {
	service, op string
	requestID   string
	eventID     string
	time        time.Time
	region      string
	accessKeyID string
	sourceIP    string
	userAgent   string
	caller      *caller
	// net is the network and service side of the call (see worldview.CallFacts).
	net      worldview.Call
	readOnly bool
	// Trail contents set by the operation.
	params     map[string]any
	response   map[string]any
	additional map[string]any // additionalEventData
	resources  []trail.Resource
	tls        *trail.TLSDetails
}

func (s *Server) newCall(r *http.Request) *call {
	c := &call{requestID: uuid.NewString(), eventID: uuid.NewString(), time: s.Now(), userAgent: r.UserAgent()}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.sourceIP = host
	}
	if r.TLS != nil {
		c.tls = &trail.TLSDetails{TLSVersion: tlsVersionName(r.TLS.Version), CipherSuite: tlsCipherName(r.TLS.CipherSuite), ClientProvidedHostHeader: r.Host}
	}
	return c
}

// authenticate verifies the signature and resolves the caller. On failure it still
// names the owner of a known access key so the failed call can be recorded.
func (s *Server) authenticate(r *http.Request, c *call, body []byte, service string) error {
	c.accessKeyID = sigv4.AccessKeyID(r)
	if owner := s.credentialOwner(c.accessKeyID); owner != nil {
		c.caller = s.dir.callerFor(owner)
		s.setNetwork(c, owner, service)
	}
	res, err := sigv4.Verify(r, body, func(id string) (sigv4.Credential, bool) {
		if o := s.credentialOwner(id); o != nil {
			return o.cred, true
		}
		return sigv4.Credential{}, false
	}, s.cfg.WallClock())
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return apiError(se.Code, "%s", se.Message)
		}
		return err
	}
	if res.Service != service {
		return apiError("InvalidSignatureException", "Credential should be scoped to correct service: '%s'. ", service)
	}
	c.region = res.Region
	return nil
}

// credentialOwner finds who owns an access key: the world's principals, then minted sessions.
func (s *Server) credentialOwner(id string) *credentialOwner {
	if id == "" {
		return nil
	}
	if o, ok := s.dir.keys[id]; ok {
		return o
	}
	s.state.mu.RLock()
	sess, ok := s.state.sessions[id]
	s.state.mu.RUnlock()
	if !ok {
		return nil
	}
	secret, err := s.seal.open(sess.Secret)
	if err != nil {
		return nil
	}
	return s.dir.mintedOwner(sess, string(secret))
}

// record hands the call's CloudTrail record to the recorder.
func (s *Server) record(c *call, err error) {
	if s.cfg.Recorder == nil || c.caller == nil {
		return
	}
	rec := s.trailRecord(c, err)
	if werr := s.cfg.Recorder.Write(rec); werr != nil {
		s.log.Error("trail write failed", "eventID", rec.EventID, "err", werr)
	}
}
