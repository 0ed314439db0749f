package trailcmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/trail"
)

// openData opens DIR/kmsim.duckdb read-write, after folding in any records a killed server left in
// the trail journal. create allows a missing file (import creates it). While a server holds DIR,
// DuckDB refuses a second process: the error says to stop the server. (Only import gets there
// while a server runs: the other verbs go through the server's admin endpoint, see withTrail.)
func openData(dir string, create bool) (*trail.Store, error) {
	path := filepath.Join(dir, "kmsim.duckdb")
	if !create {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no trail in %s: %w", dir, err)
		}
	}
	store, err := trail.Open(path)
	if errors.Is(err, trail.ErrLocked) {
		who := "another process"
		if info, ok := serve.ReadServerInfo(dir); ok {
			who = fmt.Sprintf("a running kmsim server (pid %d, %s)", info.PID, info.Addr)
		}
		return nil, fmt.Errorf("%s holds %s: stop it (Ctrl-C or kill %s) and run the command again; "+
			"query, report, detect, export and prune work while it runs", who, path, pidText(dir))
	}
	if err != nil {
		return nil, err
	}
	w, err := trail.NewWriter(store, filepath.Join(dir, "trail.journal"))
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

func pidText(dir string) string {
	if info, ok := serve.ReadServerInfo(dir); ok && info.PID > 0 {
		return strconv.Itoa(info.PID)
	}
	return "PID"
}

// scopeFlags are the flags that narrow which events a verb reads.
type scopeFlags struct {
	Key, Since, From, To, Account, Region, Principal string
}

func (s *scopeFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&s.Key, "key", "", "only events on this key `ARN` or key ID")
	fl.StringVar(&s.Since, "since", "", "only events of the last `DURATION` (7d, 12h, 30m, 2w)")
	fl.StringVar(&s.From, "from", "", "only events at or after `TIME` (RFC 3339 or YYYY-MM-DD)")
	fl.StringVar(&s.To, "to", "", "only events before `TIME` (RFC 3339 or YYYY-MM-DD)")
	fl.StringVar(&s.Account, "account", "", "only events of this account `ID` (recipient, caller or key account)")
	fl.StringVar(&s.Region, "region", "", "only events in this `REGION`")
	fl.StringVar(&s.Principal, "principal", "", "only calls by this principal `ARN` (a role matches its sessions)")
}

// scope checks the flags and builds the trail.Scope; errors are usage errors.
func (s *scopeFlags) scope(now time.Time) (trail.Scope, error) {
	sc := trail.Scope{Key: s.Key, Account: s.Account, Region: s.Region, Principal: s.Principal}
	if s.Since != "" && s.From != "" {
		return sc, cmdutil.FlagErrorf("specify only one of --since and --from")
	}
	var err error
	if s.Since != "" {
		d, err := parseAge(s.Since)
		if err != nil {
			return sc, cmdutil.FlagErrorf("invalid --since %q: %v", s.Since, err)
		}
		sc.From = now.Add(-d)
	}
	if s.From != "" {
		if sc.From, err = parseTime(s.From); err != nil {
			return sc, cmdutil.FlagErrorf("invalid --from %q: %v", s.From, err)
		}
	}
	if s.To != "" {
		if sc.To, err = parseTime(s.To); err != nil {
			return sc, cmdutil.FlagErrorf("invalid --to %q: %v", s.To, err)
		}
	}
	if !sc.From.IsZero() && !sc.To.IsZero() && !sc.From.Before(sc.To) {
		return sc, cmdutil.FlagErrorf("--from must be before --to")
	}
	return sc, nil
}

// parseAge parses 7d, 2w, 12h, 30m (or any Go duration).
func parseAge(s string) (time.Duration, error) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 {
				return 0, errors.New("want a positive count of days (7d), weeks (2w), hours (12h) or minutes (30m)")
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("want a positive count of days (7d), weeks (2w), hours (12h) or minutes (30m)")
	}
	return d, nil
}

// parseTime parses RFC 3339 or a date (midnight UTC).
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("want RFC 3339 (2024-05-01T12:00:00Z) or a date (2024-05-01)")
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// nowFunc is the clock relative flags (--since 7d, --before 90d) count from; tests replace it.
var nowFunc = time.Now
