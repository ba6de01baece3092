package app

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/internal/server"
	"credithub/internal/sqldb"
)

// DefaultDatabaseURL is the local PostgreSQL the spec's set-up assumes.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Config is everything the hub reads from its environment. Every key has an
// environment variable; `credithub dev` fills the development defaults.
type Config struct {
	// Addr is where the HTTP server listens (CREDITHUB_ADDR).
	Addr string
	// DatabaseURL names the PostgreSQL server the local set-up creates its
	// databases on (DATABASE_URL).
	DatabaseURL string
	// DatabasePrefix is prepended to every database name of the local set-up
	// (CREDITHUB_DB_PREFIX), so benchmarks and tests get databases of their own.
	DatabasePrefix string
	// Databases: one per department and the hub's own ("hub"), each with its
	// own connection string, timeout and pool (CREDITHUB_<NAME>_DSN,
	// CREDITHUB_<NAME>_TIMEOUT, CREDITHUB_<NAME>_MAX_CONNS). A DSN left empty
	// is derived from DatabaseURL and the database's local name.
	Databases map[string]sqldb.Config
	// PersonIDKey seals person IDs (CREDITHUB_PERSON_ID_KEY, base64, ≥ 32
	// bytes). Rotating it changes every person's ID.
	PersonIDKey []byte
	// LoaderWait is how long a dataloader collects keys (CREDITHUB_LOADER_WAIT).
	LoaderWait time.Duration
	// Issuers are the token issuers the hub trusts (CREDITHUB_JWT_ISSUERS, a
	// JSON list of {"issuer", "audience", "jwksUrl" or "keyFiles": {kid: path}}).
	// Development adds the development issuer of `credithub token`.
	Issuers []IssuerConfig
	// TokenLeeway is the clock skew allowed on exp/nbf (CREDITHUB_JWT_LEEWAY).
	TokenLeeway time.Duration
	// TokenMaxTTL is each token kind's longest lifetime
	// (CREDITHUB_TOKEN_MAX_TTL, e.g. department=12h,agency=1h; kinds left
	// out keep auth.DefaultMaxLifetimes).
	TokenMaxTTL map[auth.Kind]time.Duration
	// Development turns on GraphiQL, introspection and statement counts in
	// responses (CREDITHUB_DEV).
	Development bool
	// GraphiQL serves the GraphiQL IDE at / (CREDITHUB_GRAPHIQL; on in
	// development, off otherwise).
	GraphiQL bool
	// Dashboard serves the reference dashboard at /dashboard
	// (CREDITHUB_DASHBOARD; on in development, off otherwise).
	Dashboard bool
	// DevTokens serves POST /dev/token, which mints development tokens for
	// the dashboard's role picker. Never read from the environment: only
	// `credithub dev` (and the test hubs) set it, so `serve` cannot have it.
	DevTokens bool
	// CORSOrigins may call /graphql from a browser (CREDITHUB_CORS_ORIGINS,
	// a comma-separated list of exact origins; none by default).
	CORSOrigins []string
	// ReportKey is the Ed25519 seed that signs credit reports
	// (CREDITHUB_REPORT_KEY, base64 of 32 bytes). Its public half verifies
	// them; rotating it leaves earlier reports verifiable only with the old
	// public key.
	ReportKey []byte
	// QueryLogKey is the Ed25519 seed that signs the query log's chain head
	// and its months' seals (CREDITHUB_QUERY_LOG_KEY, base64 of 32 bytes;
	// derived from ReportKey when unset), the same on every instance; its
	// public half verifies them (`credithub audit verify`).
	QueryLogKey []byte
	// QueryLogOff lets personal data leave without a query-log row
	// (CREDITHUB_QUERY_LOG=off): development only, to measure what the
	// log costs (dev/bench/README.md); refused outside development.
	QueryLogOff bool
	// Limits bound each document (CREDITHUB_LIMITS: on, measure or off;
	// CREDITHUB_MAX_BYTES, _TOKENS, _DEPTH, _ALIASES, _ROOT_FIELDS, _COST).
	Limits     server.Limits
	LimitsMode string
	// RateLimit is the cost points per hour of an authenticated client
	// (CREDITHUB_RATE_LIMIT, 0: no rate limit), RateLimitAnonymous those of
	// one anonymous address (CREDITHUB_RATE_LIMIT_ANONYMOUS).
	RateLimit          int
	RateLimitAnonymous int
	// MaxInFlight is how many GraphQL operations an instance executes at
	// once over HTTP (CREDITHUB_MAX_IN_FLIGHT, default 16, 0: unbounded);
	// the others wait up to QueueWait (CREDITHUB_QUEUE_WAIT, default 10s)
	// for a turn and are then refused with OVERLOADED (server/admission.go).
	MaxInFlight int
	QueueWait   time.Duration
	// OnePass writes pages of credit records in one pass instead of
	// gqlgen's field by field execution (CREDITHUB_ONE_PASS, default true;
	// internal/hotlist).
	OnePass bool
	// Metrics serves /metrics (CREDITHUB_METRICS).
	Metrics bool
	// Tracing is the trace exporter: off, stdout or otlp (CREDITHUB_TRACING;
	// otlp reads OTEL_EXPORTER_OTLP_ENDPOINT).
	Tracing string
	// Introspection is who may introspect: all, departments or none
	// (CREDITHUB_INTROSPECTION; development: all, otherwise none).
	Introspection string
	// AgencySafelist: agencies run only their registered operations
	// (CREDITHUB_SAFELIST, default true).
	AgencySafelist bool
	// Breakers: failures in a row that open a department's circuit
	// (CREDITHUB_BREAKER_FAILURES) and how long it stays open
	// (CREDITHUB_BREAKER_COOLDOWN).
	BreakerFailures int
	BreakerCooldown time.Duration
	// GradeInterval is how often every grade is recomputed
	// (CREDITHUB_GRADE_INTERVAL; 0: never).
	GradeInterval time.Duration
	// ShutdownGrace is how long in-flight requests may finish on shutdown
	// (CREDITHUB_SHUTDOWN_GRACE).
	ShutdownGrace time.Duration
	// WarningScan is how often the warning scanner reads what the
	// departments added (CREDITHUB_WARNING_SCAN, default 30s).
	WarningScan time.Duration
	// FeedFollow is how often the change feed's follower reads what the
	// departments added and notes the authorisations that expired
	// (CREDITHUB_FEED_FOLLOW, default 15s).
	FeedFollow time.Duration
	// BanJob is how often the bans job looks for bans whose start or end
	// has come (CREDITHUB_BAN_JOB, default BanJobEvery).
	BanJob time.Duration
}

