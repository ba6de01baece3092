// Package feed is the licensed credit agencies' change feed (T30, issue
// #15 point 4a): an agency stays in sync with the entities and persons it
// may read by asking, page after page, what changed since its cursor.
//
// What changes: a department's new record (followed from its tables by the
// Follower), a record the hub creates or ends, a listing entered or
// removed, an objection filed, upheld or rejected, a repair's outcome, and
// the agency's own authorisations granted, revoked or expired. The hub's
// transitions write their change in their own transaction (package
// workflow, hubdb's authorisations), so a change is in the feed exactly
// when what it announces committed.
//
// Whose: every entity's, as far as the agency's token may read them — an
// entity's public information is anyone's, so an agency follows every
// entity, and what it sees of each is what entity(uscc:) shows it (public
// records; shared ones with record:read). A person's changes only while
// the agency holds that person's live written authorisation for the
// purpose it declares, and only those written after the authorisation was
// recorded; when the authorisation ends (revoked, or expired), the agency
// gets that change and then nothing more about the person.
//
// In what order: by (xid, id) — the writing transaction, then the row —
// and only up to the oldest transaction of the hub's database still
// writing (hubdb.ChangeStore.Page). A change committed late by a slow
// writer therefore waits for the feed to reach it rather than being passed
// over: a cursor resumes with no gap and no duplicate, across instances
// and restarts. A writer's open transaction delays the feed (never loses
// it) by as long as it stays open.
package feed

import (
	"context"
	"io"
	"time"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// DefaultPage and MaxPage bound a page of changes.
const (
	DefaultPage = 100
	MaxPage     = 100
)

// Service reads the feed for agencies.
type Service struct {
	DB      *hubdb.DB
	Cursors *Cursors
	// Now is the clock (tests set it): authorisations are live on its day.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Request is what one page asks.
type Request struct {
	Agency string
	// Purpose is the purpose the agency declares ("" for none): its
	// cursors are bound to it.
	Purpose string
	// Persons says whether the agency may read persons' data at all
	// (person:read with a purpose): without it, no person's change is read.
	Persons bool
	// Since is the cursor of the last page or change ("" from the start).
	Since string
	First int
	// EntityRecordKinds are the record kinds the agency may see of an
	// entity, ListTypes the lists whose listings it may see: changes of
	// others are not read.
	EntityRecordKinds []string
	ListTypes         []string
}

// Page is a page of the feed as read, before the caller shows it.
type Page struct {
	// Changes are the changes read, in feed order, with the cursor after
	// each.
	Changes []hubdb.ChangeRow
	Cursors []string
	// Cursor is where the page ends: the since of the next page. It moves
	// past every change read, or stays at Since when none was.
	Cursor string
	// HasMore says that more changes are ready now.
	HasMore bool
}

// purposes are the purposes an agency may declare, for Cursors.Open.
func purposes() []string {
	out := make([]string, len(auth.Purposes))
	for i, p := range auth.Purposes {
		out[i] = string(p)
	}
	return out
}

// Read reads one page: the changes after req.Since that req.Agency may
// follow, at most req.First, in one statement.
func (s *Service) Read(ctx context.Context, req Request) (*Page, error) {
	n := req.First
	if n < 1 || n > MaxPage {
		return nil, apperr.BadInput("first", "first must be from 1 to %d", MaxPage)
	}
	var after hubdb.Position
	if req.Since != "" {
		var err error
		if after, err = s.Cursors.Open(req.Agency, req.Purpose, req.Since, purposes(), "since"); err != nil {
			return nil, err
		}
	}
	q := hubdb.ChangeQuery{After: after, Agency: req.Agency, Day: s.now(),
		EntityRecordKinds: req.EntityRecordKinds, ListTypes: req.ListTypes, Limit: n + 1}
	if req.Persons {
		q.Purpose = req.Purpose
	}
	rows, err := s.DB.Changes().Page(ctx, q)
	if err != nil {
		return nil, err
	}
	p := &Page{HasMore: len(rows) > n, Cursor: req.Since}
	if p.HasMore {
		rows = rows[:n]
	}
	p.Changes, p.Cursors = rows, make([]string, len(rows))
	for i, c := range rows {
		p.Cursors[i] = s.Cursors.Sign(req.Agency, req.Purpose, c.Position())
	}
	switch {
	case len(rows) > 0:
		p.Cursor = p.Cursors[len(rows)-1]
	case req.Since == "":
		p.Cursor = s.Cursors.Sign(req.Agency, req.Purpose, hubdb.Position{})
	}
	return p, nil
}

// Change is one change as the graph shows it to an agency (the schema's
// Change); its record, listing, objection, repair and entity are resolved
// through the request's loaders.
type Change struct {
	ID     string
	Cursor string
	At     time.Time
	Kind   Kind
	Action Action
	Uscc   *string
	// Person is whom a person's change is about; nil for an entity's.
	Person   *Person
	RecordID *string
	// Row is the change as stored.
	Row hubdb.ChangeRow
	// Authorization is the authorisation of an AUTHORIZATION change, when
	// it was asked for.
	Authorization *hubdb.Authorization
}

// DataSubject is whose data the change is: the openness rules of its
// personal fields ask it.
func (c *Change) DataSubject() (uscc, idNumber string) {
	if c.Uscc != nil {
		uscc = *c.Uscc
	}
	if c.Person != nil {
		idNumber = c.Person.IDNumber
	}
	return uscc, idNumber
}

// Person is the person a change is about (the schema's ChangePerson).
type Person struct {
	// ID is the person's sealed ID (Person.id), IDNumber the ID number it
	// opens to.
	ID       string
	IDNumber string
}

// DataSubject is whose data the person is.
func (p *Person) DataSubject() (uscc, idNumber string) { return "", p.IDNumber }

// Kind is the schema's ChangeKind.
type Kind string

// Kinds are the values of Kind.
var Kinds = []Kind{hubdb.ChangeRecord, hubdb.ChangeListing, hubdb.ChangeObjection, hubdb.ChangeRepair, hubdb.ChangeAuthorization}

func (k Kind) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(k)) }
func (k *Kind) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "ChangeKind", Kinds, k)
}

// Action is the schema's ChangeAction.
type Action string

// Actions are the values of Action.
var Actions = []Action{hubdb.ActionAdded, hubdb.ActionChanged, hubdb.ActionEntered, hubdb.ActionStarted, hubdb.ActionRemoved,
	hubdb.ActionFiled, hubdb.ActionUpheld, hubdb.ActionRejected, hubdb.ActionRefused, hubdb.ActionRepaired,
	hubdb.ActionDenied, hubdb.ActionReversed, hubdb.ActionGranted, hubdb.ActionRevoked, hubdb.ActionExpired}

func (a Action) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(a)) }
func (a *Action) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "ChangeAction", Actions, a)
}
