package app

import (
	"context"
	"sync"
	"time"

	"credithub/internal/hubdb"
	"credithub/internal/supervision"
)

// Runner is one of an instance's background jobs. Every runner the hub has
// is listed in (*App).Runners, with what keeps it right when several
// instances run at once; nothing else in the hub starts a goroutine that
// outlives a request.
type Runner struct {
	Name string
	// Every is the pause between two turns of a periodic job; First the
	// pause before its first turn (default Every).
	Every, First time.Duration
	// Turn runs a periodic job once; an error is logged and the job runs
	// again at its next turn.
	Turn func(ctx context.Context) error
	// Listen runs a listener until ctx ends (Every is then its fallback
	// interval, for the README's table only).
	Listen func(ctx context.Context)
	// Several says why the job is right with several instances running.
	Several string
}

// CatalogueRefreshEvery is how often an instance asks whether the credit
// office changed the catalogue (T8), or a change's day has come: one cheap
// statement when nothing changed. The instance that made a change applies
// it at once.
const CatalogueRefreshEvery = 30 * time.Second

// BanJobEvery is by default how often the bans job looks for bans whose start or end
// has come (T21). A ban restricts or stops restricting on its day whatever
// the job's pace (its records carry its days); the job writes the history
// and the removal.
const BanJobEvery = 10 * time.Minute

// QueryLogMonthsEvery is how often an instance makes the query log's next
// months' partitions and seals the months that are over
// (auth.QueryLog.SealMonths).
const QueryLogMonthsEvery = time.Hour

// Runners lists this instance's background jobs, in the order they start.
func (a *App) Runners() []Runner {
	hubDSN := a.Config.Databases["hub"].DSN
	rs := []Runner{
		{
			Name: "overlays listener", Every: 5 * time.Minute,
			Listen:  func(ctx context.Context) { a.State.Listen(ctx, hubDSN) },
			Several: "every instance listens on credithub_state and refreshes its copy of the overlays of the records each notice names (all of them after a lost connection and every 5 minutes)",
		},
		{
			Name: "warnings listener", Every: 90 * time.Second,
			Listen:  func(ctx context.Context) { a.Warnings.Listen(ctx, hubDSN) },
			Several: "every instance listens on credithub_warning and delivers each warning to its own subscribers",
		},
		{
			Name: "work listener", Every: 90 * time.Second,
			Listen:  func(ctx context.Context) { a.Work.Listen(ctx, hubDSN) },
			Several: "every instance listens on credithub_work and delivers each department's new work to its own subscribers",
		},
		{
			Name: "warning scanner", Every: a.Config.WarningScan,
			Turn: func(ctx context.Context) error {
				res, err := a.Scanner.Tick(ctx)
				for who, err := range res.Failed {
					a.Logger.Warn("warning scan: source not read; it is scanned again next time", "source", who, "err", err)
				}
				return err
			},
			Several: "one instance scans at a time (a session advisory lock); the others skip their turn, and watermarks make each record raise at most once",
		},
		{
			Name: "change feed follower", Every: a.Config.FeedFollow,
			Turn: func(ctx context.Context) error {
				res, err := a.Follower.Tick(ctx)
				for who, err := range res.Failed {
					a.Logger.Warn("change feed: source not read; it is followed again next time", "source", who, "err", err)
				}
				return err
			},
			Several: "one instance follows at a time (a session advisory lock); the others skip their turn; each batch's changes commit with its watermark, and each expired authorisation is noted once",
		},
	}
	rs = append(rs, Runner{
		Name: "query log months", Every: QueryLogMonthsEvery, First: 10 * time.Second,
		Turn: func(ctx context.Context) error {
			sealed, err := a.QueryLog.SealMonths(ctx)
			for _, s := range sealed {
				a.Logger.Info("query log month sealed", "month", s.MonthName(), "rows", s.Rows, "first", s.FirstID, "last", s.LastID)
			}
			return err
		},
		Several: "a month is closed under the chain head's lock and its seal is one row keyed by the month: whichever instance seals it first, the others take its seal",
	})
	rs = append(rs, Runner{
		Name: "catalogue refresh", Every: CatalogueRefreshEvery,
		Turn: func(ctx context.Context) error {
			changed, err := a.Catalogue.Refresh(ctx, hubdb.New(a.DBs["hub"].DB).Catalogues(), time.Now())
			if changed {
				a.Logger.Info("the information catalogue changed; applied")
			}
			return err
		},
		Several: "each instance rereads the catalogue when a change was made or the day turned; the changes are rows, the same for all",
	})
	rs = append(rs, Runner{
		Name: "bans start and end", Every: a.Config.BanJob, First: min(5*time.Second, a.Config.BanJob),
		Turn: func(ctx context.Context) error {
			run, err := a.Workflows.RunBans(ctx, 0)
			if run.Started+run.Ended > 0 {
				a.Logger.Info("market bans", "started", run.Started, "ended", run.Ended)
			}
			return err
		},
		Several: "each ban's start and end runs under an idempotency key of its own, on the entry's row lock: it takes effect once, whichever instance runs it",
	})
	if interval := a.Config.GradeInterval; interval > 0 {
		rs = append(rs,
			Runner{
				Name: "grade recompute", Every: interval, First: min(supervision.GradeJobDelay, interval),
				Turn: func(ctx context.Context) error {
					start := time.Now()
					n, ran, err := a.Supervision.RecomputeIfFree(ctx, interval)
					switch {
					case ran && err == nil:
						a.Logger.Info("recomputed grades", "entities", n, "took", time.Since(start).Round(time.Millisecond).String())
					case err == nil:
						a.Logger.Info("grades are being or were just recomputed by another instance; skipping this turn")
					}
					return err
				},
				Several: "one instance recomputes at a time (a transaction advisory lock), once per interval (the last recompute's time); the others skip their turn",
			},
			Runner{
				Name: "regrade of changed entities", Every: supervision.RegradeEvery,
				Turn: func(ctx context.Context) error {
					start := time.Now()
					n, err := a.Supervision.RegradeStale(ctx)
					if n > 0 {
						a.Logger.Info("regraded entities whose facts changed", "entities", n, "took", time.Since(start).Round(time.Millisecond).String())
					}
					return err
				},
				Several: "instances claim the marked entities with FOR UPDATE SKIP LOCKED, so none is graded twice; none regrades while a recompute runs",
			})
	}
	return rs
}

// startRunners starts every runner; Close stops them and waits for each to
// finish its turn.
func (a *App) startRunners() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, r := range a.Runners() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r.Listen != nil {
				r.Listen(ctx)
				return
			}
			a.loop(ctx, r)
		}()
	}
	a.stop = append(a.stop, func() { cancel(); wg.Wait() })
}

// loop runs a periodic runner's turns until ctx ends.
func (a *App) loop(ctx context.Context, r Runner) {
	first := r.First
	if first <= 0 {
		first = r.Every
	}
	timer := time.NewTimer(first)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if err := r.Turn(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Error(r.Name, "err", err)
		}
		timer.Reset(r.Every)
	}
}