// DatabaseNames are the databases' roles, in start-up order.
var DatabaseNames = []string{"hub", datasources.Market, datasources.Environment, datasources.Fire, datasources.Housing, datasources.Court}

// FromEnv reads the configuration from getenv, filling defaults and checking
// every value; an error names the variable at fault.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:           or(getenv("CREDITHUB_ADDR"), "127.0.0.1:8080"),
		DatabaseURL:    or(getenv("DATABASE_URL"), DefaultDatabaseURL),
		DatabasePrefix: getenv("CREDITHUB_DB_PREFIX"),
		Databases:      map[string]sqldb.Config{},
		LoaderWait:     250 * time.Microsecond,
	}
	var err error
	if c.Development, err = envBool(getenv, "CREDITHUB_DEV"); err != nil {
		return c, err
	}
	if v := getenv("CREDITHUB_LOADER_WAIT"); v != "" {
		if c.LoaderWait, err = time.ParseDuration(v); err != nil || c.LoaderWait <= 0 || c.LoaderWait > time.Second {
			return c, fmt.Errorf("CREDITHUB_LOADER_WAIT must be a duration between 0 and 1s, such as 2ms")
		}
	}
	if !validPrefix(c.DatabasePrefix) {
		return c, fmt.Errorf("CREDITHUB_DB_PREFIX may hold only lower-case letters, digits and underscores")
	}
	for _, name := range DatabaseNames {
		env := "CREDITHUB_" + strings.ToUpper(name) + "_"
		db := sqldb.Config{Name: name, DSN: getenv(env + "DSN"), Timeout: 3 * time.Second, MaxOpenConns: 10}
		if v := getenv(env + "TIMEOUT"); v != "" {
			if db.Timeout, err = time.ParseDuration(v); err != nil || db.Timeout <= 0 {
				return c, fmt.Errorf("%sTIMEOUT must be a positive duration such as 3s, got %q", env, v)
			}
		}
		if v := getenv(env + "MAX_CONNS"); v != "" {
			if db.MaxOpenConns, err = strconv.Atoi(v); err != nil || db.MaxOpenConns < 1 || db.MaxOpenConns > 200 {
				return c, fmt.Errorf("%sMAX_CONNS must be a whole number from 1 to 200, got %q", env, v)
			}
		}
		if db.DSN == "" {
			if db.DSN, err = sqldb.WithDatabase(c.DatabaseURL, c.DatabasePrefix+LocalName(name)); err != nil {
				return c, fmt.Errorf("DATABASE_URL: %w", err)
			}
		}
		// A department that stops answering must not hold a connection
		// attempt longer than its timeout allows.
		secs := int(db.Timeout.Seconds()) + 1
		if db.DSN, err = sqldb.WithParams(db.DSN, map[string]string{"connect_timeout": strconv.Itoa(secs)}); err != nil {
			return c, fmt.Errorf("%sDSN: %w", env, err)
		}
		c.Databases[name] = db
	}
	if v := getenv("CREDITHUB_JWT_ISSUERS"); v != "" {
		dec := json.NewDecoder(strings.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c.Issuers); err != nil {
			return c, fmt.Errorf("CREDITHUB_JWT_ISSUERS must be a JSON list of {issuer, audience, jwksUrl | keyFiles}: %v", err)
		}
		for i, is := range c.Issuers {
			if is.Issuer == "" || is.Audience == "" || (is.JWKSURL == "") == (len(is.KeyFiles) == 0) {
				return c, fmt.Errorf("CREDITHUB_JWT_ISSUERS[%d] needs issuer, audience and exactly one of jwksUrl and keyFiles", i)
			}
		}
	}
	if !c.Development && len(c.Issuers) == 0 {
		return c, fmt.Errorf("CREDITHUB_JWT_ISSUERS is required outside development: the hub must know whose tokens to trust")
	}
	if v := getenv("CREDITHUB_JWT_LEEWAY"); v != "" {
		if c.TokenLeeway, err = time.ParseDuration(v); err != nil || c.TokenLeeway < 0 || c.TokenLeeway > 2*time.Minute {
			return c, fmt.Errorf("CREDITHUB_JWT_LEEWAY must be a duration from 0 to 2m, got %q", v)
		}
	}
	if c.TokenMaxTTL, err = auth.ParseMaxLifetimes(getenv("CREDITHUB_TOKEN_MAX_TTL")); err != nil {
		return c, fmt.Errorf("CREDITHUB_TOKEN_MAX_TTL: %w", err)
	}
	if c.PersonIDKey, err = PersonIDKey(getenv, c.Development); err != nil {
		return c, err
	}
	if c.ReportKey, err = ParseReportKey(getenv("CREDITHUB_REPORT_KEY"), c.Development); err != nil {
		return c, err
	}
	if c.QueryLogKey, err = ParseQueryLogKey(getenv("CREDITHUB_QUERY_LOG_KEY"), c.ReportKey); err != nil {
		return c, err
	}
	switch v := getenv("CREDITHUB_QUERY_LOG"); v {
	case "", "on":
	case "off":
		if !c.Development {
			return c, fmt.Errorf("CREDITHUB_QUERY_LOG=off is for development only: outside it, no personal data leaves without its query-log row")
		}
		c.QueryLogOff = true
	default:
		return c, fmt.Errorf("CREDITHUB_QUERY_LOG must be on, or off in development, got %q", v)
	}
	c.WarningScan = 30 * time.Second
	if v := getenv("CREDITHUB_WARNING_SCAN"); v != "" {
		if c.WarningScan, err = time.ParseDuration(v); err != nil || c.WarningScan < 10*time.Millisecond || c.WarningScan > 24*time.Hour {
			return c, fmt.Errorf("CREDITHUB_WARNING_SCAN must be a duration from 10ms to 24h, such as 30s, got %q", v)
		}
	}
	c.FeedFollow = 15 * time.Second
	if v := getenv("CREDITHUB_FEED_FOLLOW"); v != "" {
		if c.FeedFollow, err = time.ParseDuration(v); err != nil || c.FeedFollow < 10*time.Millisecond || c.FeedFollow > 24*time.Hour {
			return c, fmt.Errorf("CREDITHUB_FEED_FOLLOW must be a duration from 10ms to 24h, such as 15s, got %q", v)
		}
	}
	c.BanJob = BanJobEvery
	if v := getenv("CREDITHUB_BAN_JOB"); v != "" {
		if c.BanJob, err = time.ParseDuration(v); err != nil || c.BanJob < 100*time.Millisecond || c.BanJob > 24*time.Hour {
			return c, fmt.Errorf("CREDITHUB_BAN_JOB must be a duration from 100ms to 24h, such as 10m, got %q", v)
		}
	}
	if err := c.readProduction(getenv); err != nil {
		return c, err
	}
	if err := c.readBrowsers(getenv); err != nil {
		return c, err
	}
	return c, nil
}

