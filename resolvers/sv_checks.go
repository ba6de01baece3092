package resolvers

// Resolvers of credit checks, grades and double-random inspection plans
// (supervision/check.go, rating.go, storedgrades.go, plan.go). Checks and
// grades read every record of an entity, whoever asks, under the
// supervision's own principal (supervision.SystemContext): the caller sees
// only the answer.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"credithub/datasources"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/supervision"
)

// MaxCreditChecks bounds the batch credit check (a tender's bidders).
const MaxCreditChecks = 100

func (r *Resolver) queryCreditCheck(ctx context.Context, uscc string, scenario credit.Scenario) (*model.CreditCheck, error) {
	out, err := r.svChecks(ctx, []string{uscc}, scenario, func(int) string { return "uscc" })
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func (r *Resolver) queryCreditChecks(ctx context.Context, usccs []string, scenario credit.Scenario) ([]*model.CreditCheck, error) {
	if len(usccs) == 0 || len(usccs) > MaxCreditChecks {
		return nil, apperr.BadInput("usccs", "usccs must hold 1 to %d codes, got %d", MaxCreditChecks, len(usccs))
	}
	return r.svChecks(ctx, usccs, scenario, func(i int) string { return fmt.Sprintf("usccs[%d]", i) })
}

// svChecks answers checks for many entities: their registry rows in one
// statement, then their records as one statement per department, then one
// statement recording every check.
func (r *Resolver) svChecks(ctx context.Context, usccs []string, scenario credit.Scenario, field func(int) string) ([]*model.CreditCheck, error) {
	// A code that breaks GB 32100 other than by its check character is
	// refused before any source is asked; one that fails only its check
	// character is accepted when the registry holds it as a pilot code.
	pilot := make([]bool, len(usccs))
	for i, u := range usccs {
		if err := ident.ValidateUSCC(u); err != nil {
			var ie *ident.Error
			if !errors.As(err, &ie) || ie.Rule != ident.RuleCheckCharacter {
				return nil, identError(field(i), err)
			}
			pilot[i] = true
		}
	}
	l := loaders.For(ctx)
	l.Entity.LoadAll(ctx, usccs)
	for i, u := range usccs {
		if !pilot[i] {
			continue
		}
		e, err := l.Entity.Load(ctx, u)()
		if err != nil {
			return nil, err // the registry is down: the code cannot be vouched for
		}
		if e == nil || !e.USCCLegacy {
			return nil, identError(field(i), ident.ValidateUSCC(u))
		}
	}
	results, err := r.Supervision.Check(ctx, scenario, usccs)
	if err != nil {
		return nil, err
	}
	out := make([]*model.CreditCheck, len(results))
	missing := map[string]bool{}
	for i, c := range results {
		out[i] = r.svCheckModel(c)
		for _, code := range c.Missing {
			missing[code] = true
		}
	}
	svReportMissing(ctx, missing)
	return out, nil
}

// svReportMissing adds one SOURCE_UNAVAILABLE error per department that did
// not answer, as every answer missing a department's data does.
func svReportMissing(ctx context.Context, missing map[string]bool) {
	for _, d := range datasources.Departments {
		if missing[d.Code] {
			graphql.AddError(ctx, apperr.Unavailable(d.Code, nil))
		}
	}
}

func svDepartment(code string) *credit.Department {
	if d, ok := datasources.DepartmentByCode(code); ok {
		return d
	}
	return &credit.Department{Code: code, Name: code}
}

func (r *Resolver) svCheckModel(c *supervision.CheckResult) *model.CreditCheck {
	m := &model.CreditCheck{
		ID: supervision.CheckID(c.ID), Uscc: c.USCC, Scenario: c.Scenario, Complete: c.Complete,
		MissingSources: make([]*credit.Department, len(c.Missing)),
		Measures:       make([]*model.AppliedMeasure, len(c.Measures)),
		CheckedAt:      c.CheckedAt,
	}
	for i, code := range c.Missing {
		m.MissingSources[i] = svDepartment(code)
	}
	for i, a := range c.Measures {
		am := &model.AppliedMeasure{Measure: r.Measures.ByCode(a.Code), Triggers: make([]*model.MeasureTrigger, len(a.Triggers))}
		for j, t := range a.Triggers {
			am.Triggers[j] = &model.MeasureTrigger{RecordID: t.RecordID, Kind: t.Kind, Summary: t.Summary, Severity: t.Severity, ListType: t.ListType}
		}
		m.Measures[i] = am
	}
	return m
}

func (r *Resolver) creditCheckEntity(ctx context.Context, obj *model.CreditCheck) (*model.MarketEntity, error) {
	return r.svEntity(ctx, obj.Uscc)
}

// svEntity is the registry's entity with code uscc; nil when unknown.
func (r *Resolver) svEntity(ctx context.Context, uscc string) (*model.MarketEntity, error) {
	e, err := loaders.For(ctx).Entity.Load(ctx, uscc)()
	if err != nil || e == nil {
		return nil, err
	}
	return entityModel(e), nil
}

func (r *Resolver) mutationReportMeasureApplied(ctx context.Context, checkID string, measureCode string, applied bool, note *string, idempotencyKey string) (*model.MeasureApplication, error) {
	n := ""
	if note != nil {
		n = strings.TrimSpace(*note)
	}
	a, err := r.Supervision.ReportApplied(ctx, checkID, measureCode, applied, n, keyOf(ctx, idempotencyKey))
	if err != nil {
		return nil, err
	}
	return &model.MeasureApplication{
		CheckID: supervision.CheckID(a.CheckID), Measure: r.Measures.ByCode(a.Measure), Applied: a.Applied,
		Note: a.Note, ReportedBy: a.ReportedBy, ReportedAt: a.ReportedAt,
	}, nil
}

func (r *Resolver) queryCreditCheckStats(ctx context.Context, from scalars.Date, to scalars.Date) ([]*model.DepartmentCheckStats, error) {
	if to.Before(from) {
		return nil, apperr.BadInput("to", "to (%s) is before from (%s)", to, from)
	}
	stats, err := r.Supervision.Stats(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]*model.DepartmentCheckStats, len(stats))
	for i, s := range stats {
		out[i] = &model.DepartmentCheckStats{Org: s.Org, Checks: s.Checks, ChecksWithMeasures: s.ChecksWithMeasures,
			MeasuresReported: s.MeasuresReported, MeasuresApplied: s.MeasuresApplied}
	}
	return out, nil
}

