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

	"credithub/catalogue"
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
	cat, err := catalogue.Load(cctx, &hub.Store{DB: hubDB}, workday.Default())
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
	a.Loaders = &loaders.Deps{
		Registry:        registry,
		RegistryTimeout: marketDB.Timeout,
		Catalogue:       cat,
		Logger:          logger,
		Wait:            cfg.LoaderWait,
	}
	for _, d := range departments {
		db := a.DBs[d.setup.Name]
		a.Loaders.Departments = append(a.Loaders.Departments, loaders.Department{Source: d.source(db), Timeout: db.Timeout})
	}
	res := &resolvers.Resolver{Registry: registry, Catalogue: cat, Sealer: sealer, Logger: logger}
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: res})
	dbs := make([]*sqldb.DB, 0, len(a.DBs))
	for _, name := range DatabaseNames {
		dbs = append(dbs, a.DBs[name])
	}
	a.Handler = server.New(server.Options{
		Schema:           schema,
		Loaders:          a.Loaders,
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
	var errs []error
	for _, db := range a.DBs {
		errs = append(errs, db.Close())
	}
	return errors.Join(errs...)
}
