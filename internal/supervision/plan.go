package supervision

// Double-random inspection plans (T13, 双随机、一公开): a department draws
// entities from a population at a ratio that depends on their grade, and
// inspectors from its roster, both reproducibly from a seed it publishes
// with the plan; the plan and its sample are public, the grades are not.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"credithub/auth"
	"credithub/datasources/market"
	"credithub/internal/apperr"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
)

// PlanSpec is a department's request for an inspection plan.
type PlanSpec struct {
	Title string
	// Filter and Industry (a GB/T 4754 section letter, "" for any) select
	// the population from the registry.
	Filter   market.ListFilter
	Industry string
	// Population describes the filter as the caller gave it, for the record.
	Population map[string]any
	Ratios     Ratios
	Seed       string
	// Inspectors is how many inspectors go to each sampled entity.
	Inspectors int
}

// Plan is a stored inspection plan.
type Plan struct {
	ID             int64     `json:"id"`
	Department     string    `json:"department"`
	Title          string    `json:"title"`
	Seed           string    `json:"seed"`
	PopulationSize int       `json:"populationSize"`
	SampleSize     int       `json:"sampleSize"`
	Ratios         Ratios    `json:"ratios"`
	CreatedAt      time.Time `json:"createdAt"`
}

// TypePlan is the global ID type of an inspection plan.
const TypePlan = "InspectionPlan"

// PlanID returns the global ID of plan id.
func PlanID(id int64) string { return gid.Encode(TypePlan, strconv.FormatInt(id, 10)) }

// ParsePlanID returns the row id a plan's global ID stands for.
func ParsePlanID(id string) (int64, bool) {
	typ, payload, err := gid.Decode(id)
	if err != nil || typ != TypePlan {
		return 0, false
	}
	n, err := strconv.ParseInt(payload, 10, 64)
	return n, err == nil && n > 0
}

// MaxInspectorsPerEntity bounds inspectorsPerEntity.
const MaxInspectorsPerEntity = 5

// populationPage is how many registry rows one read of the population takes.
const populationPage = 2000

// CreatePlan draws and stores an inspection plan for the caller's
// department, in one transaction under the idempotency key (a retry gets
// the stored plan). The population is the registry's entities matching the
// filter; each one's grade is its stored grade (entity_grade). An entity
// the grade job has not graded yet is graded first, by the same batch code,
// and its grade stored: a plan never draws a new entity as if it were B.
// The sample is supervision.Draw over the population with the plan's seed,
// and each sampled entity gets supervision.Inspectors from the department's
// active roster: anyone with the seed, the population and the roster can
// redraw both.
func (s *Service) CreatePlan(ctx context.Context, spec PlanSpec, key hubdb.Key) (*Plan, error) {
	p := auth.FromContext(ctx)
	if p.Kind() != auth.KindDepartment {
		return nil, apperr.New(apperr.Forbidden, "inspection plans are drawn by a department for its own inspectors; this token is of kind %s", p.Kind())
	}
	if err := spec.validate(); err != nil {
		return nil, err
	}
	dept := p.Org()
	return hubdb.Idempotent(ctx, s.DB, p.Key(), key, "createInspectionPlan", func(tx *hubdb.DB) (*Plan, error) {
		roster, err := tx.Inspectors().Active(ctx, dept)
		if err != nil {
			return nil, err
		}
		if len(roster) == 0 {
			return nil, apperr.New(apperr.Forbidden, "department %q has no inspectors on its roster; only a department with inspectors draws inspection plans", clipCode(dept))
		}
		if spec.Inspectors > len(roster) {
			return nil, apperr.BadInput("input.inspectorsPerEntity", "inspectorsPerEntity is %d but the roster of %s has %d active inspectors", spec.Inspectors, dept, len(roster))
		}
		pop, computed, err := s.population(ctx, tx, spec)
		if err != nil {
			return nil, err
		}
		sample := Draw(spec.Seed, pop, spec.Ratios)
		byGrade := map[string]int{}
		for _, c := range pop {
			byGrade[c.Grade]++
		}
		desc := map[string]any{"filter": spec.Population, "size": len(pop), "grades": byGrade, "gradesComputedForPlan": computed}
		descJSON, _ := json.Marshal(desc)
		ratiosJSON, _ := json.Marshal(spec.Ratios)
		plan := &Plan{Department: dept, Title: spec.Title, Seed: spec.Seed, PopulationSize: len(pop), SampleSize: len(sample), Ratios: spec.Ratios}
		plan.ID, plan.CreatedAt, err = tx.Plans().Create(ctx, hubdb.NewPlan{
			Department: dept, Title: spec.Title, Seed: spec.Seed, Population: descJSON, Ratios: ratiosJSON,
			InspectorsPerEntity: spec.Inspectors, PopulationSize: len(pop), CreatedBy: p.Subject(), CreatedAt: s.now(),
		})
		if err != nil {
			return nil, err
		}
		if len(sample) == 0 {
			return plan, nil
		}
		rows := make([]hubdb.SampleRow, len(sample))
		for i, c := range sample {
			rows[i] = hubdb.SampleRow{USCC: c.USCC, Grade: c.Grade, Inspectors: Inspectors(spec.Seed, c.USCC, roster, spec.Inspectors)}
		}
		if err := tx.Plans().AddSample(ctx, plan.ID, rows); err != nil {
			return nil, err
		}
		return plan, nil
	})
}

