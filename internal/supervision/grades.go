package supervision

// Grades (T12): computed at query time for MarketEntity.rating, and for
// every entity by a job (and the recomputeGrades mutation) into
// entity_grade, which the distribution and inspection plans read.

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"time"
	"weak"

	"github.com/graph-gophers/dataloader/v7"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// LoadModel reads the grading model from grade_factor and grade_threshold.
func LoadModel(ctx context.Context, q sqlx.QueryerContext) (*Model, error) {
	var fs []Factor
	if err := sqlx.SelectContext(ctx, q, &fs, `SELECT code, description, points, source FROM grade_factor ORDER BY points DESC, code`); err != nil {
		return nil, fmt.Errorf("loading the grade factors: %w", err)
	}
	var ts []Threshold
	if err := sqlx.SelectContext(ctx, q, &ts, `SELECT grade, max_points, meaning, source FROM grade_threshold ORDER BY grade`); err != nil {
		return nil, fmt.Errorf("loading the grade thresholds: %w", err)
	}
	return NewModel(fs, ts)
}

// FactorList returns the factors, heaviest first (then by code).
func (m *Model) FactorList() []Factor {
	out := make([]Factor, 0, len(m.Factors))
	for _, f := range m.Factors {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Points != out[j].Points {
			return out[i].Points > out[j].Points
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// SubjectOf is every key the departments may file a registered entity
// under.
func SubjectOf(e *market.Entity) datasources.Subject {
	s := datasources.Subject{USCC: e.USCC, OrgCode: ident.OrgCodeOf(e.USCC)}
	if e.RegNo.Valid {
		s.RegNo = e.RegNo.String
	}
	return s
}

// Rating is a grade computed from the facts as they are now.
type Rating struct {
	Grade
	// Complete is false when a department did not answer: the grade may
	// then be too good.
	Complete   bool
	Missing    []credit.Department
	ComputedAt time.Time
}

// Rate computes an entity's grade now, from all its records (read under
// the supervision's own principal, SystemContext, whoever asks) and its
// fulfilled commitments. Ratings of many entities in one request share
// their statements: one per department and one for the commitments when
// PrefetchRatings started them, else as the loaders' wait gathers them.
func (s *Service) Rate(ctx context.Context, l *loaders.Loaders, sub datasources.Subject) (*Rating, error) {
	f := s.fetch(SystemContext(ctx), l, []datasources.Subject{sub}, false)[0]
	n, err := s.fulfilledFor(l).Load(ctx, sub.USCC)()
	if err != nil {
		return nil, err
	}
	now := s.now()
	g := s.model.Grade(Facts{Records: f.Records, CommitmentsFulfilled: n, Today: scalars.DateOf(now)})
	return &Rating{Grade: g, Complete: f.Complete(), Missing: f.Failed, ComputedAt: now}, nil
}

// fulfilledLoader batches one request's counts of fulfilled commitments.
type fulfilledLoader struct {
	*dataloader.Loader[string, int]
	cache *dataloader.InMemoryCache[string, int]
	fn    dataloader.BatchFunc[string, int]
}

// loadAll starts one statement for the keys not yet loaded or loading,
// without waiting: a later Load of any of them waits for it.
func (f *fulfilledLoader) loadAll(ctx context.Context, keys []string) {
	var todo []string
	for _, k := range keys {
		if _, ok := f.cache.Get(ctx, k); !ok && !slices.Contains(todo, k) {
			todo = append(todo, k)
		}
	}
	if len(todo) == 0 {
		return
	}
	done := make(chan struct{})
	var results []*dataloader.Result[int]
	for i, k := range todo {
		f.cache.Set(ctx, k, func() (int, error) {
			<-done
			return results[i].Data, results[i].Error
		})
	}
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				err := fmt.Errorf("panic counting fulfilled commitments: %v", p)
				results = make([]*dataloader.Result[int], len(todo))
				for i := range results {
					results[i] = &dataloader.Result[int]{Error: err}
				}
			}
		}()
		results = f.fn(ctx, todo)
	}()
}

// fulfilledFor returns the request's batcher of fulfilled-commitment
// counts. The loaders package builds the request's department loaders; the
// hub's commitments are the supervision's own question, so its batcher
// lives here, keyed weakly by the request's loaders: it goes when they go.
func (s *Service) fulfilledFor(l *loaders.Loaders) *fulfilledLoader {
	key := weak.Make(l)
	if v, ok := s.perRequest.Load(key); ok {
		return v.(*fulfilledLoader)
	}
	wait := 250 * time.Microsecond
	if s.Loaders != nil && s.Loaders.Wait > 0 {
		wait = s.Loaders.Wait
	}
	cache := dataloader.NewCache[string, int]()
	ld := &fulfilledLoader{cache: cache, fn: s.batchFulfilled,
		Loader: dataloader.NewBatchedLoader(s.batchFulfilled, dataloader.WithCache[string, int](cache),
			dataloader.WithWait[string, int](wait), dataloader.WithBatchCapacity[string, int](loaders.BatchCapacity))}
	v, loaded := s.perRequest.LoadOrStore(key, ld)
	if !loaded {
		runtime.AddCleanup(l, func(k weak.Pointer[loaders.Loaders]) { s.perRequest.Delete(k) }, key)
	}
	return v.(*fulfilledLoader)
}

