package hubdb

import (
	"context"
	"embed"
	"io/fs"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/datasources"
	"credithub/dev/world"
	"credithub/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Setup creates the hub's own database in the local set-up. It has no
// synthetic seed of its own yet: the catalogue is data the migrations carry.
var Setup = datasources.Setup{
	Name:       "hub",
	Database:   "credithub",
	Migrations: mustSub(migrationFiles, "migrations"),
	Seed:       func(context.Context, *sqldb.DB, *world.World) error { return nil },
	Probe:      "info_catalogue",
}

func mustSub(f embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}

// CatalogueRow is a row of info_catalogue.
type CatalogueRow struct {
	Kind               string         `db:"kind"`
	Name               string         `db:"name"`
	Sources            pq.StringArray `db:"sources"`
	EntityPublicity    string         `db:"entity_publicity"`
	PersonPublicity    string         `db:"person_publicity"`
	DisclosureRequired bool           `db:"disclosure_required"`
	LegalBasis         string         `db:"legal_basis"`
	PeriodApplies      bool           `db:"period_applies"`
}

// PeriodRow is a row of publication_period.
type PeriodRow struct {
	Severity  string `db:"severity"`
	Published bool   `db:"published"`
	MinMonths int    `db:"min_months"`
	MaxMonths int    `db:"max_months"`
	Source    string `db:"source"`
}

// Store reads and writes the hub's own database.
type Store struct {
	DB *sqlx.DB
}

// Catalogue returns the information catalogue in its order.
func (s *Store) Catalogue(ctx context.Context) ([]CatalogueRow, error) {
	var rows []CatalogueRow
	err := sqlx.SelectContext(ctx, s.DB, &rows, `SELECT kind, name, sources, entity_publicity, person_publicity,
		disclosure_required, legal_basis, period_applies FROM info_catalogue ORDER BY position`)
	return rows, err
}

// PublicationPeriods returns the publication periods by severity.
func (s *Store) PublicationPeriods(ctx context.Context) ([]PeriodRow, error) {
	var rows []PeriodRow
	err := sqlx.SelectContext(ctx, s.DB, &rows, `SELECT severity, published, min_months, max_months, source FROM publication_period`)
	return rows, err
}
