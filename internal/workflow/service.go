package workflow

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"credithub/auth"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/workday"
)

// Service runs the workflows against the hub's database.
type Service struct {
	DB *hubdb.DB
	// State is the overlays on records: after a committed change, the
	// records it touched are refreshed at once, so that this instance's
	// next answer shows it; the others refresh on the notice.
	State *hubdb.State
	// Measures is the measures catalogue: a joint-punishment case is pushed
	// to every department whose measures apply to the list.
	Measures *catalogue.Measures
	// Calendar counts deadlines in working days.
	Calendar *workday.Calendar
	// Persons gives an entity's responsible persons from the registry, for
	// the personal records of a joint-punishment listing (T22).
	Persons func(ctx context.Context, uscc string) ([]Person, error)
	// Keys keep the persons of the changes the transitions write for the
	// agencies' change feed (feed.go); nil writes no change.
	Keys hubdb.PersonKeys
	// Org gives an entity's organisation type and superior body from the
	// registry, for the notifications of a joint-punishment listing (T23;
	// nil: none).
	Org    func(ctx context.Context, uscc string) (orgType, superior string, err error)
	Logger *slog.Logger
	Now    func() time.Time

	rulesMu sync.Mutex
	rules   map[string]Rule
	// batch says that DB is a transaction the caller holds and every
	// transition runs on it as it stands (Batch).
	batch bool
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Today is the current date in China Standard Time.
func (s *Service) Today() scalars.Date { return scalars.DateOf(s.now()) }

// Person is a responsible person of an entity.
type Person struct {
	Role credit.Role
	Name string
	IDNo string
}

// RecordLookup fetches a record by its global ID as the caller may see it
// (the resolvers pass the request's loaders); nil when it does not exist.
type RecordLookup func(ctx context.Context, ref credit.Ref) (credit.Record, error)

// Batch returns a service that runs the same transitions — the same
// checks, history rows and effects, through the same methods the mutations
// call — on tx, a transaction of the hub's database the caller holds, in
// bulk: each transition at the moment now gives and by the actor of its
// call's context, without an idempotency row (the key is not read), a
// change notice or a reload of the hub's state of its own. The caller runs
// as many transitions as it likes on tx, commits it, and announces the
// change once (Announce). Transactions on different objects may run side
// by side, each with its own batch; one batch serves one goroutine.
//
// A transition that fails may have written part of its effects, or left
// tx unusable: the caller rolls tx back. A batch marks no entity's stored
// grade out of date (transact does): it loads facts that grades are then
// computed from.
func (s *Service) Batch(tx *hubdb.DB, now func() time.Time) *Service {
	return &Service{DB: tx, Measures: s.Measures, Calendar: s.Calendar, Persons: s.Persons, Keys: s.Keys, Org: s.Org, Logger: s.Logger, Now: now, batch: true}
}

// Announce tells every hub instance to reload its overlays, and reloads
// this instance's: after a batch's transaction committed (a batch's
// transitions send no notice of their own).
func (s *Service) Announce(ctx context.Context) error {
	if err := s.DB.Transact(ctx, func(tx *hubdb.DB) error { return tx.NotifyAll(ctx) }); err != nil {
		return err
	}
	if s.State != nil {
		if err := s.State.Reload(ctx); err != nil && s.Logger != nil {
			s.Logger.ErrorContext(ctx, "reloading the overlays after a batch", "err", err)
		}
	}
	return nil
}

// refresh brings this instance's overlays of the records a committed
// change touched up to date; the other instances refresh on the notice.
func (s *Service) refresh(ctx context.Context, touched []string) {
	if s.State == nil || len(touched) == 0 {
		return
	}
	if err := s.State.Refresh(ctx, touched); err != nil && s.Logger != nil {
		s.Logger.ErrorContext(ctx, "refreshing the overlays after a change", "err", err)
	}
}

// transact runs one transition: in one transaction, under the caller's
// idempotency key (a retry returns the first answer and writes nothing),
// with the change announced to every hub instance at commit. Then this
// instance refreshes the overlays it touched at once. In a batch it runs write on
// the batch's transaction and nothing else (Batch).
func transact[T any](ctx context.Context, s *Service, key hubdb.Key, operation string, write func(tx *hubdb.DB, now time.Time) (T, error)) (T, error) {
	now := s.now()
	if s.batch {
		if !s.DB.InTx() {
			var zero T
			return zero, errors.New("workflow: a batch runs its transitions on a transaction (Service.Batch)")
		}
		return write(s.DB, now)
	}
	var touched []string
	out, err := hubdb.Idempotent(ctx, s.DB, auth.FromContext(ctx).Key(), key, operation, func(tx *hubdb.DB) (T, error) {
		v, err := write(tx, now)
		if err != nil {
			return v, err
		}
		// Whatever a transition wrote about an entity may move its grade:
		// its stored grade is marked out of date in the same transaction.
		if o, ok := any(v).(interface{ DataSubject() (string, string) }); ok {
			if uscc, _ := o.DataSubject(); uscc != "" {
				if err := tx.Grades().MarkStale(ctx, []string{uscc}); err != nil {
					return v, err
				}
			}
		}
		touched = tx.Touched()
		return v, tx.Notify(ctx)
	})
	if err == nil {
		s.refresh(ctx, touched)
	}
	return out, err
}
