// Package app assembles the hub from its configuration: it opens the
// databases, loads the catalogue, wires the resolvers and the HTTP server.
// The command (cmd/credithub) and the end-to-end tests build the hub through
// it, so they run the same thing.
package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/court"
	"credithub/datasources/environment"
	"credithub/datasources/fire"
	"credithub/datasources/housing"
	"credithub/datasources/market"
	"credithub/graph"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/feed"
	"credithub/internal/gid"
	"credithub/internal/hotlist"
	"credithub/internal/hubdb"
	"credithub/internal/loaders"
	"credithub/internal/obs"
	"credithub/internal/server"
	"credithub/internal/sqldb"
	"credithub/internal/stats"
	"credithub/internal/supervision"
	"credithub/internal/workday"
	"credithub/internal/workflow"
	"credithub/resolvers"
)

// department ties a department's local set-up to its record source.
type department struct {
	setup  datasources.Setup
	source func(*sqldb.DB) datasources.Source
}

// departments are the fan-out targets in the contract's order.
var departments = []department{
	{market.Setup, func(db *sqldb.DB) datasources.Source { return market.NewSource(db) }},
	{environment.Setup, func(db *sqldb.DB) datasources.Source { return environment.NewSource(db) }},
	{fire.Setup, func(db *sqldb.DB) datasources.Source { return fire.NewSource(db) }},
	{housing.Setup, func(db *sqldb.DB) datasources.Source { return housing.NewSource(db) }},
	{court.Setup, func(db *sqldb.DB) datasources.Source { return court.NewSource(db) }},
}

// Setups lists the local set-up of every database, the hub's first.
func Setups() []datasources.Setup {
	out := []datasources.Setup{hubdb.Setup}
	for _, d := range departments {
		out = append(out, d.setup)
	}
	return out
}

// App is a running hub's parts.
type App struct {
	Config    Config
	DBs       map[string]*sqldb.DB
	Handler   http.Handler
	Logger    *slog.Logger
	Catalogue *catalogue.Catalogue
	// Measures is the measures catalogue (T19), read once at start-up.
	Measures *catalogue.Measures
	Loaders  *loaders.Deps
	// State is the overlays on records, in memory.
	State *hubdb.State
	// Metrics are the instance's Prometheus metrics (nil when off).
	Metrics *obs.Metrics
	// Trust holds the agencies' safelist and the persisted queries.
	Trust *server.Trust
	// RateLimiter is the instance's share of the rate limit (nil when off).
	RateLimiter *server.RateLimiter
	// Admission bounds the operations run at once (nil when unbounded).
	Admission *server.Admission
	// Reports issues and checks signed credit reports (T7, T30).
	Reports *supervision.Reports
	// Scanner raises warnings from what the departments add (T25); it
	// ticks every Config.WarningScan, and tests call Tick themselves.
	Scanner *supervision.Scanner
	// Follower appends the departments' new records and the expired
	// authorisations to the agencies' change feed (T30); it follows every
	// Config.FeedFollow, and tests call Tick themselves.
	Follower *feed.Follower
	// Feed reads the change feed for agencies.
	Feed *feed.Service
	// Warnings is this instance's one listener on the warnings channel,
	// feeding the GraphQL subscriptions.
	Warnings *supervision.Broker
	// Work is this instance's one listener on the work channel, feeding
	// the departments' workArrived subscriptions.
	Work *workflow.WorkBroker
	// Supervision answers credit checks, grades and inspection plans, and
	// runs the grade job.
	Supervision *supervision.Service
	// Workflows runs the state machines, and the bans job (T21).
	Workflows *workflow.Service
	// QueryLog writes the query log's rows in batches, seals its months
	// and verifies it.
	QueryLog *auth.QueryLog
	// Sealer seals ID numbers into person IDs (Person.id, a person token's
	// org) and opens them, with CREDITHUB_PERSON_ID_KEY.
	Sealer *gid.Sealer
	stop   []func()
}