func (s *Service) batchFulfilled(ctx context.Context, usccs []string) []*dataloader.Result[int] {
	counts, err := fulfilled(ctx, s.DB, usccs)
	out := make([]*dataloader.Result[int], len(usccs))
	for i, u := range usccs {
		out[i] = &dataloader.Result[int]{Data: counts[u], Error: err}
	}
	return out
}

// fulfilled counts each entity's fulfilled commitments, in one statement.
func fulfilled(ctx context.Context, q sqlx.QueryerContext, usccs []string) (map[string]int, error) {
	var rows []struct {
		USCC string `db:"uscc"`
		N    int    `db:"n"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT uscc, count(*) AS n FROM commitment
		WHERE uscc = ANY($1) AND state = 'FULFILLED' GROUP BY uscc`, pq.Array(usccs))
	if err != nil {
		return nil, fmt.Errorf("counting fulfilled commitments: %w", sqldb.MapError(err))
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.USCC] = r.N
	}
	return out, nil
}

// gradeBatchSize is how many entities one step of a recompute grades: one
// statement per department, one for the commitments, one upsert.
const gradeBatchSize = 300

// gradeBatch grades registered entities through the fan-out (fresh loaders:
// nothing outlives the batch) and upserts their entity_grade rows through
// q. It returns each entity's grade.
func (s *Service) gradeBatch(ctx context.Context, q sqlx.ExtContext, ents []*market.Entity, at time.Time) (map[string]string, error) {
	l := loaders.New(s.Loaders)
	subjects := make([]datasources.Subject, len(ents))
	usccs := make([]string, len(ents))
	for i, e := range ents {
		subjects[i], usccs[i] = SubjectOf(e), e.USCC
	}
	fetched := s.fetch(SystemContext(ctx), l, subjects, true)
	counts, err := fulfilled(ctx, q, usccs)
	if err != nil {
		return nil, err
	}
	type row struct {
		USCC     string          `json:"uscc"`
		Grade    string          `json:"grade"`
		Points   int             `json:"points"`
		Reasons  json.RawMessage `json:"reasons"`
		Division string          `json:"division"`
		Kind     string          `json:"kind"`
		Complete bool            `json:"complete"`
	}
	rows := make([]row, len(ents))
	out := make(map[string]string, len(ents))
	today := scalars.DateOf(at)
	for i, e := range ents {
		g := s.model.Grade(Facts{Records: fetched[i].Records, CommitmentsFulfilled: counts[e.USCC], Today: today})
		reasons, err := json.Marshal(g.Reasons)
		if err != nil {
			return nil, err
		}
		kind := ""
		if k := e.ToModel("").Kind; k != nil {
			kind = string(*k)
		}
		rows[i] = row{USCC: e.USCC, Grade: g.Grade, Points: g.Points, Reasons: reasons,
			Division: e.DivisionCode, Kind: kind, Complete: fetched[i].Complete()}
		out[e.USCC] = g.Grade
	}
	doc, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO entity_grade (uscc, grade, points, reasons, division, kind, complete, computed_at)
		SELECT r.uscc, r.grade, r.points, r.reasons, r.division, r.kind, r.complete, $2
		FROM jsonb_to_recordset($1::jsonb) AS r(uscc text, grade text, points int, reasons jsonb, division text, kind text, complete boolean)
		ON CONFLICT (uscc) DO UPDATE SET grade = EXCLUDED.grade, points = EXCLUDED.points, reasons = EXCLUDED.reasons,
			division = EXCLUDED.division, kind = EXCLUDED.kind, complete = EXCLUDED.complete, computed_at = EXCLUDED.computed_at`,
		string(doc), at)
	if err != nil {
		return nil, fmt.Errorf("storing grades: %w", sqldb.MapError(err))
	}
	return out, nil
}

// gradeLock is the PostgreSQL advisory lock that lets one hub instance at a
// time recompute every grade.
const gradeLock int64 = 0x63686762_67726164 // "chgbgrad"

// recompute grades every registered entity in batches, through tx (which
// holds gradeLock), and drops the grades of entities the registry no
// longer lists. It returns how many entities it graded.
func (s *Service) recompute(ctx context.Context, tx *sqlx.Tx) (int, error) {
	start := s.now()
	n := 0
	after := ""
	for {
		page, err := s.listEntities(ctx, market.ListFilter{}, after, gradeBatchSize)
		if err != nil {
			return n, err
		}
		if len(page) == 0 {
			break
		}
		if _, err := s.gradeBatch(ctx, tx, page, start); err != nil {
			return n, err
		}
		n += len(page)
		after = page[len(page)-1].USCC
		if len(page) < gradeBatchSize {
			break
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM entity_grade WHERE computed_at < $1`, start); err != nil {
		return n, sqldb.MapError(err)
	}
	return n, nil
}

