package devpg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"sync"
	"time"

	_ "github.com/lib/pq" // the "postgres" driver pingOnce opens

	"credithub/internal/sqldb"
)

const (
	// DefaultDataDir is where a private cluster lives, relative to the
	// current working directory (the repository root).
	DefaultDataDir = ".data/pg"
	// DefaultURL is tried when DATABASE_URL is not set.
	DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

// Timeouts; variables so that tests can shorten them.
var (
	externalWait = 5 * time.Second  // how long DATABASE_URL may take to answer
	defaultWait  = 1 * time.Second  // how long the default URL may take to answer
	privateWait  = 30 * time.Second // how long a started private cluster may take to answer
	stopBudget   = 60 * time.Second // used by Stop when its ctx is already done
)

// Options for Ensure.
type Options struct {
	DataDir    string       // default ".data/pg"
	Logger     *slog.Logger // may be nil
	DefaultURL string       // default "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	// Getenv lets tests control the environment; defaults to os.Getenv.
	Getenv func(string) string
}

func (o Options) withDefaults() Options {
	if o.DataDir == "" {
		o.DataDir = DefaultDataDir
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.DefaultURL == "" {
		o.DefaultURL = DefaultURL
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	return o
}

// Server is a reachable PostgreSQL server.
type Server struct {
	URL     string // admin connection URL (database "postgres")
	Private bool   // true when Ensure started it (or adopted one left running by a crashed run)

	// DataDir and LogFile locate a private cluster; empty otherwise.
	DataDir string
	LogFile string

	mu      sync.Mutex
	stopped bool
	stop    func(context.Context) error // nil for servers devpg does not own
}

// Stop stops a private cluster (pg_ctl stop -m fast); it is a no-op
// otherwise. It is safe to call more than once and on a nil *Server; after
// a successful stop later calls return nil. A cluster that is already down
// counts as stopped.
//
// Stop usually runs during shutdown, often with a context that a signal has
// already canceled; so if ctx is already done, Stop does not give up but
// uses a fresh budget of one minute.
func (s *Server) Stop(ctx context.Context) error {
	if s == nil || s.stop == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), stopBudget)
		defer cancel()
	}
	if err := s.stop(ctx); err != nil {
		return err
	}
	s.stopped = true
	return nil
}

// Ensure returns a reachable server: DATABASE_URL if set (it must answer,
// else an error naming it — never silently start another one), else the
// default URL if it answers within ~1s, else a private cluster (see the
// package documentation). The caller should defer srv.Stop.
func Ensure(ctx context.Context, opts Options) (*Server, error) {
	o := opts.withDefaults()
	log := o.Logger

	if u := o.Getenv("DATABASE_URL"); u != "" {
		if err := waitReady(ctx, u, externalWait); err != nil {
			return nil, fmt.Errorf("devpg: DATABASE_URL=%s does not answer: %w (fix the server or the URL, or unset DATABASE_URL to use a local server; devpg does not start its own server while DATABASE_URL is set)", redact(u), err)
		}
		log.Info("using PostgreSQL from DATABASE_URL", "url", redact(u))
		return &Server{URL: u}, nil
	}

	pingErr := pingOnce(ctx, o.DefaultURL, defaultWait)
	if pingErr == nil {
		log.Info("using PostgreSQL at the default URL", "url", redact(o.DefaultURL))
		return &Server{URL: o.DefaultURL}, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	log.Info("no usable PostgreSQL at the default URL; starting a private cluster", "url", redact(o.DefaultURL), "reason", pingErr)

	srv, err := startPrivate(ctx, o)
	if err != nil {
		if errors.Is(err, ErrNoBinaries) {
			return nil, fmt.Errorf("devpg: DATABASE_URL is not set and nothing usable answers at %s (%v), so a private PostgreSQL cluster is needed, but %w", redact(o.DefaultURL), pingErr, err)
		}
		return nil, err
	}
	return srv, nil
}

// pingOnce connects to dsn once, giving up after timeout.
func pingOnce(ctx context.Context, dsn string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.PingContext(ctx)
	if err != nil && ctx.Err() != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("no answer within %v: %w", timeout, err)
	}
	return err
}

// waitReady pings dsn until it answers or timeout passes. Errors reported
// by the server itself (wrong password, unknown database, ...) end the wait
// at once, except "the database system is starting up".
func waitReady(ctx context.Context, dsn string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		attempt := time.Until(deadline)
		if attempt > 3*time.Second {
			attempt = 3 * time.Second
		}
		err := pingOnce(ctx, dsn, max(attempt, 100*time.Millisecond))
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if sqldb.IsRefusal(err) {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer within %v: %w", timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

var passwordRE = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)

// redact hides the password of a URL or key=value connection string.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.Redacted()
	}
	return passwordRE.ReplaceAllString(dsn, "${1}xxxxx")
}