// Open connects to every database and assembles the hub. Departments that do
// not answer do not stop it: /readyz and the graph's `sources` say so. The
// hub's own database must answer (the catalogue lives there).
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	a := &App{Config: cfg, DBs: map[string]*sqldb.DB{}, Logger: logger}
	for _, name := range DatabaseNames {
		db, err := sqldb.Open(cfg.Databases[name])
		if err != nil {
			a.Close()
			return nil, err
		}
		a.DBs[name] = db
	}
	hubDB := a.DBs["hub"]
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cat, err := catalogue.Load(cctx, hubdb.New(hubDB.DB).Catalogues(), workday.Default())
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("the hub's database (credithub) must answer at start-up: %w", err)
	}
	a.Catalogue = cat
	measures, err := catalogue.LoadMeasures(cctx, hubdb.New(hubDB.DB).Catalogues())
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("the hub's database (credithub) must answer at start-up: %w", err)
	}
	a.Measures = measures
	sealer, err := gid.NewSealer(cfg.PersonIDKey)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Sealer = sealer
	marketDB := a.DBs[datasources.Market]
	registry := &market.RegistryStore{DB: marketDB}
	// The overlays on records: loaded now, refreshed on every workflow
	// change any instance announces. (The hub's own records are read from
	// its database like a department's: hubdb.RecordSource.)
	state := &hubdb.State{DB: hubDB.DB, Logger: logger}
	if err := state.Reload(cctx); err != nil {
		a.Close()
		return nil, err
	}
	a.State = state
	if cfg.Metrics {
		a.Metrics = obs.NewMetrics()
	}
	a.Loaders = &loaders.Deps{
		Registry:        registry,
		RegistryTimeout: marketDB.Timeout,
		Catalogue:       cat,
		Overlays:        state.Apply,
		Logger:          logger,
		Wait:            cfg.LoaderWait,
		Metrics:         a.Metrics,
		Hub:             hubdb.New(hubDB.DB),
	}
	var feeds []datasources.Feed
	var breakers []*loaders.Breaker
	for _, d := range departments {
		db := a.DBs[d.setup.Name]
		src := d.source(db)
		br := loaders.NewBreaker(d.setup.Name, loaders.BreakerSettings{Failures: uint32(cfg.BreakerFailures), Cooldown: cfg.BreakerCooldown}, a.Metrics)
		breakers = append(breakers, br)
		a.Loaders.Departments = append(a.Loaders.Departments, loaders.Department{Source: src, Timeout: db.Timeout, Breaker: br})
		if f, ok := src.(datasources.Feed); ok {
			feeds = append(feeds, f)
		}
	}
	a.Loaders.Departments = append(a.Loaders.Departments,
		loaders.Department{Source: &hubdb.RecordSource{DB: hubdb.New(hubDB.DB)}, Timeout: hubDB.Timeout, Internal: true})
	hub := hubdb.New(hubDB.DB)
	a.QueryLog = &auth.QueryLog{Store: hub.QueryLog(), Key: ed25519.NewKeyFromSeed(cfg.QueryLogKey)}
	if cfg.QueryLogOff {
		logger.Warn("CREDITHUB_QUERY_LOG=off: personal data leaves WITHOUT query-log rows (development only, for measuring the log's cost)")
	}
	flows := &workflow.Service{
		DB: hubdb.New(hubDB.DB), State: state, Measures: measures, Calendar: workday.Default(), Logger: logger, Keys: sealer,
		Org: func(ctx context.Context, uscc string) (string, string, error) {
			orgs, err := registry.OrgsByUSCC(ctx, []string{uscc})
			if err != nil {
				return "", "", err
			}
			o := orgs[uscc]
			return o.OrgType, o.SuperiorCode.String, nil
		},
		Persons: func(ctx context.Context, uscc string) ([]workflow.Person, error) {
			ms, err := registry.MembersByUSCC(ctx, []string{uscc})
			if err != nil {
				return nil, err
			}
			var out []workflow.Person
			for _, m := range ms[uscc] {
				if role, ok := market.Roles[m.Role]; ok {
					out = append(out, workflow.Person{Role: role, Name: m.Name, IDNo: m.IDNo})
				}
			}
			return out, nil
		},
	}
	a.Workflows = flows
	if err := a.openWarnings(cctx, cfg, feeds, registry, logger); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openSupervision(cctx, registry, logger); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openFeed(cctx, cfg, feeds, registry, sealer, logger); err != nil {
		a.Close()
		return nil, err
	}
	a.Work = &workflow.WorkBroker{Flows: flows, Logger: logger}
	res := &resolvers.Resolver{
		Registry: registry, Catalogue: cat, Measures: measures, Sealer: sealer, Logger: logger,
		CourtLists: &court.Lists{DB: a.DBs[datasources.Court]},
		HubDB:      hubDB.DB, Workflows: flows,
		Reports: a.Reports, Warnings: a.Warnings, Work: a.Work, Supervision: a.Supervision, Feed: a.Feed,
		Stats: &stats.Service{Registry: registry, RegistryTimeout: marketDB.Timeout, State: state, Hub: hubdb.New(hubDB.DB)},
	}
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: res})
	rules, err := auth.RulesFromSchema(schema.Schema())
	if err != nil {
		a.Close()
		return nil, err
	}
	rules.Subjects = resolvers.SubjectOf
	if err := CheckOpenness(rules, cat); err != nil {
		a.Close()
		return nil, err
	}
	res.CatalogueEditor = &catalogue.Editor{DB: hubdb.New(hubDB.DB), Catalogue: cat, EntityCeiling: func(k credit.Kind) credit.Publicity {
		lv, _ := rules.TypeLevel(credit.TypeNames[k])
		return [...]credit.Publicity{credit.Public, credit.Shared, credit.Personal}[lv]
	}}
	verifier, err := newVerifier(cfg, sealer)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Trust = &server.Trust{Operations: hub.Operations(), Introspection: cfg.Introspection, Safelist: cfg.AgencySafelist}
	var limits *server.Limits
	if cfg.LimitsMode != "off" {
		l := cfg.Limits
		l.Logger = logger
		limits = &l
	}
	var rate *server.RateLimiter
	if cfg.RateLimit > 0 {
		rate = &server.RateLimiter{Windows: hub.RateWindows(), PerHour: cfg.RateLimit, Anonymous: cfg.RateLimitAnonymous, Logger: logger}
		a.RateLimiter = rate
	}
	dbs := make([]*sqldb.DB, 0, len(a.DBs))
	for _, name := range DatabaseNames {
		dbs = append(dbs, a.DBs[name])
	}
	a.Admission = server.NewAdmission(cfg.MaxInFlight, cfg.QueueWait)
	var onePass *hotlist.Writer
	if cfg.OnePass {
		onePass = hotlist.New(schema.Schema(), rules, hotlist.Options{
			RecordPages: a.Metrics.RecordPage, EntityPages: a.Metrics.EntityPage,
			LegalRepresentatives: res.LegalRepresentatives,
		})
	}
	a.Handler = server.New(server.Options{
		Schema:               schema,
		Loaders:              a.Loaders,
		Authenticator:        verifier,
		Rules:                rules,
		QueryLog:             a.QueryLog,
		UnloggedPersonalData: cfg.QueryLogOff && cfg.Development,
		Authorizations:       hub.Authorizations(),
		Members:              hub.Associations(),
		PersonRef:            sealer.Ref,
		Databases:            dbs,
		Logger:               logger,
		GraphiQL:             cfg.GraphiQL,
		Dashboard:            cfg.Dashboard,
		DevTokens:            cfg.DevTokens && cfg.Development,
		TokenMaxTTL:          cfg.TokenMaxTTL,
		CORSOrigins:          cfg.CORSOrigins,
		ReportStatements:     cfg.Development,
		Profiling:            cfg.Development,
		Limits:               limits,
		Trust:                a.Trust,
		RateLimiter:          rate,
		Metrics:              a.Metrics,
		Breakers:             breakers,
		Admission:            a.Admission,
		OnePass:              onePass,
	})
	a.startRunners()
	// A subscription opened once Open returns must miss nothing: wait for
	// the warnings and work listeners to listen.
	deadline := time.Now().Add(10 * time.Second)
	for name, ready := range map[string]<-chan struct{}{"warnings": a.Warnings.Ready(), "work": a.Work.Ready()} {
		select {
		case <-ready:
		case <-time.After(time.Until(deadline)):
			logger.Warn("a listener is not connected yet; its subscriptions start when it is", "listener", name)
		}
	}
	return a, nil
}

