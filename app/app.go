// Package app assembles the hub from its configuration: it opens the
// databases, loads the catalogue, wires the resolvers and the HTTP server.
// The command (cmd/credithub) and the end-to-end tests build the hub through
// it, so they run the same thing.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"credithub/auth"
	"credithub/catalogue"
	"credithub/credit"
	"credithub/datasources"
	"credithub/datasources/court"
	"credithub/datasources/environment"
	"credithub/datasources/fire"
	"credithub/datasources/housing"
	"credithub/datasources/hub"
	"credithub/datasources/market"
	"credithub/gid"
	"credithub/graph"
	"credithub/loaders"
	"credithub/resolvers"
	"credithub/server"
	"credithub/sqldb"
	"credithub/workday"
	"credithub/workflow"
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
	out := []datasources.Setup{hub.Setup}
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
	Loaders   *loaders.Deps
	// State is the hub's own records and overlays, in memory.
	State *hub.State
	stop  []func()
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
	cat, err := catalogue.Load(cctx, &hub.Store{DB: hubDB.DB}, workday.Default())
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("the hub's database (credithub) must answer at start-up: %w", err)
	}
	a.Catalogue = cat
	sealer, err := gid.NewSealer(cfg.PersonIDKey)
	if err != nil {
		a.Close()
		return nil, err
	}
	marketDB := a.DBs[datasources.Market]
	registry := &market.RegistryStore{DB: marketDB}
	// The hub's own records and overlays: loaded now, reloaded on every
	// workflow change any instance announces.
	state := &hub.State{DB: hubDB.DB, Logger: logger}
	if err := state.Reload(cctx); err != nil {
		a.Close()
		return nil, err
	}
	listenCtx, stopListening := context.WithCancel(context.Background())
	a.stop = append(a.stop, stopListening)
	go state.Listen(listenCtx, cfg.Databases["hub"].DSN)
	a.State = state
	a.Loaders = &loaders.Deps{
		Registry:        registry,
		RegistryTimeout: marketDB.Timeout,
		Catalogue:       cat,
		Overlays:        state.Apply,
		Logger:          logger,
		Wait:            cfg.LoaderWait,
	}
	for _, d := range departments {
		db := a.DBs[d.setup.Name]
		a.Loaders.Departments = append(a.Loaders.Departments, loaders.Department{Source: d.source(db), Timeout: db.Timeout})
	}
	a.Loaders.Departments = append(a.Loaders.Departments,
		loaders.Department{Source: &hub.RecordSource{State: state}, Timeout: hubDB.Timeout, Internal: true})
	authz := &hub.Authorizations{DB: hubDB.DB}
	queryLog := &auth.QueryLog{DB: hubDB.DB}
	flows := &workflow.Service{
		DB: hubDB.DB, State: state, Calendar: workday.Default(), Logger: logger,
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
	res := &resolvers.Resolver{
		Registry: registry, Catalogue: cat, Sealer: sealer, Logger: logger,
		HubDB: hubDB.DB, Authorizations: authz, QueryLog: queryLog, Workflows: flows,
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
	verifier, err := newVerifier(cfg)
	if err != nil {
		a.Close()
		return nil, err
	}
	dbs := make([]*sqldb.DB, 0, len(a.DBs))
	for _, name := range DatabaseNames {
		dbs = append(dbs, a.DBs[name])
	}
	a.Handler = server.New(server.Options{
		Schema:           schema,
		Loaders:          a.Loaders,
		Authenticator:    verifier,
		Rules:            rules,
		QueryLog:         queryLog,
		Authorizations:   authz,
		PersonRef:        sealer.Ref,
		Databases:        dbs,
		Logger:           logger,
		Introspection:    cfg.Development,
		GraphiQL:         cfg.Development,
		ReportStatements: cfg.Development,
		Profiling:        cfg.Development,
	})
	return a, nil
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
func newVerifier(cfg Config) (*auth.Verifier, error) {
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
	return auth.NewVerifier(auth.VerifierOptions{Issuers: issuers, Leeway: cfg.TokenLeeway})
}

// CheckOpenness checks the schema's markings against the information
// catalogue: every record type must be exactly as open as the catalogue
// says records of its kind about organisations are.
func CheckOpenness(rules *auth.Rules, cat *catalogue.Catalogue) error {
	for _, e := range cat.Entries() {
		typeName := credit.TypeNames[e.Kind]
		lv, uniform := rules.TypeLevel(typeName)
		if !uniform {
			return fmt.Errorf("record type %s mixes openness levels; mark the type, not its fields", typeName)
		}
		if lv != auth.LevelOf(e.EntityPublicity) {
			return fmt.Errorf("record type %s is marked %s in the schema but the information catalogue makes %s records %s",
				typeName, lv, e.Kind, e.EntityPublicity)
		}
	}
	return nil
}