func (r *Resolver) marketEntityRating(ctx context.Context, obj *model.MarketEntity) (*model.CreditRating, error) {
	rt, err := r.Supervision.Rate(ctx, entitySubject(obj))
	if err != nil {
		return nil, err
	}
	out := &model.CreditRating{
		Grade: model.Grade(rt.Grade.Grade), Points: rt.Points, Complete: rt.Complete,
		Reasons: make([]*model.GradeReason, len(rt.Reasons)), MissingSources: make([]*credit.Department, len(rt.Missing)),
		ComputedAt: rt.ComputedAt,
	}
	missing := map[string]bool{}
	for i, d := range rt.Missing {
		out.MissingSources[i] = svDepartment(d.Code)
		missing[d.Code] = true
	}
	svReportMissing(ctx, missing)
	for i, re := range rt.Reasons {
		ev := re.Evidence
		if ev == nil {
			ev = []string{}
		}
		out.Reasons[i] = &model.GradeReason{Factor: re.Factor, Description: re.Description, Points: re.Points, Count: re.Count, Evidence: ev}
	}
	return out, nil
}

func (r *Resolver) queryGradeDistribution(ctx context.Context, division *string, kind *credit.EntityKind) (*model.GradeDistribution, error) {
	var div, k string
	if division != nil {
		if _, ok := ident.DivisionName(*division); !ok {
			return nil, apperr.BadInput("division", "unknown division %q; Heihe's divisions are 231100 (the whole city), 231102, 231123, 231124, 231181, 231182, 231183 and 231199 (the free trade zone)", truncate(*division))
		}
		if *division != "231100" {
			div = *division
		}
	}
	if kind != nil {
		k = string(*kind)
	}
	counts, at, err := r.Supervision.Distribution(ctx, div, k)
	if err != nil {
		return nil, err
	}
	out := &model.GradeDistribution{Counts: make([]*model.GradeCount, len(counts)), ComputedAt: at}
	for i, c := range counts {
		d := divisionModel(c.Division)
		if d == nil {
			d = &model.Division{Code: c.Division, Name: c.Division}
		}
		out.Counts[i] = &model.GradeCount{Division: d, Kind: credit.EntityKind(c.Kind), Grade: model.Grade(c.Grade), Count: c.Count}
		out.Total += c.Count
	}
	return out, nil
}

func (r *Resolver) queryGradeModel(ctx context.Context) (*model.GradeModel, error) {
	m := r.Supervision.Model()
	out := &model.GradeModel{}
	for _, f := range m.FactorList() {
		out.Factors = append(out.Factors, &model.GradeFactor{Code: f.Code, Description: f.Description, Points: f.Points, Source: f.Source})
	}
	for _, t := range m.Thresholds {
		out.Thresholds = append(out.Thresholds, &model.GradeThreshold{Grade: model.Grade(t.Grade), MaxPoints: t.MaxPoints, Meaning: t.Meaning, Source: t.Source})
	}
	return out, nil
}

func (r *Resolver) mutationRecomputeGrades(ctx context.Context, idempotencyKey string) (int, error) {
	return r.Supervision.Recompute(ctx, keyOf(ctx, idempotencyKey))
}

const cursorPlan = "InspectionPlanCursor"

