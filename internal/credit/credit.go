// Package credit defines the credit record: the one shape that every
// department's data takes in the graph, whatever table, key column, date or
// amount convention it came from.
//
// Datasources map their rows into these types; the hub then applies what it
// owns on top (publicity from the information catalogue, disclosure deadlines
// from the holiday calendar, and later the overlays of objections and
// repairs) before resolvers hand them to gqlgen, which binds the GraphQL
// types of the same names to them (gqlgen.yml).
package credit

import (
	"time"

	"credithub/internal/scalars"
)

// Record is a credit record of any kind. It is what the GraphQL interface
// CreditRecord binds to.
type Record interface {
	Common() *Base
	IsNode()
	GetID() string
}

// Base carries the fields every record has. The exported fields without a
// GraphQL counterpart (Ref, Subject…) are the hub's bookkeeping and never
// reach the graph: gqlgen only reads fields named in the schema.
type Base struct {
	ID           string
	Kind         Kind
	Source       *Department
	DecisionNo   *string
	DecisionDate scalars.Date
	Summary      string
	Publicity    Publicity
	Status       Status
	Severity     *Severity
	Authority    *string
	LegacyKey    *string
	Disclosure   *Disclosure

	// Ref locates the row in its department's database.
	Ref Ref
	// Subject is the key of whom the record is about: the entity's USCC
	// after legacy keys were resolved, or a natural person's ID number.
	Subject Subject
	// Party is whom the department filed the record against, when a query
	// about someone else found it (Subject is then that someone): a
	// court's consumption restriction against a company is also among its
	// legal representative's records. Empty when it is Subject.
	Party Subject
	// SubjectName is the subject's name as the department's row gives it
	// (the court names the parties it lists), for persons known to no registry.
	SubjectName string
	// PublishedOn is the day the department put the decision online, the
	// input of the disclosure computation.
	PublishedOn *scalars.Date
}

// Common returns the shared part of a record.
func (b *Base) Common() *Base { return b }

// FiledAgainst is whom the record is about on every path: the party the
// department filed it against, whoever's records it was found among. Its
// openness and who may see it follow from this subject, never from the
// path (one record, one marking).
func (b *Base) FiledAgainst() Subject {
	if b.Party != (Subject{}) {
		return b.Party
	}
	return b.Subject
}

// IsNode marks records as GraphQL nodes.
func (b *Base) IsNode() {}

// GetID returns the global ID.
func (b *Base) GetID() string { return b.ID }

// InForce reports whether a record counts against its subject: inside its
// publication period, not repaired, not revoked, and not waiting for its
// start (a ban before its first day). A record out
// of force stays in its department's database and reaches departments, but
// is not public, triggers no measure, weighs in no grade and is left out of
// credit reports.
func InForce(r Record) bool {
	switch r.Common().Status {
	case Expired, Repaired, Revoked, Scheduled:
		return false
	}
	return true
}

// Subject names whom a record is about. Exactly one of the two is set.
type Subject struct {
	USCC     string
	IDNumber string
}

// IsPerson reports whether the record is about a natural person.
func (s Subject) IsPerson() bool { return s.IDNumber != "" }

// Department is a provider of credit information.
type Department struct {
	Code string
	Name string
}

// Disclosure is a record's publication duty (T26).
type Disclosure struct {
	DueDate         scalars.Date
	PublishedDate   *scalars.Date
	OnTime          bool
	Overdue         bool
	WorkingDaysLate int
}

// InspectionFinding is one problem an inspection found.
type InspectionFinding struct {
	Code        string
	Description string
	RectifyBy   *scalars.Date
	RectifiedAt *time.Time
}

// Ref locates a record in its department's database: the department, the
// kind (which tells the department's table) and the row's own key there.
type Ref struct {
	Source  string
	Kind    Kind
	LocalID int64
}
