package supervision

// Credit checks (T19–T20, 应查必查、奖惩到位): which measures of the joint
// reward-and-punishment catalogue apply to an entity in a scenario, what
// triggers each, and the record of every check and of what the asking
// system did with it.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/market"
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

// Service applies the supervision models (measures, grades, inspection
// ratios) to the unified record. The models are read from the hub's
// database once, at start-up: they change by migration, with their legal
// source. One Service serves every request.
type Service struct {
	// DB is the hub's database.
	DB *sqlx.DB
	// Registry is the market regulator's registry (the population of
	// grades and inspection plans).
	Registry market.Registry
	// Loaders are what a fan-out outside a request (the grade job, the
	// grades an inspection plan lacks) builds its own loaders from.
	Loaders *loaders.Deps
	Logger  *slog.Logger
	Now     func() time.Time

	// Measures is the measures catalogue the checks apply.
	Measures *catalogue.Measures

	model *Model
	kinds []credit.Kind

	perRequest sync.Map // weak.Pointer[loaders.Loaders] → *fulfilledLoader
}

// LoadModels reads the grading model; call it once, before the service
// answers, with Measures set.
func (s *Service) LoadModels(ctx context.Context) error {
	m, err := LoadModel(ctx, s.DB)
	if err != nil {
		return err
	}
	s.model = m
	s.kinds = factKinds(s.Measures.All())
	return nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Model returns the grading model.
func (s *Service) Model() *Model { return s.model }

// factKinds are the record kinds a check or a grade reads: every kind that
// can count against an entity (it carries a severity, or it is a listing),
// the industry rating and complaints the grade reads, and whatever a
// measure names. Licences, discharge permits and qualification
// certificates, the bulk of the departments' rows, never count.
func factKinds(ms []*catalogue.Measure) []credit.Kind {
	never := []credit.Kind{credit.KindLicence, credit.KindDischargePermit, credit.KindQualification}
	var out []credit.Kind
	for _, k := range credit.Kinds {
		named := false
		for _, m := range ms {
			named = named || slices.Contains(m.RecordKinds, k)
		}
		if named || !slices.Contains(never, k) {
			out = append(out, k)
		}
	}
	return out
}

// SystemContext returns ctx (the request's, with its loaders, deadline and
// statement counters) acting as the supervision itself: a check and a grade
// read every record of an entity whoever asks, and the caller sees only the
// answer. The principal reads shared entity data and records, nothing
// personal.
func SystemContext(ctx context.Context) context.Context {
	asker := auth.FromContext(ctx)
	p := auth.NewPrincipal("supervision", hubdb.Source, auth.KindDepartment,
		[]string{auth.ScopeEntityRead, auth.ScopeRecordRead}, asker.TokenID())
	return auth.NewContext(ctx, p)
}

// maxRecords bounds one read of an entity's records; an entity with more
// is read in further pages.
const maxRecords = 5000

// Fetched is one subject's records and the departments that did not answer.
type Fetched struct {
	Records []credit.Record
	Failed  []credit.Department
}

// Complete reports whether every department answered.
func (f Fetched) Complete() bool { return len(f.Failed) == 0 }

// request is the records request of a check or grade for sub, under the
// view of ctx's principal (the system's, see SystemContext).
func (s *Service) request(ctx context.Context, l *loaders.Loaders, sub datasources.Subject) loaders.RecordsRequest {
	view := auth.ViewOf(ctx, auth.Subject{USCC: sub.USCC, IDNumber: sub.IDNumber})
	var kinds []credit.Kind
	for _, e := range l.Catalogue().Entries() {
		p := e.EntityPublicity
		if sub.IsPerson() {
			p = e.PersonPublicity
		}
		if slices.Contains(view.Publicities, p) && slices.Contains(s.kinds, e.Kind) {
			kinds = append(kinds, e.Kind)
		}
	}
	req := loaders.RecordsRequest{Subject: sub, Kinds: datasources.KindSetOf(kinds...), First: maxRecords, NoMatch: len(kinds) == 0}
	if view.PublicOnly {
		req.Visible = view.Sees
	}
	return req
}

// fetch reads the records of every subject from every department and the
// hub, under ctx's principal (SystemContext), as one batch per department
// when prefetch is set (the subjects' registry rows must then be known:
// their old keys are in the subjects). Without prefetch, concurrent calls
// are batched by the loaders' wait.
func (s *Service) fetch(ctx context.Context, l *loaders.Loaders, subjects []datasources.Subject, prefetch bool) []Fetched {
	reqs := make([]loaders.RecordsRequest, len(subjects))
	for i, sub := range subjects {
		reqs[i] = s.request(ctx, l, sub)
	}
	if prefetch {
		l.Prefetch(ctx, reqs, true)
	}
	out := make([]Fetched, len(subjects))
	for i, req := range reqs {
		failed := map[string]credit.Department{}
		for {
			page := l.Records(ctx, req)
			out[i].Records = append(out[i].Records, page.Records...)
			for _, f := range page.Failed {
				failed[f.Department.Code] = f.Department
			}
			if !page.HasNext {
				break
			}
			if page.End != (datasources.Cursor{}) {
				req.After = page.End
			} else if n := len(page.Records); n > 0 {
				req.After = datasources.CursorOf(page.Records[n-1])
			} else {
				break
			}
		}
		out[i].Failed = sortedDepartments(failed)
	}
	return out
}

func sortedDepartments(m map[string]credit.Department) []credit.Department {
	out := make([]credit.Department, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return departmentRank(out[i].Code) < departmentRank(out[j].Code) })
	return out
}

