package workflow

import (
	"context"
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
	// State is reloaded after every committed change, so that this
	// instance's next answer shows it; the others reload on the notice.
	State *hubdb.State
	// Measures is the measures catalogue: a joint-punishment case is pushed
	// to every department whose measures apply to the list.
	Measures *catalogue.Measures
	// Calendar counts deadlines in working days.
	Calendar *workday.Calendar
	// Persons gives an entity's responsible persons from the registry, for
	// the personal records of a joint-punishment listing (T22).
	Persons func(ctx context.Context, uscc string) ([]Person, error)
	Logger  *slog.Logger
	Now     func() time.Time

	rulesMu sync.Mutex
	rules   map[string]Rule
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

// transact runs one transition: in one transaction, under the caller's
// idempotency key (a retry returns the first answer and writes nothing),
// with the change announced to every hub instance at commit. Then this
// instance reloads the hub's state at once.
func transact[T any](ctx context.Context, s *Service, key hubdb.Key, operation string, write func(tx *hubdb.DB, now time.Time) (T, error)) (T, error) {
	now := s.now()
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
		return v, tx.Notify(ctx)
	})
	if err == nil && s.State != nil {
		if rerr := s.State.Reload(ctx); rerr != nil && s.Logger != nil {
			s.Logger.ErrorContext(ctx, "reloading the hub state after a change", "err", rerr)
		}
	}
	return out, err
}