// openWarnings sets up credit reports and warnings: the report signer, the
// instance's broker of warnings to subscribers, and the scanner, whose
// first tick runs now: on a hub's first start it sets the watermarks at the
// departments' current ends, so that their history raises nothing. Their
// listener and periodic scan are runners (runners.go).
func (a *App) openWarnings(ctx context.Context, cfg Config, feeds []datasources.Feed, registry *market.RegistryStore, logger *slog.Logger) error {
	hub := hubdb.New(a.DBs["hub"].DB)
	signer, err := supervision.NewSigner("", cfg.ReportKey)
	if err != nil {
		return fmt.Errorf("CREDITHUB_REPORT_KEY: %w", err)
	}
	signer.KeyID = supervision.KeyID(signer.Public())
	a.Reports = &supervision.Reports{DB: hub, Signer: signer}
	a.Warnings = &supervision.Broker{DB: hub, Logger: logger}
	var market datasources.Source
	for _, d := range a.Loaders.Departments {
		if d.Source.Department().Code == datasources.Market {
			market = d.Source
		}
	}
	a.Scanner = &supervision.Scanner{
		DB: hub, Feeds: feeds, Market: market, Registry: registry, Logger: logger, Catalogue: a.Catalogue, Orgs: registry,
	}
	// Its own budget, not what is left of the start-up context.
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	res, err := a.Scanner.Tick(tctx)
	cancel()
	switch {
	case err != nil:
		logger.Error("first warning scan", "err", err)
	case len(res.Started) > 0:
		logger.Info("warning scan: watermarks set at the departments' current ends; earlier records raise no warnings", "kinds", res.Started)
	}
	for who, err := range res.Failed {
		logger.Warn("first warning scan: source not read; it is scanned again next time", "source", who, "err", err)
	}
	return nil
}