// readBrowsers reads what browsers get: GraphiQL, the dashboard, and the
// origins whose pages may call the hub.
func (c *Config) readBrowsers(getenv func(string) string) error {
	var err error
	c.GraphiQL = c.Development
	if getenv("CREDITHUB_GRAPHIQL") != "" {
		if c.GraphiQL, err = envBool(getenv, "CREDITHUB_GRAPHIQL"); err != nil {
			return err
		}
	}
	c.Dashboard = c.Development
	if getenv("CREDITHUB_DASHBOARD") != "" {
		if c.Dashboard, err = envBool(getenv, "CREDITHUB_DASHBOARD"); err != nil {
			return err
		}
	}
	if c.CORSOrigins, err = server.ParseOrigins(getenv("CREDITHUB_CORS_ORIGINS")); err != nil {
		return fmt.Errorf("CREDITHUB_CORS_ORIGINS: %w", err)
	}
	return nil
}

// readProduction reads the keys of production traffic: limits, rate
// limits, observability, breakers, background jobs. Every error names its
// variable.
func (c *Config) readProduction(getenv func(string) string) error {
	var err error
	c.Limits = server.DefaultLimits()
	c.LimitsMode = or(getenv("CREDITHUB_LIMITS"), "on")
	switch c.LimitsMode {
	case "on", "off":
	case "measure":
		c.Limits.MeasureOnly = true
	default:
		return fmt.Errorf("CREDITHUB_LIMITS must be on, measure or off, got %q", c.LimitsMode)
	}
	for key, dst := range map[string]*int{
		"CREDITHUB_MAX_BYTES": &c.Limits.MaxBytes, "CREDITHUB_MAX_TOKENS": &c.Limits.MaxTokens,
		"CREDITHUB_MAX_DEPTH": &c.Limits.MaxDepth, "CREDITHUB_MAX_ALIASES": &c.Limits.MaxAliases,
		"CREDITHUB_MAX_ROOT_FIELDS": &c.Limits.MaxRootFields, "CREDITHUB_MAX_COST": &c.Limits.MaxCost,
	} {
		if err := envInt(getenv, key, dst, 1, 10_000_000); err != nil {
			return err
		}
	}
	c.RateLimit, c.RateLimitAnonymous = 5000, 1000
	if err := envInt(getenv, "CREDITHUB_RATE_LIMIT", &c.RateLimit, 0, 100_000_000); err != nil {
		return err
	}
	if err := envInt(getenv, "CREDITHUB_RATE_LIMIT_ANONYMOUS", &c.RateLimitAnonymous, 0, 100_000_000); err != nil {
		return err
	}
	c.MaxInFlight, c.QueueWait = 16, 10*time.Second
	if err := envInt(getenv, "CREDITHUB_MAX_IN_FLIGHT", &c.MaxInFlight, 0, 10_000); err != nil {
		return err
	}
	if err := envDuration(getenv, "CREDITHUB_QUEUE_WAIT", &c.QueueWait, time.Millisecond, 5*time.Minute); err != nil {
		return err
	}
	c.OnePass = true
	if v := getenv("CREDITHUB_ONE_PASS"); v != "" {
		if c.OnePass, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("CREDITHUB_ONE_PASS must be true or false, got %q", v)
		}
	}
	c.Metrics = true
	if v := getenv("CREDITHUB_METRICS"); v != "" {
		if c.Metrics, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("CREDITHUB_METRICS must be true or false, got %q", v)
		}
	}
	c.AgencySafelist = true
	if v := getenv("CREDITHUB_SAFELIST"); v != "" {
		if c.AgencySafelist, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("CREDITHUB_SAFELIST must be true or false, got %q", v)
		}
	}
	c.Tracing = or(getenv("CREDITHUB_TRACING"), "off")
	if c.Tracing != "off" && c.Tracing != "stdout" && c.Tracing != "otlp" {
		return fmt.Errorf("CREDITHUB_TRACING must be off, stdout or otlp, got %q", c.Tracing)
	}
	c.Introspection = "none"
	if c.Development {
		c.Introspection = "all"
	}
	c.Introspection = or(getenv("CREDITHUB_INTROSPECTION"), c.Introspection)
	if c.Introspection != "all" && c.Introspection != "departments" && c.Introspection != "none" {
		return fmt.Errorf("CREDITHUB_INTROSPECTION must be all, departments or none, got %q", c.Introspection)
	}
	c.BreakerFailures = 5
	if err := envInt(getenv, "CREDITHUB_BREAKER_FAILURES", &c.BreakerFailures, 1, 1000); err != nil {
		return err
	}
	c.BreakerCooldown = 10 * time.Second
	if err := envDuration(getenv, "CREDITHUB_BREAKER_COOLDOWN", &c.BreakerCooldown, 10*time.Millisecond, time.Hour); err != nil {
		return err
	}
	if c.GradeInterval, err = gradeInterval(getenv("CREDITHUB_GRADE_INTERVAL")); err != nil {
		return err
	}
	c.ShutdownGrace = 30 * time.Second
	return envDuration(getenv, "CREDITHUB_SHUTDOWN_GRACE", &c.ShutdownGrace, 0, 10*time.Minute)
}