func departmentRank(code string) int {
	for i, d := range datasources.Departments {
		if d.Code == code {
			return i
		}
	}
	return len(datasources.Departments)
}

// Trigger is a record or listing that makes a measure apply.
type Trigger struct {
	RecordID string           `json:"recordId"`
	Kind     credit.Kind      `json:"kind"`
	Summary  string           `json:"summary"`
	Severity *credit.Severity `json:"severity,omitempty"`
	ListType *credit.ListType `json:"listType,omitempty"`
}

// Applied is a measure that applies, with its triggers (none for a reward).
type Applied struct {
	Code     string    `json:"code"`
	Triggers []Trigger `json:"triggers"`
}

func severityRank(s *credit.Severity) int {
	if s == nil {
		return -1
	}
	return slices.Index(credit.Severities, *s)
}

// listTypeOf is the list a record puts the entity on, if it is a listing.
func listTypeOf(r credit.Record) (credit.ListType, bool) {
	switch v := r.(type) {
	case *credit.Listing:
		return v.ListType, true
	case *credit.KeyAttention:
		return credit.ListKeyAttention, true
	}
	return "", false
}

// adverse reports whether a record in force stands in the way of a
// reward: a listing, or a record at GENERAL or above.
func adverse(r credit.Record) bool {
	if _, ok := listTypeOf(r); ok {
		return true
	}
	return severityRank(r.Common().Severity) >= slices.Index(credit.Severities, credit.General)
}

// Evaluate applies the catalogue in a scenario to an entity's records. A
// restriction applies when it names the scenario and a record in force
// triggers it: a listing on one of its lists, or a record of one of its
// kinds at or above its minimum severity (any severity when it names
// none). Repaired, revoked and expired records trigger nothing. A reward
// applies only when no restriction does, no adverse record is in force and
// the records are complete: a department that did not answer may hold the
// record that forbids it.
func Evaluate(measures []*catalogue.Measure, scenario credit.Scenario, records []credit.Record, complete bool) []Applied {
	out := []Applied{}
	var inForceRecs []credit.Record
	for _, r := range records {
		if credit.InForce(r) {
			inForceRecs = append(inForceRecs, r)
		}
	}
	restricted := false
	for _, m := range measures {
		if m.Kind != catalogue.Restriction || !slices.Contains(m.Scenarios, scenario) {
			continue
		}
		var triggers []Trigger
		for _, r := range inForceRecs {
			b := r.Common()
			lt, listed := listTypeOf(r)
			hit := listed && slices.Contains(m.ListTypes, lt)
			if !hit && slices.Contains(m.RecordKinds, b.Kind) {
				hit = m.MinSeverity == nil || severityRank(b.Severity) >= severityRank(m.MinSeverity)
			}
			if !hit {
				continue
			}
			t := Trigger{RecordID: b.ID, Kind: b.Kind, Summary: b.Summary, Severity: b.Severity}
			if listed {
				t.ListType = &lt
			}
			triggers = append(triggers, t)
		}
		if len(triggers) > 0 {
			restricted = true
			out = append(out, Applied{Code: m.Code, Triggers: triggers})
		}
	}
	if restricted || !complete || slices.ContainsFunc(inForceRecs, adverse) {
		return out
	}
	for _, m := range measures {
		if m.Kind == catalogue.Reward && slices.Contains(m.Scenarios, scenario) {
			out = append(out, Applied{Code: m.Code, Triggers: []Trigger{}})
		}
	}
	return out
}

// Target is an entity a check is asked for: its code as asked, every key
// the departments may file it under, and whether the registry answered.
type Target struct {
	USCC    string
	Subject datasources.Subject
	// RegistryDown: the registry did not answer, so the old keys are
	// unknown and the market regulator's data is missing.
	RegistryDown bool
}

