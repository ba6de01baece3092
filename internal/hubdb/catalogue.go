package hubdb

import (
	"context"
	"embed"
	"time"

	"github.com/lib/pq"

	"credithub/datasources"
	"credithub/dev/world"
	"credithub/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Setup creates the hub's own database in the local set-up. It has no
// synthetic seed of its own: the catalogue is data the migrations carry,
// and the workflows are seeded through the state machines after the
// departments (dev/seed, wired as SeedAfter by internal/app).
var Setup = datasources.Setup{
	Name:       "hub",
	Database:   "credithub",
	Migrations: sqldb.MigrationsFS(migrationFiles, "migrations"),
	Seed:       func(context.Context, *sqldb.DB, *world.World) error { return nil },
	Probe:      "info_catalogue",
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
	// PublicOnceConcluded: entity_publicity only once a record is
	// concluded (a complaint handled), shared before (T10).
	PublicOnceConcluded bool `db:"public_once_concluded"`
	// PersonCeiling is how open a person's records of the kind may ever
	// be made (T8).
	PersonCeiling string `db:"person_publicity_ceiling"`
	// PublicationMonths is how long the kind's records stay published
	// where the dishonesty classes do not say (T26); nil: no period.
	PublicationMonths *int `db:"publication_months"`
}

// CatalogueChangeRow is a row of catalogue_change: the credit office's
// change of one kind's entry, from a day on (T8).
type CatalogueChangeRow struct {
	ID                 int64          `db:"id"`
	Kind               string         `db:"kind"`
	EntityPublicity    string         `db:"entity_publicity"`
	PersonPublicity    string         `db:"person_publicity"`
	DisclosureRequired bool           `db:"disclosure_required"`
	PeriodApplies      bool           `db:"period_applies"`
	PublicationMonths  *int           `db:"publication_months"`
	LegalBasis         string         `db:"legal_basis"`
	Sources            pq.StringArray `db:"sources"`
	EffectiveFrom      time.Time      `db:"effective_from"`
	Reason             string         `db:"reason"`
	ChangedBy          string         `db:"changed_by"`
	ChangedOrg         string         `db:"changed_org"`
	ChangedAt          time.Time      `db:"changed_at"`
}

// PeriodRow is a row of publication_period.
type PeriodRow struct {
	Severity  string `db:"severity"`
	Published bool   `db:"published"`
	MinMonths int    `db:"min_months"`
	MaxMonths int    `db:"max_months"`
	Source    string `db:"source"`
}

// MeasureRow is a row of measure: one measure of the joint reward and
// punishment catalogue (T19), with when a credit check applies it.
type MeasureRow struct {
	Code        string         `db:"code"`
	Name        string         `db:"name"`
	Kind        string         `db:"kind"`
	Department  string         `db:"department"`
	LegalBasis  string         `db:"legal_basis"`
	ListTypes   pq.StringArray `db:"list_types"`
	Scenarios   pq.StringArray `db:"scenarios"`
	RecordKinds pq.StringArray `db:"record_kinds"`
	MinSeverity *string        `db:"min_severity"`
	// PersonScenarios: where it applies to a natural person (T22).
	PersonScenarios pq.StringArray `db:"person_scenarios"`
	// Grades: the entity's grades that trigger a reward (守信激励).
	Grades pq.StringArray `db:"grades"`
}

// CatalogueStore reads the catalogues the credit office keeps as data: the
// information catalogue (T8), the publication periods of dishonesty
// information and the measures of joint reward and punishment (T19).
type CatalogueStore interface {
	// Entries returns the information catalogue in its order.
	Entries(ctx context.Context) ([]CatalogueRow, error)
	// PublicationPeriods returns the publication periods by severity.
	PublicationPeriods(ctx context.Context) ([]PeriodRow, error)
	// Measures returns every measure: restrictions first, then rewards,
	// each in code order.
	Measures(ctx context.Context) ([]MeasureRow, error)
	// Changes returns the catalogue's changes in the order they apply:
	// by effective day, then as made.
	Changes(ctx context.Context) ([]CatalogueChangeRow, error)
	// ChangeVersion returns the id of the latest change (0: none): an
	// instance whose catalogue has seen it has nothing to reload.
	ChangeVersion(ctx context.Context) (int64, error)
	// AddChange writes a change and returns it as stored.
	AddChange(ctx context.Context, c CatalogueChangeRow) (CatalogueChangeRow, error)
}

// Catalogues returns the catalogue store.
func (d *DB) Catalogues() CatalogueStore { return catalogues{d} }

type catalogues struct{ d *DB }

func (c catalogues) Entries(ctx context.Context) ([]CatalogueRow, error) {
	var rows []CatalogueRow
	err := c.d.sel(ctx, &rows, `SELECT kind, name, sources, entity_publicity, person_publicity,
		disclosure_required, legal_basis, period_applies, public_once_concluded, person_publicity_ceiling, publication_months
		FROM info_catalogue ORDER BY position`)
	return rows, err
}

func (c catalogues) Changes(ctx context.Context) ([]CatalogueChangeRow, error) {
	var rows []CatalogueChangeRow
	err := c.d.sel(ctx, &rows, `SELECT `+catalogueChangeColumns+` FROM catalogue_change ORDER BY effective_from, id`)
	return rows, err
}

func (c catalogues) ChangeVersion(ctx context.Context) (int64, error) {
	var v int64
	err := c.d.get(ctx, &v, `SELECT coalesce(max(id), 0) FROM catalogue_change`)
	return v, err
}

func (c catalogues) AddChange(ctx context.Context, r CatalogueChangeRow) (CatalogueChangeRow, error) {
	var out CatalogueChangeRow
	err := c.d.get(ctx, &out, `INSERT INTO catalogue_change (kind, entity_publicity, person_publicity, disclosure_required,
			period_applies, legal_basis, sources, effective_from, reason, changed_by, changed_org, publication_months)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING `+catalogueChangeColumns,
		r.Kind, r.EntityPublicity, r.PersonPublicity, r.DisclosureRequired, r.PeriodApplies, r.LegalBasis, r.Sources, day(r.EffectiveFrom),
		r.Reason, r.ChangedBy, r.ChangedOrg, r.PublicationMonths)
	return out, err
}

const catalogueChangeColumns = `id, kind, entity_publicity, person_publicity, disclosure_required, period_applies, legal_basis, sources,
	effective_from, reason, changed_by, changed_org, changed_at, publication_months`

func (c catalogues) PublicationPeriods(ctx context.Context) ([]PeriodRow, error) {
	var rows []PeriodRow
	err := c.d.sel(ctx, &rows, `SELECT severity, published, min_months, max_months, source FROM publication_period`)
	return rows, err
}

func (c catalogues) Measures(ctx context.Context) ([]MeasureRow, error) {
	var rows []MeasureRow
	err := c.d.sel(ctx, &rows, `SELECT code, name, kind, department, legal_basis, list_types,
		scenarios, record_kinds, min_severity, person_scenarios, grades FROM measure ORDER BY kind, code`)
	return rows, err
}
