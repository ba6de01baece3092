package catalogue

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// MeasureKind says whether a measure restricts or rewards; GraphQL enum
// MeasureKind.
type MeasureKind string

// The kinds of measure (失信惩戒, 守信激励).
const (
	Restriction MeasureKind = "RESTRICTION"
	Reward      MeasureKind = "REWARD"
)

func (m MeasureKind) MarshalGQL(w io.Writer) { scalars.MarshalEnum(w, string(m)) }
func (m *MeasureKind) UnmarshalGQL(v any) error {
	return scalars.UnmarshalEnum(v, "MeasureKind", []MeasureKind{Restriction, Reward}, m)
}

// Measure is a measure of the joint reward and punishment catalogue (T19):
// which department applies it, on what legal basis, to the entities on
// which lists, and when a credit check applies it (in which scenarios, for
// which kinds of record, from which severity).
type Measure struct {
	Code           string
	Name           string
	Kind           MeasureKind
	DepartmentCode string
	LegalBasis     string
	ListTypes      []credit.ListType
	Scenarios      []credit.Scenario
	// PersonScenarios are the scenarios a natural person is checked for in
	// which it applies (T22).
	PersonScenarios []credit.PersonScenario
	RecordKinds     []credit.Kind
	MinSeverity     *credit.Severity
	// Grades are the entity's grades that trigger a reward (守信激励: an A
	// grade, 信用风险低).
	Grades []string
}

// Department is the department that applies the measure.
func (m *Measure) Department() *credit.Department {
	if d, ok := datasources.DepartmentByCode(m.DepartmentCode); ok {
		return d
	}
	return &credit.Department{Code: m.DepartmentCode, Name: m.DepartmentCode}
}

// Measures is the loaded measures catalogue, immutable and shared by every
// request: the workflows push joint-punishment cases by it and the credit
// checks apply it. It changes by migration, with its legal source.
type Measures struct {
	all    []*Measure
	byCode map[string]*Measure
}

// LoadMeasures reads the measures catalogue and checks every value in it.
func LoadMeasures(ctx context.Context, store hubdb.CatalogueStore) (*Measures, error) {
	rows, err := store.Measures(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the measures catalogue: %w", err)
	}
	out := make([]*Measure, len(rows))
	for i, r := range rows {
		m := &Measure{Code: r.Code, Name: r.Name, Kind: MeasureKind(r.Kind), DepartmentCode: r.Department, LegalBasis: r.LegalBasis}
		if m.Kind != Restriction && m.Kind != Reward {
			return nil, fmt.Errorf("measure %s: unknown kind %q", m.Code, m.Kind)
		}
		for _, l := range r.ListTypes {
			if !slices.Contains(credit.ListTypes, credit.ListType(l)) {
				return nil, fmt.Errorf("measure %s: unknown list type %q", m.Code, l)
			}
			m.ListTypes = append(m.ListTypes, credit.ListType(l))
		}
		for _, sc := range r.Scenarios {
			if !slices.Contains(credit.Scenarios, credit.Scenario(sc)) {
				return nil, fmt.Errorf("measure %s: unknown scenario %q", m.Code, sc)
			}
			m.Scenarios = append(m.Scenarios, credit.Scenario(sc))
		}
		for _, sc := range r.PersonScenarios {
			if !slices.Contains(credit.PersonScenarios, credit.PersonScenario(sc)) {
				return nil, fmt.Errorf("measure %s: unknown person scenario %q", m.Code, sc)
			}
			m.PersonScenarios = append(m.PersonScenarios, credit.PersonScenario(sc))
		}
		for _, k := range r.RecordKinds {
			if !slices.Contains(credit.Kinds, credit.Kind(k)) {
				return nil, fmt.Errorf("measure %s: unknown record kind %q", m.Code, k)
			}
			m.RecordKinds = append(m.RecordKinds, credit.Kind(k))
		}
		for _, g := range r.Grades {
			if !slices.Contains([]string{"A", "B", "C", "D"}, g) {
				return nil, fmt.Errorf("measure %s: unknown grade %q", m.Code, g)
			}
			m.Grades = append(m.Grades, g)
		}
		if r.MinSeverity != nil {
			sev := credit.Severity(*r.MinSeverity)
			if !slices.Contains(credit.Severities, sev) {
				return nil, fmt.Errorf("measure %s: unknown severity %q", m.Code, sev)
			}
			m.MinSeverity = &sev
		}
		out[i] = m
	}
	return NewMeasures(out), nil
}

// NewMeasures builds the catalogue from its measures, in their order.
func NewMeasures(ms []*Measure) *Measures {
	c := &Measures{all: ms, byCode: make(map[string]*Measure, len(ms))}
	for _, m := range ms {
		c.byCode[m.Code] = m
	}
	return c
}

// All returns every measure: restrictions first, then rewards, each in
// code order.
func (c *Measures) All() []*Measure { return c.all }

// InCodeOrder returns every measure in code order, as the graph's
// measures list shows them.
func (c *Measures) InCodeOrder() []*Measure {
	out := slices.Clone(c.all)
	slices.SortFunc(out, func(a, b *Measure) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// ByCode returns the measure with code; nil when the catalogue has none.
func (c *Measures) ByCode(code string) *Measure { return c.byCode[code] }

// ByCodes returns the measures with these codes, in the order of codes;
// codes the catalogue no longer has are left out.
func (c *Measures) ByCodes(codes []string) []*Measure {
	out := make([]*Measure, 0, len(codes))
	for _, code := range codes {
		if m := c.byCode[code]; m != nil {
			out = append(out, m)
		}
	}
	return out
}

// ForList returns, per department in code order, the codes of the
// measures that apply to entities on a list of type t: the departments a
// joint-punishment case is pushed to, and what each is asked to apply.
func (c *Measures) ForList(t credit.ListType) (departments []string, codes map[string][]string) {
	codes = map[string][]string{}
	for _, m := range c.all {
		if slices.Contains(m.ListTypes, t) {
			if _, seen := codes[m.DepartmentCode]; !seen {
				departments = append(departments, m.DepartmentCode)
			}
			codes[m.DepartmentCode] = append(codes[m.DepartmentCode], m.Code)
		}
	}
	slices.Sort(departments)
	for _, cs := range codes {
		slices.Sort(cs)
	}
	return departments, codes
}
