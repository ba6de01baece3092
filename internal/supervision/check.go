package supervision

// Credit checks (T19–T20, 应查必查、奖惩到位): which measures of the joint
// reward-and-punishment catalogue apply to an entity in a scenario, what
// triggers each, and the record of every check and of what the asking
// system did with it.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"credithub/auth"
	"credithub/datasources"
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/scalars"
)

// Trigger is a record or listing that makes a measure apply.
type Trigger struct {
	RecordID string           `json:"recordId"`
	Kind     credit.Kind      `json:"kind"`
	Summary  string           `json:"summary"`
	Severity *credit.Severity `json:"severity,omitempty"`
	ListType *credit.ListType `json:"listType,omitempty"`
	// Publicity is the record's: the caller of a check sees a trigger only
	// when it may see the record (the check itself reads every record).
	Publicity credit.Publicity `json:"publicity,omitempty"`
}

// Applied is a measure that applies, with its triggers: the records or
// listings behind a restriction, the rewards and verified honours behind a
// reward, and Grade when the entity's grade rests the reward.
type Applied struct {
	Code     string    `json:"code"`
	Triggers []Trigger `json:"triggers"`
	// Grade is the entity's grade when it triggers the measure (守信激励
	// for an A grade); nil otherwise.
	Grade *GradeTrigger `json:"grade,omitempty"`
}

