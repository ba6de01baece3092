package workflow

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"credithub/auth"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/workday"
)

// Service runs the workflows against the hub's database.
type Service struct {
	DB *sqlx.DB
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
func transact[T any](ctx context.Context, s *Service, key hubdb.Key, operation string, write func(tx *sqlx.Tx, now time.Time) (T, error)) (T, error) {
	now := s.now()
	out, err := hubdb.Idempotent(ctx, hubdb.New(s.DB), auth.FromContext(ctx).Key(), key, operation, func(htx *hubdb.DB) (T, error) {
		tx := htx.Tx()
		v, err := write(tx, now)
		if err != nil {
			return v, err
		}
		// Whatever a transition wrote about an entity may move its grade:
		// its stored grade is marked out of date in the same transaction.
		if o, ok := any(v).(interface{ DataSubject() (string, string) }); ok {
			if uscc, _ := o.DataSubject(); uscc != "" {
				if err := hubdb.MarkGradesStale(ctx, tx, []string{uscc}); err != nil {
					return v, err
				}
			}
		}
		return v, htx.Notify(ctx)
	})
	if err == nil && s.State != nil {
		if rerr := s.State.Reload(ctx); rerr != nil && s.Logger != nil {
			s.Logger.ErrorContext(ctx, "reloading the hub state after a change", "err", rerr)
		}
	}
	return out, err
}

// Rules returns the workflow rules (deadlines with their sources), read
// once and kept; a failed read is not kept, the next call tries again.
func (s *Service) Rules(ctx context.Context) (map[string]Rule, error) {
	s.rulesMu.Lock()
	defer s.rulesMu.Unlock()
	if s.rules != nil {
		return s.rules, nil
	}
	var rows []Rule
	// Not the caller's context: a cancelled request must not poison the
	// cache for everyone.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.DB.SelectContext(rctx, &rows, `SELECT code, description, working_days, source FROM workflow_rule ORDER BY code`); err != nil {
		return nil, err
	}
	rules := map[string]Rule{}
	for _, r := range rows {
		rules[r.Code] = r
	}
	s.rules = rules
	return rules, nil
}

// Due returns the date that is the rule's number of working days after t.
func (s *Service) Due(ctx context.Context, rule string, t time.Time) (scalars.Date, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return scalars.Date{}, err
	}
	r, ok := rules[rule]
	if !ok || r.WorkingDays == nil {
		return scalars.Date{}, fmt.Errorf("workflow rule %s has no working days", rule)
	}
	return scalars.DateOf(s.Calendar.AddWorkingDays(t, *r.WorkingDays)), nil
}