// openFeed sets up the agencies' change feed: its cursors, bound by a key
// derived from the person ID key, and its follower, whose first turn runs
// now: on a hub's first start it sets the watermarks at the departments'
// current ends, so that their history is not in the feed. Its periodic
// turns are a runner (runners.go).
func (a *App) openFeed(ctx context.Context, cfg Config, feeds []datasources.Feed, registry *market.RegistryStore, sealer *gid.Sealer, logger *slog.Logger) error {
	hub := hubdb.New(a.DBs["hub"].DB)
	cursors, err := feed.NewCursors(cfg.PersonIDKey)
	if err != nil {
		return err
	}
	a.Feed = &feed.Service{DB: hub, Cursors: cursors}
	a.Follower = &feed.Follower{DB: hub, Feeds: feeds, Registry: registry, Keys: sealer, Logger: logger}
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	res, err := a.Follower.Tick(tctx)
	cancel()
	switch {
	case err != nil:
		logger.Error("first change feed turn", "err", err)
	case len(res.Started) > 0:
		logger.Info("change feed: watermarks set at the departments' current ends; earlier records are not in the feed", "kinds", res.Started)
	}
	for who, err := range res.Failed {
		logger.Warn("first change feed turn: source not read; it is followed again next time", "source", who, "err", err)
	}
	return nil
}