// CheckResult is one check as answered and recorded.
type CheckResult struct {
	ID        int64           `json:"-"`
	USCC      string          `json:"uscc"`
	Scenario  credit.Scenario `json:"scenario"`
	Complete  bool            `json:"complete"`
	Missing   []string        `json:"missingSources"`
	Measures  []Applied       `json:"measures"`
	CheckedAt time.Time       `json:"checkedAt"`
}

// Check answers a credit check for each target in one scenario, as asked
// by ctx's principal, and records every check in one statement. The
// records are read under the supervision's own principal (SystemContext),
// as one batch per department: the targets' registry rows must be known.
func (s *Service) Check(ctx context.Context, l *loaders.Loaders, scenario credit.Scenario, targets []Target) ([]*CheckResult, error) {
	asker := auth.FromContext(ctx)
	subjects := make([]datasources.Subject, len(targets))
	for i, t := range targets {
		subjects[i] = t.Subject
	}
	fetched := s.fetch(SystemContext(ctx), l, subjects, true)
	now := s.now()
	out := make([]*CheckResult, len(targets))
	for i, t := range targets {
		f := fetched[i]
		missing := map[string]credit.Department{}
		for _, d := range f.Failed {
			missing[d.Code] = d
		}
		if t.RegistryDown {
			d, _ := datasources.DepartmentByCode(datasources.Market)
			missing[d.Code] = *d
		}
		res := &CheckResult{USCC: t.USCC, Scenario: scenario, Complete: len(missing) == 0, Missing: []string{}, CheckedAt: now}
		for _, d := range sortedDepartments(missing) {
			res.Missing = append(res.Missing, d.Code)
		}
		res.Measures = Evaluate(s.Measures.All(), scenario, f.Records, res.Complete)
		out[i] = res
	}
	if err := s.record(ctx, asker, scenario, now, out); err != nil {
		return nil, err
	}
	return out, nil
}

// record stores the checks in one statement and sets their ids. The ids
// are drawn in the order of the input (a materialised CTE), so each check
// gets its own whatever order the rows are written in.
func (s *Service) record(ctx context.Context, asker *auth.Principal, scenario credit.Scenario, at time.Time, checks []*CheckResult) error {
	type row struct {
		USCC     string          `json:"uscc"`
		Complete bool            `json:"complete"`
		Missing  []string        `json:"missing"`
		Measures []string        `json:"measures"`
		Result   json.RawMessage `json:"result"`
	}
	rows := make([]row, len(checks))
	for i, c := range checks {
		res, err := json.Marshal(c)
		if err != nil {
			return err
		}
		codes := make([]string, len(c.Measures))
		for j, m := range c.Measures {
			codes[j] = m.Code
		}
		rows[i] = row{USCC: c.USCC, Complete: c.Complete, Missing: c.Missing, Measures: codes, Result: res}
	}
	doc, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	var ids []int64
	err = sqlx.SelectContext(ctx, s.DB, &ids, `
		WITH input AS MATERIALIZED (
			SELECT e.ord, e.v FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(v, ord)
		), ids AS MATERIALIZED (
			SELECT ord, nextval(pg_get_serial_sequence('credit_check', 'id')) AS id FROM input
		), ins AS (
			INSERT INTO credit_check (id, uscc, scenario, asked_by, asked_org, asked_at, complete, missing, measures, result)
			SELECT ids.id, v->>'uscc', $2, $3, $4, $5, (v->>'complete')::boolean,
				ARRAY(SELECT jsonb_array_elements_text(v->'missing')),
				ARRAY(SELECT jsonb_array_elements_text(v->'measures')), v->'result'
			FROM input JOIN ids USING (ord)
		)
		SELECT id FROM ids ORDER BY ord`,
		string(doc), string(scenario), asker.Subject(), asker.Org(), at)
	if err != nil {
		return fmt.Errorf("recording the credit checks: %w", sqldb.MapError(err))
	}
	if len(ids) != len(checks) {
		return fmt.Errorf("recording the credit checks: %d ids for %d checks", len(ids), len(checks))
	}
	for i := range checks {
		checks[i].ID = ids[i]
	}
	return nil
}

// TypeCheck is the global ID type of a credit check.
const TypeCheck = "CreditCheck"

// CheckID returns the global ID of check id.
func CheckID(id int64) string { return gid.Encode(TypeCheck, strconv.FormatInt(id, 10)) }

// ParseCheckID returns the row id a check's global ID stands for.
func ParseCheckID(id string) (int64, bool) {
	typ, payload, err := gid.Decode(id)
	if err != nil || typ != TypeCheck {
		return 0, false
	}
	n, err := strconv.ParseInt(payload, 10, 64)
	return n, err == nil && n > 0
}

