package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"credithub/datasources/world"
	"credithub/sqldb"
)

// SeedOptions size the synthetic world of the local set-up.
type SeedOptions struct {
	Entities int
	Seed     uint64
}

// Prepare is the local set-up: it creates every database that is missing on
// the configured server, migrates each, and seeds those that are empty, all
// departments in parallel. Production skips it: there each department owns
// its database.
func Prepare(ctx context.Context, cfg Config, seed SeedOptions, logger *slog.Logger) error {
	setups := Setups()
	empty := make([]bool, len(setups))
	dbs := make([]*sqldb.DB, len(setups))
	defer func() {
		for _, db := range dbs {
			if db != nil {
				db.Close()
			}
		}
	}()
	for i, s := range setups {
		name := cfg.DatabasePrefix + s.Database
		if err := sqldb.CreateDatabase(ctx, cfg.DatabaseURL, name); err != nil {
			return err
		}
		dbCfg := cfg.Databases[s.Name]
		dbCfg.Timeout = 10 * time.Minute // seeding 100,000 entities takes a while
		db, err := sqldb.Open(dbCfg)
		if err != nil {
			return err
		}
		dbs[i] = db
		if err := sqldb.Migrate(ctx, db, s.Migrations); err != nil {
			return err
		}
		var any bool
		if err := db.GetContext(ctx, &any, `SELECT EXISTS (SELECT 1 FROM `+s.Probe+`)`); err != nil {
			return fmt.Errorf("checking whether %s is seeded: %w", name, err)
		}
		empty[i] = !any
	}
	needWorld := false
	for _, e := range empty {
		needWorld = needWorld || e
	}
	if !needWorld {
		logger.Info("databases already seeded; keeping their data")
		return nil
	}
	start := time.Now()
	w := world.New(seed.Seed, seed.Entities)
	logger.Info("generated synthetic world", "entities", seed.Entities, "seed", seed.Seed, "took", time.Since(start).Round(time.Millisecond).String())
	g, gctx := errgroup.WithContext(ctx)
	for i, s := range setups {
		if !empty[i] {
			continue
		}
		g.Go(func() error {
			start := time.Now()
			if err := s.Seed(gctx, dbs[i], w); err != nil {
				return fmt.Errorf("seeding %s: %w", s.Name, err)
			}
			if _, err := dbs[i].ExecContext(gctx, `ANALYZE`); err != nil {
				return err
			}
			logger.Info("seeded", "database", cfg.DatabasePrefix+s.Database, "took", time.Since(start).Round(time.Millisecond).String())
			return nil
		})
	}
	return g.Wait()
}