func (r *Resolver) queryInspectionPlans(ctx context.Context, department *string, first *int, after *string) (*model.InspectionPlanConnection, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	var from int64
	if after != nil {
		typ, payload, err := gid.Decode(*after)
		if err == nil && typ == cursorPlan {
			from, err = strconv.ParseInt(payload, 10, 64)
		}
		if err != nil || typ != cursorPlan || from <= 0 {
			return nil, apperr.BadInput("after", "after must be a cursor returned by this connection")
		}
	}
	dept := ""
	if department != nil {
		dept = *department
	}
	plans, err := r.Supervision.Plans(ctx, dept, from, n+1)
	if err != nil {
		return nil, err
	}
	conn := &model.InspectionPlanConnection{Edges: []*model.InspectionPlanEdge{}, PageInfo: &model.PageInfo{HasPreviousPage: after != nil}}
	if len(plans) > n {
		plans, conn.PageInfo.HasNextPage = plans[:n], true
	}
	for _, p := range plans {
		conn.Edges = append(conn.Edges, &model.InspectionPlanEdge{Cursor: gid.Encode(cursorPlan, strconv.FormatInt(p.ID, 10)), Node: svPlanModel(p)})
	}
	if k := len(conn.Edges); k > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[k-1].Cursor
	}
	return conn, nil
}

func svPlanModel(p *supervision.Plan) *model.InspectionPlan {
	return &model.InspectionPlan{
		ID: supervision.PlanID(p.ID), Department: svDepartment(p.Department), Title: p.Title, Seed: p.Seed,
		PopulationSize: p.PopulationSize, SampleSize: p.SampleSize,
		RatioA: p.Ratios["A"], RatioB: p.Ratios["B"], RatioC: p.Ratios["C"], RatioD: p.Ratios["D"],
		CreatedAt: p.CreatedAt,
	}
}

// DefaultInspectorsPerEntity is inspectorsPerEntity when not given.
const DefaultInspectorsPerEntity = 2

func (r *Resolver) mutationCreateInspectionPlan(ctx context.Context, input model.InspectionPlanInput, idempotencyKey string) (*model.InspectionPlan, error) {
	spec := supervision.PlanSpec{Title: input.Title, Seed: input.Seed, Inspectors: DefaultInspectorsPerEntity, Population: map[string]any{}}
	if input.InspectorsPerEntity != nil {
		spec.Inspectors = *input.InspectorsPerEntity
	}
	pop := input.Population
	if pop == nil {
		pop = &model.PopulationInput{}
	}
	f, err := listFilter(&model.EntityFilter{Division: pop.Division, Kind: pop.Kind, Status: pop.Status})
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			if field, ok := ae.Extensions["field"].(string); ok {
				return nil, ae.With("field", "input.population."+strings.TrimPrefix(field, "filter."))
			}
		}
		return nil, err
	}
	spec.Filter = f
	if pop.Industry != nil {
		spec.Industry = strings.ToUpper(strings.TrimSpace(*pop.Industry))
	}
	for k, v := range map[string]any{"division": pop.Division, "kind": pop.Kind, "status": pop.Status, "industry": pop.Industry} {
		spec.Population[k] = v
	}
	switch {
	case input.Ratios != nil && input.BaseRatio != nil:
		return nil, apperr.BadInput("input.ratios", "give either baseRatio (A half of it, C one and a half times, D three times) or ratios for every grade, not both")
	case input.Ratios != nil:
		spec.Ratios = supervision.Ratios{"A": input.Ratios.A, "B": input.Ratios.B, "C": input.Ratios.C, "D": input.Ratios.D}
	case input.BaseRatio != nil:
		if b := *input.BaseRatio; !(b >= 0 && b <= 1) {
			return nil, apperr.BadInput("input.baseRatio", "baseRatio must be between 0 and 1, got %g", b)
		}
		spec.Ratios = supervision.DefaultRatios(*input.BaseRatio)
	default:
		return nil, apperr.BadInput("input.baseRatio", "give baseRatio (the share of grade B entities inspected, between 0 and 1) or ratios for every grade")
	}
	// Published to six decimals (0.15, not 0.15000000000000002), and drawn
	// with exactly what is published.
	for g, v := range spec.Ratios {
		spec.Ratios[g] = math.Round(v*1e6) / 1e6
	}
	p, err := r.Supervision.CreatePlan(ctx, spec, keyOf(ctx, idempotencyKey))
	if err != nil {
		return nil, err
	}
	return svPlanModel(p), nil
}

func (r *Resolver) inspectionPlanSample(ctx context.Context, obj *model.InspectionPlan) ([]*model.PlanSample, error) {
	id, ok := supervision.ParsePlanID(obj.ID)
	if !ok {
		return nil, fmt.Errorf("inspection plan with malformed id %q", obj.ID)
	}
	rows, err := r.Supervision.Sample(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]*model.PlanSample, len(rows))
	usccs := make([]string, len(rows))
	for i, s := range rows {
		ps := &model.PlanSample{Uscc: s.USCC, Inspectors: make([]*model.Inspector, len(s.Inspectors))}
		for j, in := range s.Inspectors {
			ps.Inspectors[j] = &model.Inspector{Name: in.Name, BadgeNo: in.BadgeNo, Department: svDepartment(in.Department)}
		}
		out[i], usccs[i] = ps, s.USCC
	}
	if wantsField(ctx, "entity") {
		loaders.For(ctx).Entity.LoadAll(ctx, usccs) // the sample's entities in one statement
	}
	return out, nil
}

func (r *Resolver) planSampleEntity(ctx context.Context, obj *model.PlanSample) (*model.MarketEntity, error) {
	return r.svEntity(ctx, obj.Uscc)
}