func envInt(getenv func(string) string, key string, dst *int, lo, hi int) error {
	v := getenv(key)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return fmt.Errorf("%s must be a whole number from %d to %d, got %q", key, lo, hi, v)
	}
	*dst = n
	return nil
}

func envDuration(getenv func(string) string, key string, dst *time.Duration, lo, hi time.Duration) error {
	v := getenv(key)
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		return fmt.Errorf("%s must be a duration from %s to %s, such as 30s, got %q", key, lo, hi, v)
	}
	*dst = d
	return nil
}

// ParseReportKey reads CREDITHUB_REPORT_KEY: base64 of a 32-byte Ed25519
// seed, or when it is empty in development a fixed seed, so that reports
// issued in development stay verifiable across restarts.
func ParseReportKey(v string, dev bool) ([]byte, error) {
	if v == "" {
		if !dev {
			return nil, fmt.Errorf("CREDITHUB_REPORT_KEY is required outside development (base64 of a 32-byte Ed25519 seed, e.g. head -c32 /dev/urandom | base64)")
		}
		k := sha256.Sum256([]byte("credithub development report signing key"))
		return k[:], nil
	}
	k, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("CREDITHUB_REPORT_KEY must be base64 of exactly 32 bytes (an Ed25519 seed)")
	}
	return k, nil
}

