package court

import (
	"context"
	"fmt"
	"strings"
	"time"

	"credithub/internal/credit"
	"credithub/internal/ident"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// The court's published lists as anyone may search them (T27: 应公开、尽
// 公开), the way 中国执行信息公开网 shows them: by name, by unified code or
// by a masked ID number; only what the court has published and not
// removed; a person's ID number only masked. The search never takes a full
// ID number: the public has no business confirming one.

// ListSearch is one search of a published list. At least one of Name,
// USCC and MaskedIDNumber is set; the caller (the resolver) has checked
// their shapes.
type ListSearch struct {
	Kind credit.Kind // KindDishonestDebtor or KindFalseLitigation
	// Name is a part of the party's name (two characters or more).
	Name string
	// USCC is an organisation's unified social credit code.
	USCC string
	// MaskedIDNumber is a person's ID number in the published mask
	// (ident.MaskResidentID: first 6 and last 4 characters).
	MaskedIDNumber string
	// Today: an entry published later is not yet published.
	Today scalars.Date
	// Persons and Organisations say whose entries the catalogue makes
	// public; the others are not searched.
	Persons, Organisations bool
	// AfterID continues after the entry with this id (0: from the newest).
	AfterID int64
	Limit   int
}

// ListEntry is one published entry, as the court publishes it.
type ListEntry struct {
	ID           int64     `db:"id"`
	CaseNo       string    `db:"case_no"`
	CourtName    string    `db:"court_name"`
	PartyType    string    `db:"party_type"`
	PartyName    string    `db:"party_name"`
	LegalRepName *string   `db:"legal_rep_name"`
	DecidedOn    time.Time `db:"decided_on"`
	PublishedOn  time.Time `db:"published_on"`
	// Dishonest judgment debtors.
	Obligation  *string `db:"obligation"`
	Performance *string `db:"performance"`
	Behaviour   *string `db:"behaviour"`
	// False litigation.
	Description *string `db:"description"`
	// PartyKey is the party's key as the court keeps it: an
	// organisation's USCC, which is published, or a person's ID number,
	// which is not and leaves only masked (MaskedIDNumber).
	PartyKey string `db:"party_id_no"`
}

// USCC is the organisation's code; "" for a person.
func (e ListEntry) USCC() string {
	if e.PartyType == PartyOrganisation {
		return e.PartyKey
	}
	return ""
}

// MaskedIDNumber is a person's ID number as published; "" for an
// organisation.
func (e ListEntry) MaskedIDNumber() string {
	if e.PartyType == PartyPerson {
		return ident.MaskResidentID(e.PartyKey)
	}
	return ""
}

// Lists searches the court's published lists.
type Lists struct {
	DB *sqldb.DB
}

// listViews are the searchable lists and their kind-specific columns.
var listViews = map[credit.Kind]struct{ view, columns string }{
	credit.KindDishonestDebtor: {"dishonest_debtor_v",
		"obligation, performance, behaviour, NULL::text AS description"},
	credit.KindFalseLitigation: {"false_litigation_v",
		"NULL::text AS obligation, NULL::text AS performance, NULL::text AS behaviour, description"},
}

// Search returns up to q.Limit published entries matching q, newest entry
// first, in one statement.
func (l *Lists) Search(ctx context.Context, q ListSearch) ([]ListEntry, error) {
	v, ok := listViews[q.Kind]
	if !ok {
		return nil, fmt.Errorf("court: %s is not a published list", q.Kind)
	}
	where := []string{"published_on IS NOT NULL", "published_on <= $1::date", "removed_on IS NULL"}
	args := []any{q.Today.String()}
	arg := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	switch {
	case !q.Persons && !q.Organisations:
		return nil, nil
	case !q.Persons:
		where = append(where, "party_type = 'O'")
	case !q.Organisations:
		where = append(where, "party_type = 'P'")
	}
	if q.Name != "" {
		arg("strpos(party_name, ?) > 0", q.Name)
	}
	if q.USCC != "" {
		arg("party_type = 'O' AND party_id_no = ?", q.USCC)
	}
	if m := q.MaskedIDNumber; m != "" {
		// First 6 and last 4 known, the 8 in between any: LIKE's _ per
		// character. The mask's characters were checked to be digits and X.
		arg("party_type = 'P' AND party_id_no LIKE ?", m[:6]+strings.Repeat("_", 8)+m[14:])
	}
	if q.AfterID > 0 {
		arg("id < ?", q.AfterID)
	}
	args = append(args, q.Limit)
	query := fmt.Sprintf(`SELECT id, case_no, court_name, party_type, party_name, legal_rep_name, decided_on, published_on, party_id_no, %s
		FROM %s WHERE %s ORDER BY id DESC LIMIT $%d`, v.columns, v.view, strings.Join(where, " AND "), len(args))
	var out []ListEntry
	if err := l.DB.SelectContext(ctx, &out, query, args...); err != nil {
		return nil, fmt.Errorf("court: searching %s: %w", v.view, err)
	}
	return out, nil
}
