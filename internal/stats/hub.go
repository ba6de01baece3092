package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"credithub/datasources"
	"credithub/internal/hubdb"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
	"credithub/internal/workday"
)

// HubFigures are the figures of the hub's own database; a section not
// asked for is empty.
type HubFigures struct {
	Flows       []ListingFlow
	Listed      []Listed
	Commitments []Commitments
	Objections  *Timeliness
	Repairs     *Timeliness
	Grades      []GradeCount
	Checks      []Checks
	Warnings    []Warnings
	// Dishonest counts, per division, the entities with a serious
	// dishonesty record in force (at the last grade recompute) or on the
	// joint-punishment list now (T24); Entities the registry's entities.
	Dishonest, Entities map[string]int
}

// ListingFlow is how many entries entered and left a list in a month.
type ListingFlow struct {
	Month, ListType, Domain string
	Entered, Removed        int
}

// Listed is how many entities are on a list now.
type Listed struct {
	ListType, Domain, Division string
	Entities                   int
}

// Commitments are a department's commitments of a month: signed then, and
// kept, breached or found false then.
type Commitments struct {
	Month, Department                  string
	Signed, Kept, Breached, FoundFalse int
}

// Timeliness is a workflow's (objections', repairs') figures.
type Timeliness struct {
	ByState []StateCount
	// Median and P90 are the working days from filing to decision of those
	// decided in the period; nil when none was.
	Median, P90         *float64
	OverdueNow, DueSoon int
}

// StateCount is how many are in a state.
type StateCount struct {
	State string
	Count int
}

// GradeCount is how many entities of a division had a grade; Month is ""
// for the latest grades.
type GradeCount struct {
	Month, Division, Grade string
	Count                  int
}

// Checks are a department's credit checks of a month and the measures it
// reported for them.
type Checks struct {
	Month, Department           string
	Checks, Applied, NotApplied int
}

// Warnings is how many warnings of a rule are open about entities of a
// division.
type Warnings struct {
	Rule     WarningRule
	Division string
	Open     int
}

// WarningRule is a warning rule as warning_rule holds it.
type WarningRule struct {
	Code        string  `json:"code"`
	Description string  `json:"description"`
	Kind        string  `json:"kind"`
	Threshold   float64 `json:"threshold"`
	Level       string  `json:"level"`
	Active      bool    `json:"active"`
	Source      string  `json:"source"`
}