// openSupervision sets up credit checks, grades and inspection plans and
// loads the grading model. Its grade jobs are runners (runners.go): shortly
// after start-up, then every CREDITHUB_GRADE_INTERVAL (default 1h; "off"
// runs none), every entity's grade is recomputed into entity_grade by
// whichever instance holds the advisory lock; in between, every
// supervision.RegradeEvery, the entities whose facts changed are regraded.
func (a *App) openSupervision(ctx context.Context, registry market.Registry, logger *slog.Logger) error {
	a.Supervision = &supervision.Service{
		DB: hubdb.New(a.DBs["hub"].DB), Registry: registry, RegistryTimeout: a.Loaders.RegistryTimeout,
		Measures: a.Measures, Logger: logger,
		Departments:      func(ctx context.Context) supervision.Departments { return loaderDepartments{loaders.For(ctx)} },
		BatchDepartments: func() supervision.Departments { return loaderDepartments{loaders.New(a.Loaders)} },
	}
	// A report reads the departments as the service does, and rates the
	// entity the way MarketEntity.rating does.
	a.Reports.Supervision = a.Supervision
	if err := a.Supervision.LoadModels(ctx); err != nil {
		return fmt.Errorf("the hub's database (credithub) must answer at start-up: %w", err)
	}
	return nil
}

// gradeInterval reads CREDITHUB_GRADE_INTERVAL: a duration from 1m to 7
// days, "off" (0: no job) or empty (1h).
func gradeInterval(v string) (time.Duration, error) {
	switch v {
	case "":
		return time.Hour, nil
	case "off":
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute || d > 7*24*time.Hour {
		return 0, fmt.Errorf("CREDITHUB_GRADE_INTERVAL must be a duration from 1m to 168h, such as 1h, or off; got %q", v)
	}
	return d, nil
}

// Close closes every database.
func (a *App) Close() error {
	for _, stop := range a.stop {
		stop()
	}
	var errs []error
	for _, db := range a.DBs {
		errs = append(errs, db.Close())
	}
	return errors.Join(errs...)
}

// newVerifier builds token verification from the configured issuers, plus the
// development issuer in development.
func newVerifier(cfg Config, persons auth.PersonOpener) (*auth.Verifier, error) {
	var issuers []auth.Issuer
	if cfg.Development {
		issuers = append(issuers, auth.DevIssuerConfig())
	}
	for _, is := range cfg.Issuers {
		var keys auth.KeySource
		if is.JWKSURL != "" {
			keys = &auth.JWKS{URL: is.JWKSURL}
		} else {
			static := auth.StaticKeys{}
			for kid, path := range is.KeyFiles {
				k, err := auth.LoadKeyFile(kid, path)
				if err != nil {
					return nil, fmt.Errorf("CREDITHUB_JWT_ISSUERS: issuer %s: %w", is.Issuer, err)
				}
				static[kid] = k
			}
			keys = static
		}
		issuers = append(issuers, auth.Issuer{Name: is.Issuer, Audience: is.Audience, Keys: keys})
	}
	return auth.NewVerifier(auth.VerifierOptions{Issuers: issuers, Leeway: cfg.TokenLeeway, MaxLifetimes: cfg.TokenMaxTTL, Persons: persons})
}

// CheckOpenness checks the schema's markings against the information
// catalogue: the schema is the ceiling, so no kind may be more open in the
// catalogue than its record type's marking (the catalogue may close a kind
// further: the field middleware raises a field to its record's publicity).
func CheckOpenness(rules *auth.Rules, cat *catalogue.Catalogue) error {
	for _, e := range cat.Entries() {
		typeName := credit.TypeNames[e.Kind]
		lv, uniform := rules.TypeLevel(typeName)
		if !uniform {
			return fmt.Errorf("record type %s mixes openness levels; mark the type, not its fields", typeName)
		}
		if auth.LevelOf(e.EntityPublicity) < lv {
			return fmt.Errorf("record type %s is marked %s in the schema but the information catalogue makes %s records %s, more open than the schema allows",
				typeName, lv, e.Kind, e.EntityPublicity)
		}
	}
	return nil
}