// GradeTrigger is the entity's grade as the check computed it, when it
// triggers a measure.
type GradeTrigger struct {
	Grade  string `json:"grade"`
	Points int    `json:"points"`
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
// (守信激励) applies only when no restriction does, no adverse record is in
// force (失信 excludes 守信激励) and the records are complete: a
// department that did not answer may hold the record that forbids it.
// Then a reward applies when what it rests on is there: a record in force
// of one of its kinds that rewards (credit.Rewarder: an administrative
// reward, a verified honour); a reward naming no kinds and no grades
// rests on the clean record alone. Evaluate knows no grade: the rewards a
// grade rests are EvaluateGraded's.
func Evaluate(measures []*catalogue.Measure, scenario credit.Scenario, records []credit.Record, complete bool) []Applied {
	return EvaluateGraded(measures, scenario, records, nil, complete)
}

// EvaluateGraded is Evaluate knowing the entity's grade now (nil: not
// known): a reward naming the grade applies, with the grade as its
// trigger.
func EvaluateGraded(measures []*catalogue.Measure, scenario credit.Scenario, records []credit.Record, grade *GradeTrigger, complete bool) []Applied {
	return evaluate(measures, func(m *catalogue.Measure) bool { return slices.Contains(m.Scenarios, scenario) }, records, grade, complete)
}

// EvaluatePerson applies the catalogue to a natural person's records in a
// person scenario (T22), as Evaluate does for an entity: the measures
// whose person scenarios name it.
func EvaluatePerson(measures []*catalogue.Measure, scenario credit.PersonScenario, records []credit.Record, complete bool) []Applied {
	return evaluate(measures, func(m *catalogue.Measure) bool { return slices.Contains(m.PersonScenarios, scenario) }, records, nil, complete)
}

// NeedsGrade reports whether a reward of the scenario rests on a grade:
// only then does a check compute the entity's grade.
func NeedsGrade(measures []*catalogue.Measure, scenario credit.Scenario) bool {
	for _, m := range measures {
		if m.Kind == catalogue.Reward && len(m.Grades) > 0 && slices.Contains(m.Scenarios, scenario) {
			return true
		}
	}
	return false
}

// evaluate is Evaluate for the measures in which applies says the check's
// scenario is.
func evaluate(measures []*catalogue.Measure, applies func(*catalogue.Measure) bool, records []credit.Record, grade *GradeTrigger, complete bool) []Applied {
	out := []Applied{}
	var inForceRecs []credit.Record
	for _, r := range records {
		if credit.InForce(r) {
			inForceRecs = append(inForceRecs, r)
		}
	}
	restricted := false
	for _, m := range measures {
		if m.Kind != catalogue.Restriction || !applies(m) {
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
			t := Trigger{RecordID: b.ID, Kind: b.Kind, Summary: b.Summary, Severity: b.Severity, Publicity: b.Publicity}
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
		if m.Kind != catalogue.Reward || !applies(m) {
			continue
		}
		if len(m.RecordKinds) == 0 && len(m.Grades) == 0 {
			out = append(out, Applied{Code: m.Code, Triggers: []Trigger{}})
			continue
		}
		a := Applied{Code: m.Code, Triggers: []Trigger{}}
		for _, r := range inForceRecs {
			b := r.Common()
			if rw, ok := r.(credit.Rewarder); !ok || !rw.Rewards() || !slices.Contains(m.RecordKinds, b.Kind) {
				continue
			}
			a.Triggers = append(a.Triggers, Trigger{RecordID: b.ID, Kind: b.Kind, Summary: b.Summary, Publicity: b.Publicity})
		}
		if grade != nil && slices.Contains(m.Grades, grade.Grade) {
			g := *grade
			a.Grade = &g
		}
		if len(a.Triggers) > 0 || a.Grade != nil {
			out = append(out, a)
		}
	}
	return out
}

// target is an entity a check is asked for: its code as asked, every key
// the departments may file it under, and whether the registry answered.
type target struct {
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

// Check answers a credit check for each entity in one scenario, as asked
// by ctx's principal, and records every check in one statement. The
// entities' registry rows are read in one statement (an entity the
// registry does not hold is checked under its code alone; when the
// registry does not answer, the market regulator's data is missing), then
// their records under the supervision's own principal (SystemContext), as
// one batch per department.
func (s *Service) Check(ctx context.Context, scenario credit.Scenario, usccs []string) ([]*CheckResult, error) {
	d := s.Departments(ctx)
	d.PrefetchEntities(ctx, usccs)
	targets := make([]target, len(usccs))
	for i, u := range usccs {
		e, err := d.Entity(ctx, u)
		t := target{USCC: u, Subject: datasources.Subject{USCC: u, OrgCode: ident.OrgCodeOf(u)}, RegistryDown: err != nil}
		if e != nil {
			t.Subject = SubjectOf(e)
		}
		targets[i] = t
	}
	asker := auth.FromContext(ctx)
	subjects := make([]datasources.Subject, len(targets))
	for i, t := range targets {
		subjects[i] = t.Subject
	}
	graded := NeedsGrade(s.Measures.All(), scenario)
	if graded {
		d.PrefetchFulfilledCommitments(ctx, usccs)
	}
	fetched := s.fetch(SystemContext(ctx), d, subjects, true)
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
		var grade *GradeTrigger
		if graded {
			// The grade as MarketEntity.rating computes it now, from the
			// same records and the fulfilled commitments (one statement
			// for all the entities, started above).
			n, err := d.FulfilledCommitments(ctx, t.USCC)
			if err != nil {
				return nil, err
			}
			g := s.model.Grade(Facts{Records: f.Records, CommitmentsFulfilled: n, Today: scalars.DateOf(now)})
			grade = &GradeTrigger{Grade: g.Grade, Points: g.Points}
		}
		res.Measures = EvaluateGraded(s.Measures.All(), scenario, f.Records, grade, res.Complete)
		out[i] = res
	}
	if err := s.record(ctx, asker, scenario, now, out); err != nil {
		return nil, err
	}
	return out, nil
}

// record stores the checks in one statement and sets their ids.
func (s *Service) record(ctx context.Context, asker *auth.Principal, scenario credit.Scenario, at time.Time, checks []*CheckResult) error {
	rows := make([]hubdb.CheckRow, len(checks))
	for i, c := range checks {
		res, err := json.Marshal(c)
		if err != nil {
			return err
		}
		codes := make([]string, len(c.Measures))
		for j, m := range c.Measures {
			codes[j] = m.Code
		}
		rows[i] = hubdb.CheckRow{USCC: c.USCC, Complete: c.Complete, Missing: c.Missing, Measures: codes, Result: res}
	}
	ids, err := s.DB.Checks().Record(ctx, hubdb.CheckAsked{Scenario: string(scenario), By: asker.Subject(), Org: asker.Org(), At: at}, rows)
	if err != nil {
		return err
	}
	for i := range checks {
		checks[i].ID = ids[i]
	}
	return nil
}

// PersonCheckResult is a check of a natural person (T22). It is not
// stored as entities' checks are: the query log records who asked about
// the person, when and for what purpose.
type PersonCheckResult struct {
	IDNumber  string
	Scenario  credit.PersonScenario
	Complete  bool
	Missing   []string
	Measures  []Applied
	CheckedAt time.Time
}

// DataSubject names whose data the check is.
func (r *PersonCheckResult) DataSubject() (uscc, idNumber string) { return "", r.IDNumber }

// CheckPerson checks the person with ID number idNo in a person scenario:
// their records in every department and the hub's, read under the
// supervision's own principal (the caller's right to read the person was
// checked by the graph), then the measures.
func (s *Service) CheckPerson(ctx context.Context, scenario credit.PersonScenario, idNo string) (*PersonCheckResult, error) {
	d := s.Departments(ctx)
	f := s.fetch(personSystemContext(ctx), d, []datasources.Subject{{IDNumber: idNo}}, false)[0]
	res := &PersonCheckResult{IDNumber: idNo, Scenario: scenario, Complete: len(f.Failed) == 0, Missing: []string{}, CheckedAt: s.now()}
	for _, d := range f.Failed {
		res.Missing = append(res.Missing, d.Code)
	}
	res.Measures = EvaluatePerson(s.Measures.All(), scenario, f.Records, res.Complete)
	return res, nil
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
	CheckID    int64     `json:"checkId"`
	Measure    string    `json:"measure"`
	Applied    bool      `json:"applied"`
	Note       string    `json:"note"`
	ReportedBy string    `json:"reportedBy"`
	ReportedAt time.Time `json:"reportedAt"`
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
	return hubdb.Idempotent(ctx, s.DB, p.Key(), key, "reportMeasureApplied", func(tx *hubdb.DB) (*Application, error) {
		c, err := tx.Checks().Asker(ctx, id)
		if err != nil {
			return nil, err
		}
		if c == nil {
			return nil, apperr.New(apperr.NotFound, "there is no credit check with this id").With("field", "checkId")
		}
		// Checks are asked by supervisors (department and credit-office
		// tokens): an agency or entity whose org reads the same is not the
		// asker.
		if c.Org != p.Org() || auth.ForSupervisors(ctx) != nil {
			return nil, apperr.New(apperr.Forbidden, "only the organisation that asked a credit check (%s) reports the measures applied for it", c.Org)
		}
		if !slices.Contains(c.Measures, measure) {
			found := "none"
			if len(c.Measures) > 0 {
				found = fmt.Sprint([]string(c.Measures))
			}
			return nil, apperr.BadInput("measureCode", "measure %q is not among the measures this check found: %s", clipCode(measure), found)
		}
		a, err := tx.Checks().ReportApplication(ctx, hubdb.MeasureApplication{
			CheckID: id, Measure: measure, Applied: applied, Note: note, ReportedBy: p.Subject(), ReportedOrg: p.Org(), ReportedAt: s.now(),
		})
		if err != nil {
			return nil, err
		}
		return &Application{CheckID: a.CheckID, Measure: a.Measure, Applied: a.Applied, Note: a.Note, ReportedBy: a.ReportedBy, ReportedAt: a.ReportedAt}, nil
	})
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
type OrgStats = hubdb.CheckStats

// Stats counts, per asking organisation, the checks asked from from to to
// (inclusive civil dates, China Standard Time), those that found a
// measure, and the measures their systems reported on and applied.
func (s *Service) Stats(ctx context.Context, from, to scalars.Date) ([]OrgStats, error) {
	return s.DB.Checks().Stats(ctx, from.Time(), to.Time().AddDate(0, 0, 1))
}

// ChecksOn returns the credit checks run on an entity, newest first,
// below the id before (0: from the newest), at most limit rows.
func (s *Service) ChecksOn(ctx context.Context, uscc string, before int64, limit int) ([]hubdb.CheckOnEntity, error) {
	return s.DB.Checks().OnEntity(ctx, uscc, before, limit)
}