func (spec *PlanSpec) validate() error {
	spec.Title = strings.TrimSpace(spec.Title)
	if n := utf8.RuneCountInString(spec.Title); n == 0 || n > 200 {
		return apperr.BadInput("input.title", "title must be 1 to 200 characters")
	}
	spec.Seed = strings.TrimSpace(spec.Seed)
	if n := utf8.RuneCountInString(spec.Seed); n == 0 || n > 200 {
		return apperr.BadInput("input.seed", "seed must be 1 to 200 characters; it is published with the plan so that anyone can redraw the sample")
	}
	if spec.Industry != "" && (len(spec.Industry) != 1 || spec.Industry[0] < 'A' || spec.Industry[0] > 'T') {
		return apperr.BadInput("input.population.industry", "industry must be a GB/T 4754 section letter from A to T, such as E (construction) or F (wholesale and retail)")
	}
	if spec.Inspectors < 1 || spec.Inspectors > MaxInspectorsPerEntity {
		return apperr.BadInput("input.inspectorsPerEntity", "inspectorsPerEntity must be between 1 and %d", MaxInspectorsPerEntity)
	}
	if err := spec.Ratios.Validate(); err != nil {
		return apperr.BadInput("input.ratios", "%v", err)
	}
	return nil
}

// population reads the registry's entities matching the spec, page by
// page, with their stored grades; entities without one are graded first
// (and their grades stored). It returns the population in code order and
// how many grades it computed.
func (s *Service) population(ctx context.Context, tx *hubdb.DB, spec PlanSpec) ([]Candidate, int, error) {
	var ents []*market.Entity
	after := ""
	for {
		page, err := s.listEntities(ctx, spec.Filter, after, populationPage)
		if err != nil {
			return nil, 0, err
		}
		for _, e := range page {
			if spec.Industry == "" || (e.IndustryCode.Valid && e.IndustryCode.String == spec.Industry) {
				ents = append(ents, e)
			}
		}
		if len(page) < populationPage {
			break
		}
		after = page[len(page)-1].USCC
	}
	usccs := make([]string, len(ents))
	for i, e := range ents {
		usccs[i] = e.USCC
	}
	grades, err := tx.Grades().Stored(ctx, usccs)
	if err != nil {
		return nil, 0, err
	}
	var missing []*market.Entity
	for _, e := range ents {
		if _, ok := grades[e.USCC]; !ok {
			missing = append(missing, e)
		}
	}
	now := s.now()
	for i := 0; i < len(missing); i += gradeBatchSize {
		got, err := s.gradeBatch(ctx, tx, missing[i:min(i+gradeBatchSize, len(missing))], now)
		if err != nil {
			return nil, 0, err
		}
		for u, g := range got {
			grades[u] = g
		}
	}
	pop := make([]Candidate, len(ents))
	for i, e := range ents {
		pop[i] = Candidate{USCC: e.USCC, Grade: grades[e.USCC]}
	}
	return pop, len(missing), nil
}

// planOf is a stored plan as the graph answers it.
func planOf(r hubdb.PlanRow) (*Plan, error) {
	p := &Plan{ID: r.ID, Department: r.Department, Title: r.Title, Seed: r.Seed,
		PopulationSize: r.PopulationSize, SampleSize: r.SampleSize, CreatedAt: r.CreatedAt}
	if err := json.Unmarshal(r.Ratios, &p.Ratios); err != nil {
		return nil, fmt.Errorf("plan %d: ratios: %w", r.ID, err)
	}
	return p, nil
}

// Plans lists plans newest first, of one department when given, after the
// plan with id after (0: from the newest), at most limit.
func (s *Service) Plans(ctx context.Context, department string, after int64, limit int) ([]*Plan, error) {
	rows, err := s.DB.Plans().List(ctx, department, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*Plan, len(rows))
	for i, r := range rows {
		if out[i], err = planOf(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Plan returns one plan, or nil when there is none with that id.
func (s *Service) Plan(ctx context.Context, id int64) (*Plan, error) {
	r, err := s.DB.Plans().ByID(ctx, id)
	if err != nil || r == nil {
		return nil, err
	}
	return planOf(*r)
}

// SampledEntity is an entity of a plan's sample with its inspectors (never
// its grade: grades are not public), and once its result is recorded the
// hub record the result became (its row id) and when.
type SampledEntity struct {
	USCC       string
	Inspectors []Inspector
	RecordID   int64
	RecordedAt *time.Time
}

// Inspector is a member of a department's roster.
type Inspector struct {
	Name       string
	BadgeNo    string
	Department string
}

// Sample returns a plan's sampled entities in code order, each with its
// inspectors, in one statement.
func (s *Service) Sample(ctx context.Context, planID int64) ([]SampledEntity, error) {
	rows, err := s.DB.Plans().Sample(ctx, planID)
	if err != nil {
		return nil, err
	}
	out := []SampledEntity{}
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].USCC != r.USCC {
			e := SampledEntity{USCC: r.USCC, RecordedAt: r.RecordedAt}
			if r.RecordID != nil {
				e.RecordID = *r.RecordID
			}
			out = append(out, e)
		}
		out[len(out)-1].Inspectors = append(out[len(out)-1].Inspectors, Inspector{Name: r.Name, BadgeNo: r.BadgeNo, Department: r.Department})
	}
	return out, nil
}