// hub computes the sections of the hub's database a request asks for, in
// one statement, and counts the records the hub holds itself (their rows of
// section hubdb.CityRecords). The figures are nil when no section is asked.
func (s *Service) hub(ctx context.Context, req Request, divs datasources.EntityDivisions, divisionOf func(string) string) (*HubFigures, []hubdb.CityRow, error) {
	cal := loaders.For(ctx).Catalogue().Calendar()
	w := req.Want
	q := hubdb.CityQuery{
		OnlyDivisions: req.Divisions,
		From:          req.From.Time(), To: req.To.Time(), Today: req.Today.Time(), Soon: cal.AddWorkingDays(req.Today.Time(), 2),
		HideKeyAttention: !req.Shared,
		ListingFlows:     w.ListingFlows, ListedNow: w.ListedNow, Dishonest: w.DishonestShare,
		Commitments: req.Shared && w.Commitments, Objections: req.Shared && w.Objections, Repairs: req.Shared && w.Repairs,
		Grades: req.Shared && w.Grades, Checks: req.Shared && w.Checks, Warnings: req.Shared && w.Warnings,
		RecordEntityKinds: req.EntityKinds, RecordPersonKinds: req.PersonKinds,
	}
	if req.Divisions != nil {
		q.USCCs, q.Divisions = divs.USCCs, divs.Divisions
	}
	rows, err := s.Hub.CityFigures(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	var held []hubdb.CityRow
	rows = slices.DeleteFunc(rows, func(r hubdb.CityRow) bool {
		if r.Section == hubdb.CityRecords {
			held = append(held, r)
			return true
		}
		return false
	})
	if w == (Sections{}) {
		return nil, held, nil
	}
	h := &HubFigures{}
	flows := map[[3]string]*ListingFlow{}
	commits := map[[2]string]*Commitments{}
	checks := map[[2]string]*Checks{}
	listed := map[Listed]int{}
	warnings := map[[2]string]*Warnings{}
	var obj, rep timelinessBuilder
	for _, r := range rows {
		switch r.Section {
		case hubdb.CityFlowIn, hubdb.CityFlowOut:
			k := [3]string{r.A, r.B, r.C}
			f := flows[k]
			if f == nil {
				f = &ListingFlow{Month: r.A, ListType: r.B, Domain: r.C}
				flows[k] = f
			}
			if r.Section == hubdb.CityFlowIn {
				f.Entered += r.N
			} else {
				f.Removed += r.N
			}
		case hubdb.CityListed:
			listed[Listed{ListType: r.A, Domain: r.B, Division: divisionOf(r.C)}]++
		case hubdb.CitySigned, hubdb.CityCommitEnd:
			k := [2]string{r.A, r.B}
			c := commits[k]
			if c == nil {
				c = &Commitments{Month: r.A, Department: r.B}
				commits[k] = c
			}
			switch {
			case r.Section == hubdb.CitySigned:
				c.Signed += r.N
			case r.C == "FULFILLED":
				c.Kept += r.N
			case r.C == "BREACHED":
				c.Breached += r.N
			case r.C == "FOUND_FALSE":
				c.FoundFalse += r.N
			}
		case hubdb.CityObjState, hubdb.CityObjDecided, hubdb.CityObjDue:
			obj.add(r, hubdb.CityObjState, hubdb.CityObjDecided)
		case hubdb.CityRepState, hubdb.CityRepDecided, hubdb.CityRepDue:
			rep.add(r, hubdb.CityRepState, hubdb.CityRepDecided)
		case hubdb.CityGradeNow:
			h.Grades = append(h.Grades, GradeCount{Division: r.A, Grade: r.B, Count: r.N})
		case hubdb.CityGradeMonth:
			h.Grades = append(h.Grades, GradeCount{Month: r.A, Division: r.B, Grade: r.C, Count: r.N})
		case hubdb.CityChecks, hubdb.CityMeasures:
			k := [2]string{r.A, r.B}
			c := checks[k]
			if c == nil {
				c = &Checks{Month: r.A, Department: r.B}
				checks[k] = c
			}
			switch {
			case r.Section == hubdb.CityChecks:
				c.Checks += r.N
			case r.C == "APPLIED":
				c.Applied += r.N
			default:
				c.NotApplied += r.N
			}
		case hubdb.CityWarnings:
			k := [2]string{r.A, divisionOf(r.B)}
			w := warnings[k]
			if w == nil {
				w = &Warnings{Rule: WarningRule{Code: r.A}, Division: k[1]}
				if err := json.Unmarshal([]byte(r.C), &w.Rule); err != nil {
					return nil, nil, fmt.Errorf("warning rule %s: %w", r.A, err)
				}
				warnings[k] = w
			}
			w.Open += r.N
		case hubdb.CityDishonest:
			if h.Dishonest == nil {
				h.Dishonest = map[string]int{}
			}
			h.Dishonest[divisionOf(r.A)]++
		}
	}
	for l, n := range listed {
		l.Entities = n
		h.Listed = append(h.Listed, l)
	}
	for _, w := range warnings {
		h.Warnings = append(h.Warnings, *w)
	}
	for _, f := range flows {
		h.Flows = append(h.Flows, *f)
	}
	slices.SortFunc(h.Flows, func(a, b ListingFlow) int {
		return cmpAll(strings.Compare(a.Month, b.Month), strings.Compare(a.ListType, b.ListType), strings.Compare(a.Domain, b.Domain))
	})
	slices.SortFunc(h.Listed, func(a, b Listed) int {
		return cmpAll(strings.Compare(a.ListType, b.ListType), strings.Compare(a.Domain, b.Domain), strings.Compare(a.Division, b.Division))
	})
	for _, c := range commits {
		h.Commitments = append(h.Commitments, *c)
	}
	slices.SortFunc(h.Commitments, func(a, b Commitments) int {
		return cmpAll(strings.Compare(a.Month, b.Month), deptRank(a.Department)-deptRank(b.Department), strings.Compare(a.Department, b.Department))
	})
	for _, c := range checks {
		h.Checks = append(h.Checks, *c)
	}
	slices.SortFunc(h.Checks, func(a, b Checks) int {
		return cmpAll(strings.Compare(a.Month, b.Month), deptRank(a.Department)-deptRank(b.Department), strings.Compare(a.Department, b.Department))
	})
	slices.SortFunc(h.Grades, func(a, b GradeCount) int {
		// The latest first, then the months in order.
		am, bm := a.Month, b.Month
		if am == "" {
			am = "0"
		}
		if bm == "" {
			bm = "0"
		}
		return cmpAll(strings.Compare(am, bm), strings.Compare(a.Division, b.Division), strings.Compare(a.Grade, b.Grade))
	})
	slices.SortFunc(h.Warnings, func(a, b Warnings) int {
		return cmpAll(strings.Compare(a.Rule.Code, b.Rule.Code), strings.Compare(a.Division, b.Division))
	})
	// A section asked for is never nil, even without rows.
	if q.Commitments && h.Commitments == nil {
		h.Commitments = []Commitments{}
	}
	if q.Grades && h.Grades == nil {
		h.Grades = []GradeCount{}
	}
	if q.Checks && h.Checks == nil {
		h.Checks = []Checks{}
	}
	if q.Warnings && h.Warnings == nil {
		h.Warnings = []Warnings{}
	}
	if q.Objections {
		h.Objections = obj.build(cal)
	}
	if q.Repairs {
		h.Repairs = rep.build(cal)
	}
	if w.DishonestShare {
		h.Entities = map[string]int{}
		for _, d := range divs.Divisions {
			h.Entities[d]++
		}
		if h.Dishonest == nil {
			h.Dishonest = map[string]int{}
		}
	}
	return h, held, nil
}

type decided struct {
	filed, decided string
	n              int
}

type timelinessBuilder struct {
	t       Timeliness
	decided []decided
}

func (b *timelinessBuilder) add(r hubdb.CityRow, state, dec string) {
	switch r.Section {
	case state:
		b.t.ByState = append(b.t.ByState, StateCount{State: r.A, Count: r.N})
	case dec:
		b.decided = append(b.decided, decided{r.A, r.B, r.N})
	default:
		if r.A == "OVERDUE" {
			b.t.OverdueNow += r.N
		} else {
			b.t.DueSoon += r.N
		}
	}
}

// build computes the working days of each (filing, decision) pair on the
// official calendar, and their median and 90th percentile (linear
// interpolation between the closest ranks).
func (b *timelinessBuilder) build(cal *workday.Calendar) *Timeliness {
	t := b.t
	if t.ByState == nil {
		t.ByState = []StateCount{}
	}
	slices.SortFunc(t.ByState, func(a, b StateCount) int { return strings.Compare(a.State, b.State) })
	var days []float64
	for _, d := range b.decided {
		f, err1 := scalars.ParseDate(d.filed)
		e, err2 := scalars.ParseDate(d.decided)
		if err1 != nil || err2 != nil {
			continue
		}
		n := float64(cal.WorkingDaysBetween(f.Time(), e.Time()))
		for range d.n {
			days = append(days, n)
		}
	}
	if len(days) > 0 {
		slices.Sort(days)
		med, p90 := Percentile(days, 0.5), Percentile(days, 0.9)
		t.Median, t.P90 = &med, &p90
	}
	return &t
}

// Percentile is the p-quantile of sorted values (not empty), interpolated
// linearly between the closest ranks (the R-7 method of spreadsheets).
func Percentile(sorted []float64, p float64) float64 {
	pos := p * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (pos-float64(lo))*(sorted[hi]-sorted[lo])
}
