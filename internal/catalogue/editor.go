package catalogue

// The catalogue under dynamic management (T8, 动态管理): the credit office
// changes a kind's openness, publication duty and period, legal basis and
// providing departments from a day on, with a reason. A change is a row of
// catalogue_change, never an update: the rows are the history. Every
// instance applies it by Refresh (at once on the instance that wrote it,
// within its refresh interval on the others).
//
// The schema stays the ceiling: a change may close a kind further than the
// schema's @open marking, never open it beyond (the field middleware raises
// a field to its record's publicity, so closing is enforced everywhere; an
// opening above the marking would not be). For a natural person's records
// the ceiling is the law's (person_publicity_ceiling).

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"credithub/datasources"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// Change is what the credit office changes of a kind; nil fields keep the
// kind's entry as it is in effect today.
type Change struct {
	EntityPublicity    *credit.Publicity
	PersonPublicity    *credit.Publicity
	DisclosureRequired *bool
	PeriodApplies      *bool
	// PublicationMonths is the kind's own publication period in months
	// (1–120), 0 for none.
	PublicationMonths *int
	LegalBasis        *string
	Sources           []string
	EffectiveFrom     scalars.Date
	Reason            string
}

// Editor writes the credit office's changes.
type Editor struct {
	DB        *hubdb.DB
	Catalogue *Catalogue
	// EntityCeiling is the openness the schema's @open marking gives the
	// record type of a kind: no change may open a kind's records about
	// organisations beyond it.
	EntityCeiling func(credit.Kind) credit.Publicity
	Now           func() time.Time
}

func (e *Editor) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// openness ranks publicities, most open first.
var openness = []credit.Publicity{credit.Public, credit.Shared, credit.Personal}

// moreOpen reports whether a is more open than b.
func moreOpen(a, b credit.Publicity) bool {
	return slices.Index(openness, a) < slices.Index(openness, b)
}

// Change records a change of kind by the caller (principal names them for
// the idempotency key; by and org for the history), under key.
func (e *Editor) Change(ctx context.Context, kind credit.Kind, c Change, principal, by, org string, key hubdb.Key) (hubdb.CatalogueChangeRow, error) {
	var zero hubdb.CatalogueChangeRow
	cur := e.Catalogue.Entry(kind)
	if cur == nil {
		return zero, apperr.BadInput("kind", "%s is not a kind of the information catalogue", kind)
	}
	row := hubdb.CatalogueChangeRow{Kind: string(kind), EntityPublicity: string(cur.EntityPublicity), PersonPublicity: string(cur.PersonPublicity),
		DisclosureRequired: cur.DisclosureRequired, PeriodApplies: cur.PeriodApplies, LegalBasis: cur.LegalBasis, Sources: slices.Clone(cur.Sources), ChangedBy: by, ChangedOrg: org}
	if c.EntityPublicity != nil {
		if !slices.Contains(openness, *c.EntityPublicity) {
			return zero, apperr.BadInput("input.entityPublicity", "entityPublicity must be PUBLIC, SHARED or PERSONAL")
		}
		if ceiling := e.EntityCeiling(kind); moreOpen(*c.EntityPublicity, ceiling) {
			return zero, apperr.New(apperr.AboveOpennessCeiling,
				"%s records about organisations may be at most %s: the schema marks their type so, and the catalogue may close a kind, never open it beyond the schema", kind, ceiling).
				With("field", "input.entityPublicity").With("ceiling", string(ceiling))
		}
		row.EntityPublicity = string(*c.EntityPublicity)
	}
	if c.PersonPublicity != nil {
		if !slices.Contains(openness, *c.PersonPublicity) {
			return zero, apperr.BadInput("input.personPublicity", "personPublicity must be PUBLIC, SHARED or PERSONAL")
		}
		if moreOpen(*c.PersonPublicity, cur.PersonCeiling) {
			return zero, apperr.New(apperr.AboveOpennessCeiling,
				"%s records about natural persons may be at most %s: personal information is not opened by a catalogue change (PIPL; only the courts' lists are public by law)", kind, cur.PersonCeiling).
				With("field", "input.personPublicity").With("ceiling", string(cur.PersonCeiling))
		}
		row.PersonPublicity = string(*c.PersonPublicity)
	}
	if c.DisclosureRequired != nil {
		row.DisclosureRequired = *c.DisclosureRequired
	}
	if c.PeriodApplies != nil {
		row.PeriodApplies = *c.PeriodApplies
	}
	if cur.PublicationMonths > 0 {
		m := cur.PublicationMonths
		row.PublicationMonths = &m
	}
	if c.PublicationMonths != nil {
		switch m := *c.PublicationMonths; {
		case m == 0:
			row.PublicationMonths = nil
		case m < 0 || m > 120:
			return zero, apperr.BadInput("input.publicationMonths", "publicationMonths must be 1 to 120 months, or 0 for no period of the kind's own")
		default:
			row.PublicationMonths = &m
		}
	}
	if c.LegalBasis != nil {
		b := strings.TrimSpace(*c.LegalBasis)
		if n := len([]rune(b)); n < 4 || n > 1000 {
			return zero, apperr.BadInput("input.legalBasis", "legalBasis must cite the law, 4 to 1000 characters")
		}
		row.LegalBasis = b
	}
	if c.Sources != nil {
		if len(c.Sources) == 0 {
			return zero, apperr.BadInput("input.sources", "a kind needs at least one providing department")
		}
		for i, s := range c.Sources {
			if _, ok := datasources.DepartmentByCode(s); !ok {
				return zero, apperr.BadInput("input.sources", "input.sources[%d]: %q is not a department", i, s)
			}
		}
		row.Sources = slices.Compact(slices.Sorted(slices.Values(c.Sources)))
	}
	reason := strings.TrimSpace(c.Reason)
	if n := len([]rune(reason)); n < 4 || n > 2000 {
		return zero, apperr.BadInput("input.reason", "reason must say why, 4 to 2000 characters")
	}
	row.Reason = reason
	today := Today(e.now())
	if c.EffectiveFrom.IsZero() || c.EffectiveFrom.Before(today) {
		return zero, apperr.BadInput("input.effectiveFrom", "effectiveFrom (%s) must be today (%s) or later: the catalogue does not change the past", c.EffectiveFrom, today)
	}
	row.EffectiveFrom = c.EffectiveFrom.Time()
	out, err := hubdb.Idempotent(ctx, e.DB, principal, key, "changeRecordKind", func(tx *hubdb.DB) (hubdb.CatalogueChangeRow, error) {
		return tx.Catalogues().AddChange(ctx, row)
	})
	if err != nil {
		return zero, err
	}
	if _, err := e.Catalogue.Refresh(ctx, e.DB.Catalogues(), e.now()); err != nil {
		return out, fmt.Errorf("the change is stored; applying it here failed (every instance applies it at its next refresh): %w", err)
	}
	return out, nil
}