// ParseQueryLogKey reads CREDITHUB_QUERY_LOG_KEY: base64 of a 32-byte
// Ed25519 seed; when it is empty, a seed derived from the report key's
// (reportKey), so that a deployment has one secret fewer to hand to every
// instance, and a development log stays verifiable across restarts.
func ParseQueryLogKey(v string, reportKey []byte) ([]byte, error) {
	if v == "" {
		k := sha256.Sum256(append([]byte("credithub query log key\n"), reportKey...))
		return k[:], nil
	}
	k, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("CREDITHUB_QUERY_LOG_KEY must be base64 of exactly 32 bytes (an Ed25519 seed)")
	}
	return k, nil
}

// IssuerConfig is one trusted token issuer.
type IssuerConfig struct {
	Issuer   string            `json:"issuer"`
	Audience string            `json:"audience"`
	JWKSURL  string            `json:"jwksUrl"`
	KeyFiles map[string]string `json:"keyFiles"`
}

// LocalName is a database's name in the local set-up.
func LocalName(name string) string {
	if name == "hub" {
		return "credithub"
	}
	return "dept_" + name
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func envBool(getenv func(string) string, key string) (bool, error) {
	v := getenv(key)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, got %q", key, v)
	}
	return b, nil
}

func validPrefix(p string) bool {
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return len(p) <= 20
}

// Environ is os.Getenv, for callers that do not override the environment.
var Environ = os.Getenv

// PersonIDKey reads the key that seals person IDs: CREDITHUB_PERSON_ID_KEY
// (base64, at least 32 bytes), else in development a fixed key, so that
// person IDs stay stable across restarts and `credithub token --kind
// person` seals as `credithub dev` opens.
func PersonIDKey(getenv func(string) string, development bool) ([]byte, error) {
	if v := getenv("CREDITHUB_PERSON_ID_KEY"); v != "" {
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("CREDITHUB_PERSON_ID_KEY must be base64 of at least 32 random bytes")
		}
		return k, nil
	}
	if development {
		k := sha256.Sum256([]byte("credithub development person id key"))
		return k[:], nil
	}
	return nil, fmt.Errorf("CREDITHUB_PERSON_ID_KEY is required outside development (base64 of 32 random bytes)")
}
