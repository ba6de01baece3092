package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"golang.org/x/sync/errgroup"

	"credithub/datasources"
	devseed "credithub/dev/seed"
	"credithub/dev/world"
	"credithub/internal/hubdb"
	"credithub/internal/sqldb"
)

// SeedMemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit)
// while Prepare seeds: what is live stays a few hundred megabytes at a
// million entities (dev/bench/scale.md). The limit counts every page the
// runtime holds, and the hub's seed holds a heap fragmented by the
// departments' records it read (about 290 MB live in some 600 MB of pages
// at a million): at 640 MiB the collector's goal was what was live, and it
// ran without pause through the hub's writes (most of the 1M seed's CPU).
// 850 MiB leaves it room, and the seed's RSS under 1 GB.
const SeedMemoryLimit = 850 << 20

// SeedOptions size the synthetic world of the local set-up.
type SeedOptions struct {
	Entities int
	Seed     uint64
}

// Prepare is the local set-up: it creates every database that is missing on
// the configured server, migrates each, and seeds those that are empty: all
// departments in parallel, then what seeds from the departments' data (the
// hub's workflows, which are about the departments' records). Production
// skips it: there each department owns its database.
func Prepare(ctx context.Context, cfg Config, seed SeedOptions, logger *slog.Logger) error {
	setups := localSetups()
	empty := make([]bool, len(setups))
	emptyAfter := make([]bool, len(setups))
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
		if s.SeedAfter != nil {
			if err := db.GetContext(ctx, &any, `SELECT EXISTS (SELECT 1 FROM `+s.SeedAfterProbe+`)`); err != nil {
				return fmt.Errorf("checking whether %s is seeded: %w", name, err)
			}
			emptyAfter[i] = !any
		}
	}
	needWorld := false
	for i := range setups {
		needWorld = needWorld || empty[i] || emptyAfter[i]
	}
	if !needWorld {
		logger.Info("databases already seeded; keeping their data")
		return nil
	}
	// A soft memory limit for the seeding (unless GOMEMLIMIT sets one):
	// the garbage collector works harder rather than let a machine whose
	// cores are busy see the heap run far past twice what is live.
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(SeedMemoryLimit))
	}
	// The world is streamed: each seed generates the entities afresh as it
	// walks them, a chunk at a time, so that memory does not grow with the
	// number of entities.
	w := world.Stream(seed.Seed, seed.Entities)
	logger.Info("seeding a synthetic world", "entities", seed.Entities, "seed", seed.Seed)
	g, gctx := errgroup.WithContext(ctx)
	for i, s := range setups {
		if !empty[i] {
			continue
		}
		g.Go(func() error {
			start := time.Now()
			seed := func() error { return s.Seed(gctx, dbs[i], w) }
			if s.Name != hubdb.Setup.Name {
				// A department's tables are loaded in bulk and their plain
				// indexes built afterwards; the hub's seed reads its own.
				seed = func() error {
					return sqldb.WithoutIndexes(gctx, dbs[i], func() error { return s.Seed(gctx, dbs[i], w) })
				}
			}
			if err := seed(); err != nil {
				return fmt.Errorf("seeding %s: %w", s.Name, err)
			}
			if _, err := dbs[i].ExecContext(gctx, `ANALYZE`); err != nil {
				return err
			}
			logger.Info("seeded", "database", cfg.DatabasePrefix+s.Database, "took", time.Since(start).Round(time.Millisecond).String())
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// Then the seeds that read the departments' data.
	var sources []datasources.Source
	for i, s := range setups {
		for _, d := range departments {
			if d.setup.Name == s.Name {
				sources = append(sources, d.source(dbs[i]))
			}
		}
	}
	for i, s := range setups {
		if !emptyAfter[i] {
			continue
		}
		start := time.Now()
		if err := s.SeedAfter(ctx, dbs[i], w, sources); err != nil {
			return fmt.Errorf("seeding %s from the departments' data: %w", s.Name, err)
		}
		if _, err := dbs[i].ExecContext(ctx, `ANALYZE`); err != nil {
			return err
		}
		logger.Info("seeded from the departments' data", "database", cfg.DatabasePrefix+s.Database,
			"took", time.Since(start).Round(time.Millisecond).String())
	}
	return nil
}

// localSetups are the databases the local set-up prepares (Setups), the
// hub's with its workflows seeded after the departments, through the state
// machines (dev/seed).
func localSetups() []datasources.Setup {
	setups := Setups()
	for i := range setups {
		if setups[i].Name == hubdb.Setup.Name {
			setups[i].SeedAfter, setups[i].SeedAfterProbe = devseed.Workflows, devseed.Probe
		}
	}
	return setups
}