// registryCtx bounds a read of the registry by the registry's budget.
func (s *Service) registryCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	timeout := 10 * time.Second
	if s.Loaders != nil && s.Loaders.RegistryTimeout > 0 {
		timeout = s.Loaders.RegistryTimeout
	}
	return context.WithTimeout(ctx, timeout)
}

// listEntities reads a page of the registry within the registry's budget.
func (s *Service) listEntities(ctx context.Context, f market.ListFilter, after string, limit int) ([]*market.Entity, error) {
	rctx, cancel := s.registryCtx(ctx)
	defer cancel()
	page, err := s.Registry.ListEntities(rctx, f, after, limit)
	if err != nil {
		return nil, apperr.Unavailable(datasources.Market, err)
	}
	return page, nil
}

// Recompute grades every entity now and stores the grades, once per
// idempotency key; it waits while another instance's recompute runs.
func (s *Service) Recompute(ctx context.Context, key hubdb.Key) (int, error) {
	p := auth.FromContext(ctx)
	return hubdb.Idempotent(ctx, hubdb.New(s.DB), p.Key(), key, "recomputeGrades", func(htx *hubdb.DB) (int, error) {
		tx := htx.Tx()
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, gradeLock); err != nil {
			return 0, sqldb.MapError(err)
		}
		return s.recompute(ctx, tx)
	})
}

// recomputeIfFree is the job's run: it recomputes unless another instance
// holds the lock (ran false then).
func (s *Service) recomputeIfFree(ctx context.Context) (n int, ran bool, err error) {
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if err := tx.GetContext(ctx, &ran, `SELECT pg_try_advisory_xact_lock($1)`, gradeLock); err != nil || !ran {
		return 0, false, err
	}
	if n, err = s.recompute(ctx, tx); err != nil {
		return n, true, err
	}
	return n, true, tx.Commit()
}

// GradeJobDelay is how long after start-up the grade job first runs.
const GradeJobDelay = 10 * time.Second

// RunGrades recomputes every grade shortly after start-up and then every
// interval, until ctx ends. Instances take turns through an advisory lock:
// one that finds another at work skips its turn.
func (s *Service) RunGrades(ctx context.Context, interval time.Duration) {
	timer := time.NewTimer(min(GradeJobDelay, interval))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		start := time.Now()
		n, ran, err := s.recomputeIfFree(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log().Error("recomputing grades", "err", err, "graded", n)
		case ran:
			s.log().Info("recomputed grades", "entities", n, "took", time.Since(start).Round(time.Millisecond).String())
		case err == nil:
			s.log().Info("grades are being recomputed by another instance; skipping this turn")
		}
		timer.Reset(interval)
	}
}

func (s *Service) log() interface {
	Info(string, ...any)
	Error(string, ...any)
} {
	if s.Logger != nil {
		return s.Logger
	}
	return discard{}
}

type discard struct{}

func (discard) Info(string, ...any)  {}
func (discard) Error(string, ...any) {}

// GradeCount is how many entities of a division and kind have a grade.
type GradeCount struct {
	Division string `db:"division"`
	Kind     string `db:"kind"`
	Grade    string `db:"grade"`
	Count    int    `db:"n"`
}

// Distribution counts the stored grades by division, kind and grade, for
// one division and kind when given ("" for all); computedAt is the last
// recompute's time (nil before the first).
func (s *Service) Distribution(ctx context.Context, division, kind string) ([]GradeCount, *time.Time, error) {
	var rows []struct {
		GradeCount
		At time.Time `db:"at"`
	}
	err := sqlx.SelectContext(ctx, s.DB, &rows, `SELECT division, kind, grade, count(*) AS n, max(computed_at) AS at
		FROM entity_grade WHERE ($1 = '' OR division = $1) AND ($2 = '' OR kind = $2)
		GROUP BY division, kind, grade ORDER BY division, kind, grade`, division, kind)
	if err != nil {
		return nil, nil, sqldb.MapError(err)
	}
	out := make([]GradeCount, len(rows))
	var at *time.Time
	for i, r := range rows {
		out[i] = r.GradeCount
		if at == nil || r.At.After(*at) {
			t := r.At
			at = &t
		}
	}
	return out, at, nil
}

// PrefetchRatings starts, for a list of registered entities whose ratings
// a query asks, their records as one batch per department and their
// fulfilled commitments as one statement, without waiting: each rating's
// Rate then finds its loads under way. (For a list resolver's look-ahead,
// as resolvers/prefetch.go does for records.)
func (s *Service) PrefetchRatings(ctx context.Context, l *loaders.Loaders, subjects []datasources.Subject) {
	ctx = SystemContext(ctx)
	reqs := make([]loaders.RecordsRequest, len(subjects))
	usccs := make([]string, len(subjects))
	for i, sub := range subjects {
		reqs[i], usccs[i] = s.request(ctx, l, sub), sub.USCC
	}
	l.Prefetch(ctx, reqs, true)
	s.fulfilledFor(l).loadAll(ctx, usccs)
}