// Application is what an asking system did with a checked measure.
type Application struct {
	CheckID    int64     `json:"checkId" db:"check_id"`
	Measure    string    `json:"measure" db:"measure"`
	Applied    bool      `json:"applied" db:"applied"`
	Note       string    `json:"note" db:"note"`
	ReportedBy string    `json:"reportedBy" db:"reported_by"`
	ReportedAt time.Time `json:"reportedAt" db:"reported_at"`
}

// ReportApplied records, for a check the caller's organisation asked, the
// measure its system applied (or did not). Only the asking organisation
// reports on its checks; the measure must be one the check found. A later
// report on the same check and measure (with another key) replaces the
// earlier one: systems correct themselves, the graph shows the last word.
// A retry with the same key returns the first answer.
func (s *Service) ReportApplied(ctx context.Context, checkID string, measure string, applied bool, note string, key hubdb.Key) (*Application, error) {
	p := auth.FromContext(ctx)
	id, ok := ParseCheckID(checkID)
	if !ok {
		return nil, apperr.BadInput("checkId", "checkId must be the id of a credit check this graph answered")
	}
	if len([]rune(note)) > 1000 {
		return nil, apperr.BadInput("note", "note must be at most 1000 characters")
	}
	out, err := hubdb.Idempotent(ctx, hubdb.New(s.DB), p.Key(), key, "reportMeasureApplied", func(htx *hubdb.DB) (*Application, error) {
		tx := htx.Tx()
		var c struct {
			Org      string         `db:"asked_org"`
			Measures pq.StringArray `db:"measures"`
		}
		err := tx.GetContext(ctx, &c, `SELECT asked_org, measures FROM credit_check WHERE id = $1`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.New(apperr.NotFound, "there is no credit check with this id").With("field", "checkId")
		}
		if err != nil {
			return nil, sqldb.MapError(err)
		}
		if c.Org != p.Org() {
			return nil, apperr.New(apperr.Forbidden, "only the organisation that asked a credit check (%s) reports the measures applied for it", c.Org)
		}
		if !slices.Contains(c.Measures, measure) {
			found := "none"
			if len(c.Measures) > 0 {
				found = fmt.Sprint([]string(c.Measures))
			}
			return nil, apperr.BadInput("measureCode", "measure %q is not among the measures this check found: %s", clipCode(measure), found)
		}
		var a Application
		err = tx.GetContext(ctx, &a, `INSERT INTO measure_application (check_id, measure, applied, note, reported_by, reported_org, reported_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (check_id, measure) DO UPDATE SET applied = EXCLUDED.applied, note = EXCLUDED.note,
				reported_by = EXCLUDED.reported_by, reported_org = EXCLUDED.reported_org, reported_at = EXCLUDED.reported_at
			RETURNING check_id, measure, applied, note, reported_by, reported_at`,
			id, measure, applied, note, p.Subject(), p.Org(), s.now())
		if err != nil {
			return nil, sqldb.MapError(err)
		}
		return &a, nil
	})
	return out, err
}

// clipCode keeps a hostile argument from filling an error message.
func clipCode(s string) string {
	r := []rune(s)
	if len(r) <= 32 {
		return s
	}
	return string(r[:32]) + "…"
}

// OrgStats is one asking organisation's checks over a period.
type OrgStats struct {
	Org                string `db:"org"`
	Checks             int    `db:"checks"`
	ChecksWithMeasures int    `db:"with_measures"`
	MeasuresReported   int    `db:"reported"`
	MeasuresApplied    int    `db:"applied"`
}

// Stats counts, per asking organisation, the checks asked from from to to
// (inclusive civil dates, China Standard Time), those that found a
// measure, and the measures their systems reported on and applied.
func (s *Service) Stats(ctx context.Context, from, to scalars.Date) ([]OrgStats, error) {
	out := []OrgStats{}
	err := sqlx.SelectContext(ctx, s.DB, &out, `
		SELECT c.asked_org AS org, count(*) AS checks,
			count(*) FILTER (WHERE cardinality(c.measures) > 0) AS with_measures,
			coalesce(sum(a.reported), 0) AS reported, coalesce(sum(a.applied), 0) AS applied
		FROM credit_check c
		LEFT JOIN LATERAL (SELECT count(*) AS reported, count(*) FILTER (WHERE m.applied) AS applied
			FROM measure_application m WHERE m.check_id = c.id) a ON true
		WHERE c.asked_at >= $1 AND c.asked_at < $2
		GROUP BY c.asked_org ORDER BY c.asked_org`,
		from.Time(), to.Time().AddDate(0, 0, 1))
	return out, sqldb.MapError(err)
}
