package datasources

import (
	"context"
	"fmt"
	"strings"

	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// Department codes: the contract's names (Department.code).
const (
	Market      = "market"
	Environment = "environment"
	Fire        = "fire"
	Housing     = "housing"
	Court       = "court"
)

// Departments lists the departments in their canonical order, the order of
// `sources` and of records decided on the same day.
var Departments = []credit.Department{
	{Code: Market, Name: "黑河市市场监督管理局"},
	{Code: Environment, Name: "黑河市生态环境局"},
	{Code: Fire, Name: "黑河市消防救援支队"},
	{Code: Housing, Name: "黑河市住房和城乡建设局"},
	{Code: Court, Name: "黑河市中级人民法院"},
}

// DepartmentByCode returns the department with the given code.
func DepartmentByCode(code string) (*credit.Department, bool) {
	for i := range Departments {
		if Departments[i].Code == code {
			return &Departments[i], true
		}
	}
	return nil, false
}

// Subject is every key a department may have filed a subject's records under:
// for an entity its unified code, its organisation code and its old
// registration number; for a natural person the resident ID number. It is
// comparable, so it can be a dataloader key.
type Subject struct {
	USCC     string
	OrgCode  string
	RegNo    string
	IDNumber string
}

// IsPerson reports whether the subject is a natural person.
func (s Subject) IsPerson() bool { return s.IDNumber != "" }

// Key returns the subject's canonical key: the USCC or the ID number.
func (s Subject) Key() string {
	if s.IsPerson() {
		return s.IDNumber
	}
	return s.USCC
}

// Cursor is a position in the graph's record order: decision date (newest
// first), then department code, then kind, then the department's row id
// (highest first). The order is total, so pages never skip or repeat records.
type Cursor struct {
	Date    string // YYYY-MM-DD
	Source  string
	Kind    credit.Kind
	LocalID int64
}

// CursorOf returns the position of r.
func CursorOf(r credit.Record) Cursor {
	b := r.Common()
	return Cursor{Date: b.DecisionDate.String(), Source: b.Ref.Source, Kind: b.Ref.Kind, LocalID: b.Ref.LocalID}
}

// Less reports whether a comes before b in the record order.
func Less(a, b Cursor) bool {
	if a.Date != b.Date {
		return a.Date > b.Date
	}
	if a.Source != b.Source {
		return sourceRank(a.Source) < sourceRank(b.Source)
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return a.LocalID > b.LocalID
}

func sourceRank(code string) int {
	for i, d := range Departments {
		if d.Code == code {
			return i
		}
	}
	return len(Departments)
}

// Query selects records. It is comparable so that resolvers asking the same
// thing for many subjects share one batch.
type Query struct {
	// Kinds, as a set; empty means every kind.
	Kinds KindSet
	// From and To bound the decision date (YYYY-MM-DD, inclusive); "" is open.
	From, To string
	// After is the last record of the previous page; zero means from the start.
	After Cursor
	// Limit is the most records returned per subject; 0 means all.
	Limit int
}

// KindSet is a set of record kinds as a bit mask (credit.Kinds has room
// for 64).
type KindSet uint64

// KindSetOf returns the set holding kinds.
func KindSetOf(kinds ...credit.Kind) KindSet {
	var s KindSet
	for _, k := range kinds {
		for i, known := range credit.Kinds {
			if k == known {
				s |= 1 << i
			}
		}
	}
	return s
}

// Has reports whether k is in the set; the empty set holds every kind.
func (s KindSet) Has(k credit.Kind) bool {
	if s == 0 {
		return true
	}
	return s&KindSetOf(k) != 0
}

// DateRange returns q's bounds as dates; the zero Date means open.
func (q Query) DateRange() (from, to scalars.Date) {
	if q.From != "" {
		from, _ = scalars.ParseDate(q.From)
	}
	if q.To != "" {
		to, _ = scalars.ParseDate(q.To)
	}
	return from, to
}

// Source is what the hub asks of every department.
type Source interface {
	// Department returns who this is.
	Department() credit.Department
	// Kinds lists the record kinds the department provides.
	Kinds() []credit.Kind
	// Records returns, for each subject (by Subject.Key), its records that
	// match q, in record order, at most q.Limit each.
	Records(ctx context.Context, subjects []Subject, q Query) (map[string][]credit.Record, error)
	// Rows is Records decoded on demand: the fan-out merges by cursor and
	// decodes only what reaches the page.
	Rows(ctx context.Context, subjects []Subject, q Query) (map[string][]*Row, error)
	// Counts returns, for each subject, how many records the department holds.
	Counts(ctx context.Context, subjects []Subject) (map[string]int, error)
	// ByRef returns the records with the given references; missing ones are
	// absent from the map.
	ByRef(ctx context.Context, refs []credit.Ref) (map[credit.Ref]credit.Record, error)
	// Key keeps of a subject only the keys the department matches on.
	Key(Subject) Subject
	// NeedsRegistry reports whether the department files records under a
	// key that only the registry knows.
	NeedsRegistry() bool
	// HoldsPersons reports whether the department keeps records of natural
	// persons (only their records are asked for then).
	HoldsPersons() bool
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Disclosures answers the publication duty's question (T26) for the
	// records of kinds decided in [from, to] (YYYY-MM-DD, inclusive): how
	// many were decided on each day and published on each day (or not at
	// all), one count per distinct pair, in one statement. The hub applies
	// the holiday calendar to each pair; the pairs are few where the
	// records are many. Tables that keep no publication date are left out.
	Disclosures(ctx context.Context, kinds KindSet, from, to string) ([]DisclosureCount, error)
	// Unpublished returns the records that q selects and that were never
	// published, in one statement, oldest decision first.
	Unpublished(ctx context.Context, q UnpublishedQuery) ([]credit.Record, error)
}

// DisclosureCount is how many records were decided on one day and published
// on another.
type DisclosureCount struct {
	Decided scalars.Date
	// Published is nil for the records not published (yet).
	Published *scalars.Date
	Count     int
}

// UnpublishedQuery selects unpublished records, in the order decision date,
// kind, row id (all ascending): the order of their publication deadlines.
type UnpublishedQuery struct {
	// Kinds, as a set; empty means every kind.
	Kinds KindSet
	// From and To bound the decision date (YYYY-MM-DD, inclusive).
	From, To string
	// After is the last record of the previous page (its Date, Kind and
	// LocalID); zero means from the start.
	After Cursor
	// Limit is the most records returned; 0 means all.
	Limit int
}

// DecodeError reports a department row the hub could not map: the
// department's data broke its own conventions.
type DecodeError struct {
	Source string
	Kind   credit.Kind
	ID     int64
	Err    error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("%s %s row %d: %v", e.Source, strings.ToLower(string(e.Kind)), e.ID, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Feed reads a department's records in the order they were added, by row
// id, for the warning scanner (T25): all a reader keeps is a watermark per
// kind. TableSource implements it; the hub's own records (in memory) have
// no row order to follow and do not.
type Feed interface {
	// Department returns who this is.
	Department() credit.Department
	// Kinds lists the record kinds the department provides.
	Kinds() []credit.Kind
	// Since returns the records of kind in rows with an id above afterID,
	// in id order, at most limit (> 0), in one statement.
	Since(ctx context.Context, kind credit.Kind, afterID int64, limit int) (Added, error)
	// MaxIDs returns the highest row id of each of kinds (0 for an empty
	// table), in one statement.
	MaxIDs(ctx context.Context, kinds []credit.Kind) (map[credit.Kind]int64, error)
}

// Added is what Feed.Since read. Each record's Subject is the one its row
// names (a USCC, or for a court's person party an ID number); a row filed
// only under a legacy key has an empty Subject and its LegacyKey set.
type Added struct {
	Records []credit.Record
	// Last is the id of the last row read; the afterID asked when none.
	Last int64
	// Undecodable are the rows read that did not map (the department broke
	// its own conventions). Last is past them: one bad row must not stop
	// the reader for good.
	Undecodable []error
}
