package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"credithub/auth"
	"credithub/dev/devpg"
	"credithub/internal/app"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/obs"
	"credithub/internal/server"
	"credithub/internal/sqldb"
	"credithub/internal/supervision"
)

const usage = `credithub — the credit hub of Heihe's market supervision

  credithub dev   [--addr 127.0.0.1:8080] [--entities 2000] [--seed 1]
                  create, migrate and seed the local databases, then serve
                  with GraphiQL at / and the dashboard at /dashboard (its
                  role picker mints development tokens; a private
                  PostgreSQL is started under .data/
                  when DATABASE_URL is unset and none answers locally)
  credithub serve serve from the configured databases (production)
  credithub token --kind department|agency|entity|association|public-service|admin
                  --org CODE --scopes "a:b c:d" [--sub S] [--ttl 1h]
  credithub token --kind person --id-number ID [--ttl 1h]
                  print a development token (trusted by credithub dev only);
                  --ttl at most the kind's longest lifetime
                  (CREDITHUB_TOKEN_MAX_TTL); a person's --id-number is
                  sealed into org with the hub's person ID key
  credithub audit verify [--since YYYY-MM] [--public-key BASE64]
                  prove the query log: its months' seals, every row's
                  hash and link (from --since's month on, starting from
                  the seal of the month before), the signed chain head;
                  archived months are proven by their seals; exit 1
                  naming the first fault. The key: the flag, else
                  CREDITHUB_QUERY_LOG_KEY's (or CREDITHUB_REPORT_KEY's
                  derived one), else with CREDITHUB_DEV=true the
                  development key
  credithub audit archive --month YYYY-MM
                  detach a sealed month's partition from the query log,
                  after checking its rows against the seal; then dump
                  the table it names (pg_dump -t) and drop it
  credithub audit public-key
                  print the query log key's public half (for verifiers)
  credithub report verify [--public-key BASE64] <report.json>
                  check a saved credit report ({number, issuedAt, content,
                  signature}) against the report key's public half (the
                  flag, else CREDITHUB_REPORT_KEY's, else with
                  CREDITHUB_DEV=true the development key's); exit 1 when
                  it is not genuine
  credithub safelist register --org AGENCY file.graphql...
                  register the operations an agency may run (by SHA-256)
  credithub pg url
                  print the URL of a PostgreSQL that answers: DATABASE_URL,
                  the local server, or a private one started under .data/
  credithub pg stop
                  stop the private PostgreSQL, if one runs
  credithub seed  [--entities N] [--seed S]
                  create, migrate and seed the local databases, then exit

Configuration is read from the environment (README: "Configuration").
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	logger := server.Logger(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	switch args[0] {
	case "dev":
		return runDev(ctx, args[1:], getenv, stdout, logger, true)
	case "seed":
		return runDev(ctx, args[1:], getenv, stdout, logger, false)
	case "serve":
		cfg, err := app.FromEnv(getenv)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stdout, logger)
	case "token":
		return runToken(args[1:], getenv, stdout)
	case "audit":
		return runAudit(ctx, args[1:], getenv, stdout, logger)
	case "report":
		return runReport(args[1:], getenv, stdout)
	case "safelist":
		return runSafelist(ctx, args[1:], getenv, stdout)
	case "pg":
		return runPG(ctx, args[1:], getenv, stdout, logger)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// runDev is `credithub dev` (serve=true) and `credithub seed`.
func runDev(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger, serveAfter bool) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	entities := fs.Int("entities", 2000, "synthetic entities to seed into empty databases")
	seed := fs.Uint64("seed", 1, "seed of the synthetic data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *entities < 10 || *entities > 1_000_000 {
		return fmt.Errorf("--entities must be between 10 and 1000000")
	}
	pg, err := devpg.Ensure(ctx, devpg.Options{Logger: logger, Getenv: getenv})
	if err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := pg.Stop(stopCtx); err != nil {
			logger.Error("stopping the private PostgreSQL", "err", err)
		}
	}()
	env := func(k string) string {
		switch k {
		case "DATABASE_URL":
			return pg.URL
		case "CREDITHUB_DEV":
			if v := getenv(k); v != "" {
				return v
			}
			return "true"
		case "CREDITHUB_ADDR":
			return *addr
		}
		return getenv(k)
	}
	cfg, err := app.FromEnv(env)
	if err != nil {
		return err
	}
	// The dashboard's role picker mints development tokens: `dev` only.
	cfg.DevTokens = cfg.Development
	start := time.Now()
	if err := app.Prepare(ctx, cfg, app.SeedOptions{Entities: *entities, Seed: *seed}, logger); err != nil {
		return err
	}
	logger.Info("local databases ready", "took", time.Since(start).Round(time.Millisecond).String(), "private_postgres", pg.Private)
	if !serveAfter {
		return nil
	}
	return serve(ctx, cfg, stdout, logger)
}

// defaultMemoryLimit is the hub's soft memory limit when GOMEMLIMIT is not
// set.
const defaultMemoryLimit = 128 << 20

// serve runs the hub until ctx ends, then drains in-flight requests.
func serve(ctx context.Context, cfg app.Config, stdout io.Writer, logger *slog.Logger) error {
	// A soft limit on the heap, unless GOMEMLIMIT (which the runtime reads
	// itself) says otherwise. With GOGC at 200 (main.go) the heap may grow
	// to three times what is live between collections; under load that
	// was most of the 339 MiB measured at 64 clients (issue #16). Near the
	// limit the collector runs more often instead, and the admission
	// (CREDITHUB_MAX_IN_FLIGHT) keeps what is live small. A soft limit:
	// a hub that needs more still gets it, at more collections.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	stopTracing, err := obs.StartTracing(ctx, cfg.Tracing)
	if err != nil {
		return err
	}
	defer func() {
		tctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = stopTracing(tctx)
	}()
	a, err := app.Open(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "credithub listening on http://%s/ (GraphiQL: %v, dashboard: %v)\n", ln.Addr(), cfg.GraphiQL, cfg.Dashboard)
	if cfg.Dashboard {
		fmt.Fprintf(stdout, "dashboard: http://%s/dashboard\n", ln.Addr())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop taking new connections, let the requests in flight finish (up
	// to the grace period), then close the databases (deferred above).
	logger.Info("shutting down: draining in-flight requests", "grace", cfg.ShutdownGrace.String())
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("in-flight requests did not finish within %s: %w", cfg.ShutdownGrace, err)
	}
	logger.Info("shut down cleanly")
	return nil
}

// runSafelist registers the operations an agency may run.
func runSafelist(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("safelist", flag.ContinueOnError)
	org := fs.String("org", "", "the agency's id, as its tokens carry it in org")
	if len(args) == 0 || args[0] != "register" {
		return errors.New("usage: credithub safelist register --org AGENCY file.graphql...")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *org == "" || fs.NArg() == 0 {
		return errors.New("usage: credithub safelist register --org AGENCY file.graphql...")
	}
	ops := map[string]string{}
	for _, path := range fs.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		ops[path] = string(b)
	}
	env := func(k string) string {
		if k == "CREDITHUB_DEV" && getenv(k) == "" && getenv("CREDITHUB_PERSON_ID_KEY") == "" {
			return "true" // registering needs no keys; do not demand them
		}
		return getenv(k)
	}
	cfg, err := app.FromEnv(env)
	if err != nil {
		return err
	}
	db, err := sqldb.Open(cfg.Databases["hub"])
	if err != nil {
		return err
	}
	defer db.Close()
	hashes, err := server.Register(ctx, hubdb.New(db.DB), *org, ops)
	if err != nil {
		return err
	}
	for _, path := range fs.Args() {
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", *org, hashes[path], path)
	}
	return nil
}

// runPG lets scripts share the dev command's way of finding PostgreSQL.
func runPG(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	if len(args) != 1 {
		return errors.New("usage: credithub pg url|stop")
	}
	switch args[0] {
	case "url":
		// The private server, if started, keeps running for the caller; the
		// caller stops it with `credithub pg stop`.
		pg, err := devpg.Ensure(ctx, devpg.Options{Logger: logger, Getenv: getenv})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, pg.URL)
		return nil
	case "stop":
		pg, err := devpg.Ensure(ctx, devpg.Options{Logger: logger, Getenv: func(string) string { return "" }, DefaultURL: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable"})
		if err != nil {
			return err
		}
		return pg.Stop(ctx)
	}
	return fmt.Errorf("unknown pg command %q", args[0])
}

// runToken mints a development token, no longer-lived than the hub
// accepts (CREDITHUB_TOKEN_MAX_TTL, or the defaults).
func runToken(args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	kind := fs.String("kind", "", "department, agency, entity, association, public-service, admin or person")
	org := fs.String("org", "", "department code, agency id, or the entity's or the association's unified social credit code")
	idNumber := fs.String("id-number", "", "for kind person: the person's resident ID number, sealed into org with the hub's person ID key")
	scopes := fs.String("scopes", "", "space-separated scopes (kind person: default "+strings.Join(auth.PersonScopes, " ")+")")
	sub := fs.String("sub", "", "subject (default kind:org)")
	ttl := fs.Duration("ttl", time.Hour, "lifetime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	max, err := auth.ParseMaxLifetimes(getenv("CREDITHUB_TOKEN_MAX_TTL"))
	if err != nil {
		return fmt.Errorf("CREDITHUB_TOKEN_MAX_TTL: %w", err)
	}
	scope := strings.Fields(*scopes)
	switch {
	case auth.Kind(*kind) == auth.KindPerson:
		if *org != "" {
			return errors.New("--org is not for kind person: give --id-number, which the hub seals into the token's org")
		}
		if *idNumber == "" {
			return errors.New("--id-number is required for kind person")
		}
		if err := ident.ValidateResidentID(*idNumber); err != nil {
			return fmt.Errorf("--id-number: %v", err)
		}
		if *org, err = sealPerson(getenv, *idNumber); err != nil {
			return err
		}
		if *scopes == "" {
			scope = auth.PersonScopes
		}
	case *idNumber != "":
		return errors.New("--id-number is for kind person only")
	}
	tok, err := auth.MintDev(auth.DevToken{Kind: auth.Kind(*kind), Org: *org, Subject: *sub, Scopes: scope, TTL: *ttl, MaxLifetimes: max})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// sealPerson seals idNo into the person ID a person's token carries as its
// org, with the hub's person ID key: CREDITHUB_PERSON_ID_KEY, else the
// development key `credithub dev` uses.
func sealPerson(getenv func(string) string, idNo string) (string, error) {
	key, err := app.PersonIDKey(getenv, true)
	if err != nil {
		return "", err
	}
	sealer, err := gid.NewSealer(key)
	if err != nil {
		return "", err
	}
	return sealer.Person(idNo), nil
}

// runAudit verifies the query log, archives a sealed month or prints the
// log's public key.
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	const use = "usage: credithub audit verify [--since YYYY-MM] [--public-key BASE64] | audit archive --month YYYY-MM | audit public-key"
	if len(args) == 0 {
		return errors.New(use)
	}
	fs := flag.NewFlagSet("audit "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	since := fs.String("since", "", "verify from this month on (YYYY-MM), starting from the seal of the month before")
	month := fs.String("month", "", "the month to archive (YYYY-MM)")
	pubFlag := fs.String("public-key", "", "the query log key's public half, base64 (credithub audit public-key)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
		return errors.New(use)
	}
	pub, err := queryLogPublicKey(*pubFlag, getenv)
	if err != nil {
		return err
	}
	if args[0] == "public-key" {
		fmt.Fprintln(stdout, base64.StdEncoding.EncodeToString(pub))
		return nil
	}
	parseMonth := func(flagName, v string) (time.Time, error) {
		m, err := time.Parse("2006-01", v)
		if err != nil {
			return m, fmt.Errorf("--%s must be a month as YYYY-MM, such as 2026-01, got %q", flagName, v)
		}
		return m, nil
	}
	env := func(k string) string {
		if k == "CREDITHUB_DEV" && getenv(k) == "" && getenv("CREDITHUB_PERSON_ID_KEY") == "" {
			return "true" // reading the log needs no key; do not demand one
		}
		return getenv(k)
	}
	cfg, err := app.FromEnv(env)
	if err != nil {
		return err
	}
	db, err := sqldb.Open(cfg.Databases["hub"])
	if err != nil {
		return err
	}
	defer db.Close()
	ql := &auth.QueryLog{Store: hubdb.New(db.DB).QueryLog(), Public: pub}
	switch args[0] {
	case "verify":
		var from time.Time
		if *since != "" {
			if from, err = parseMonth("since", *since); err != nil {
				return err
			}
		}
		v, err := ql.Verify(ctx, from)
		var broken *auth.Broken
		if errors.As(err, &broken) {
			fmt.Fprintf(stdout, "query log BROKEN: %s (%d rows verified before it)\n", broken.Error(), v.Rows)
			if broken.Month != "" {
				return fmt.Errorf("query log broken at the seal of %s", broken.Month)
			}
			return fmt.Errorf("query log broken at row %d", broken.ID)
		}
		if err != nil {
			return err
		}
		span := "no rows"
		if v.LastID > 0 {
			span = fmt.Sprintf("rows %d–%d", v.FirstID, v.LastID)
		}
		fmt.Fprintf(stdout, "query log verified: %d rows, chain intact (%s) to the signed head; %d months sealed", v.Rows, span, len(v.Sealed))
		for i, s := range v.Archived {
			sep := ", "
			if i == 0 {
				sep = "; archived and proven by their seals: "
			}
			fmt.Fprintf(stdout, "%s%s (rows %d–%d)", sep, s.MonthName(), s.FirstID, s.LastID)
		}
		fmt.Fprintln(stdout)
		return nil
	case "archive":
		m, err := parseMonth("month", *month)
		if err != nil {
			return err
		}
		table, err := ql.Archive(ctx, m)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s detached from query_log (its rows match its seal). Dump it, then drop it:\n  pg_dump --table=%s --format=custom --file=%s.dump <the hub's database>\n  psql <the hub's database> -c 'DROP TABLE %s'\n",
			*month, table, table, table)
		return nil
	}
	return errors.New(use)
}

// queryLogPublicKey is the key the query log is verified with: the flag's,
// else the public half of the configured signing key (its own, or the one
// derived from the report key), else with CREDITHUB_DEV=true the
// development one.
func queryLogPublicKey(flagValue string, getenv func(string) string) (ed25519.PublicKey, error) {
	if flagValue != "" {
		k, err := base64.StdEncoding.DecodeString(flagValue)
		if err != nil || len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("--public-key must be base64 of a %d-byte Ed25519 public key (credithub audit public-key)", ed25519.PublicKeySize)
		}
		return k, nil
	}
	dev := strings.EqualFold(getenv("CREDITHUB_DEV"), "true") || getenv("CREDITHUB_DEV") == "1"
	if getenv("CREDITHUB_QUERY_LOG_KEY") == "" && getenv("CREDITHUB_REPORT_KEY") == "" && !dev {
		return nil, errors.New("no query log key to verify with: pass --public-key, or set CREDITHUB_QUERY_LOG_KEY (or CREDITHUB_REPORT_KEY, which it is derived from when unset), or CREDITHUB_DEV=true for the development key")
	}
	var report []byte
	if getenv("CREDITHUB_QUERY_LOG_KEY") == "" {
		var err error
		if report, err = app.ParseReportKey(getenv("CREDITHUB_REPORT_KEY"), dev); err != nil {
			return nil, err
		}
	}
	seed, err := app.ParseQueryLogKey(getenv("CREDITHUB_QUERY_LOG_KEY"), report)
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey), nil
}

// runReport verifies a saved credit report offline, as its holder would:
// with the report key's public half, without asking the hub.
func runReport(args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: credithub report verify [--public-key BASE64] <report.json>")
	}
	fs := flag.NewFlagSet("report verify", flag.ContinueOnError)
	pubFlag := fs.String("public-key", "", "the report key's public half, base64 (CreditReport.publicKey)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: credithub report verify [--public-key BASE64] <report.json>")
	}
	pub, err := reportPublicKey(*pubFlag, getenv)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	// The file is the report as the graph returned it: the four fields the
	// signature binds, and any others (ignored; publicKey is not trusted
	// from the file it would vouch for).
	var p supervision.Presented
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("%s is not a report: it must be a JSON object with number, issuedAt (RFC 3339), content and signature: %v", fs.Arg(0), err)
	}
	if p.Number == "" || p.IssuedAt.IsZero() || p.Signature == "" {
		return fmt.Errorf("%s is not a report: number, issuedAt and signature are required", fs.Arg(0))
	}
	v := supervision.CheckOffline(pub, p)
	if !v.Genuine {
		fmt.Fprintf(stdout, "report %s is NOT genuine: %s\n", p.Number, v.Reason)
		return fmt.Errorf("report %s is not genuine", p.Number)
	}
	fmt.Fprintf(stdout, "report %s is genuine and unchanged (issued %s, content SHA-256 %s, key %s)\n",
		p.Number, p.IssuedAt.UTC().Format(time.RFC3339Nano), supervision.ContentHash([]byte(p.Content)), supervision.KeyID(pub))
	return nil
}

// reportPublicKey is the key a report is verified with: the flag's, else
// the public half of the configured (or development) signing key.
func reportPublicKey(flagValue string, getenv func(string) string) (ed25519.PublicKey, error) {
	if flagValue != "" {
		k, err := base64.StdEncoding.DecodeString(flagValue)
		if err != nil || len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("--public-key must be base64 of a %d-byte Ed25519 public key (CreditReport.publicKey)", ed25519.PublicKeySize)
		}
		return k, nil
	}
	// The development key is derived from a string in this source: anyone
	// can sign with it, so it is used only when asked for (CREDITHUB_DEV).
	dev := strings.EqualFold(getenv("CREDITHUB_DEV"), "true") || getenv("CREDITHUB_DEV") == "1"
	if getenv("CREDITHUB_REPORT_KEY") == "" && !dev {
		return nil, errors.New("no report key to verify with: pass --public-key (CreditReport.publicKey of the hub you trust), or set CREDITHUB_REPORT_KEY, or CREDITHUB_DEV=true for the development key")
	}
	seed, err := app.ParseReportKey(getenv("CREDITHUB_REPORT_KEY"), dev)
	if err != nil {
		return nil, err
	}
	signer, err := supervision.NewSigner("", seed)
	if err != nil {
		return nil, err
	}
	return signer.Public(), nil
}
