package datasources

import (
	"context"
	"io/fs"

	"credithub/dev/world"
	"credithub/internal/sqldb"
)

// Setup is what the local set-up needs to create a department's database:
// its migrations and its seed generator. Production never runs Seed: there
// the departments' databases are theirs.
type Setup struct {
	// Name is the department code (or "hub").
	Name string
	// Database is the database's name in the local set-up.
	Database string
	// Migrations are the versioned migrations (goose SQL files).
	Migrations fs.FS
	// Seed fills an empty database from the synthetic world.
	Seed func(ctx context.Context, db *sqldb.DB, w *world.World) error
	// Probe is a table that is empty exactly when the database needs seeding.
	Probe string
	// SeedAfter, when set, seeds the database after every department's
	// Seed ran, from what the departments then hold (sources, in the
	// contract's order): the hub's workflows are about real records.
	SeedAfter func(ctx context.Context, db *sqldb.DB, w *world.World, sources []Source) error
	// SeedAfterProbe is a table that is empty exactly when SeedAfter must
	// run.
	SeedAfterProbe string
}
