package supervision

// The grading model (T12): the factors and thresholds, kept as data in the
// hub's database, and the grade they give an entity's facts. Grades
// computed at query time are rating.go's, stored grades storedgrades.go's.

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// Factor is one fact that moves an entity's grade, with its weight in
// points (positive counts against the entity).
type Factor struct {
	Code        string
	Description string
	Points      int
	Source      string
}

// Threshold is the most points a grade allows (nil: no bound, the last).
type Threshold struct {
	Grade     string
	MaxPoints *int
	Meaning   string
	Source    string
}

// Model is the grading model, loaded from grade_factor and grade_threshold
// (LoadModel).
type Model struct {
	Factors    map[string]Factor
	Thresholds []Threshold // A, B, C, D
}

// NewModel checks and orders the model.
func NewModel(factors []Factor, thresholds []Threshold) (*Model, error) {
	m := &Model{Factors: map[string]Factor{}}
	for _, f := range factors {
		m.Factors[f.Code] = f
	}
	m.Thresholds = slices.Clone(thresholds)
	sort.Slice(m.Thresholds, func(i, j int) bool { return m.Thresholds[i].Grade < m.Thresholds[j].Grade })
	if len(m.Thresholds) != 4 || m.Thresholds[3].MaxPoints != nil {
		return nil, fmt.Errorf("the grade thresholds must be A, B, C and an unbounded D")
	}
	return m, nil
}

// LoadModel reads the grading model from the hub's database.
func LoadModel(ctx context.Context, grades hubdb.GradeStore) (*Model, error) {
	fs, err := grades.Factors(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := grades.Thresholds(ctx)
	if err != nil {
		return nil, err
	}
	factors := make([]Factor, len(fs))
	for i, f := range fs {
		factors[i] = Factor(f)
	}
	thresholds := make([]Threshold, len(ts))
	for i, t := range ts {
		thresholds[i] = Threshold(t)
	}
	return NewModel(factors, thresholds)
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

// Facts are what a grade is computed from.
type Facts struct {
	// Records are the entity's records from every department and the hub,
	// annotated (status, severity).
	Records []credit.Record
	// CommitmentsFulfilled counts fulfilled commitments (breaches arrive as
	// COMMITMENT_BREACH records).
	CommitmentsFulfilled int
	// Today bounds "the last 12 months".
	Today scalars.Date
}

// Reason is one contribution to a grade.
type Reason struct {
	Factor      string   `json:"factor"`
	Description string   `json:"description"`
	Points      int      `json:"points"`
	Count       int      `json:"count"`
	Evidence    []string `json:"evidence"`
}

// Grade is an entity's grade with the reasons that produced it.
type Grade struct {
	Grade   string   `json:"grade"`
	Points  int      `json:"points"`
	Reasons []Reason `json:"reasons"`
}

// Grade computes the grade from the facts. Every factor that applied is a
// reason, with its weight, how often it applied and the records behind it.
func (m *Model) Grade(f Facts) Grade {
	hits := map[string]*Reason{}
	hit := func(code string, evidence string, times int) {
		fac, ok := m.Factors[code]
		if !ok || times <= 0 {
			return
		}
		r := hits[code]
		if r == nil {
			r = &Reason{Factor: code, Description: fac.Description}
			hits[code] = r
		}
		r.Count += times
		r.Points += fac.Points * times
		if evidence != "" {
			r.Evidence = append(r.Evidence, evidence)
		}
	}
	yearAgo := f.Today.Time().AddDate(-1, 0, 0)
	complaints := 0
	var latestEnv *credit.EnvironmentalRating
	for _, rec := range f.Records {
		b := rec.Common()
		if !credit.InForce(rec) {
			continue
		}
		switch v := rec.(type) {
		case *credit.Listing:
			if v.ListType == credit.ListMarketBan {
				hit("MARKET_BAN", b.ID, 1)
			} else {
				hit("JOINT_PUNISHMENT_LISTING", b.ID, 1)
			}
			continue
		case *credit.KeyAttention:
			hit("KEY_ATTENTION_LISTING", b.ID, 1)
			continue
		case *credit.CommitmentBreach:
			hit("COMMITMENT_BREACHED", b.ID, 1)
		case *credit.AbnormalOperation:
			hit("ABNORMAL_OPERATION", b.ID, 1)
			continue
		case *credit.EnvironmentalRating:
			if latestEnv == nil || v.Year > latestEnv.Year {
				latestEnv = v
			}
			continue
		case *credit.Complaint:
			if !v.ReceivedAt.Before(yearAgo) {
				complaints++
			}
			continue
		}
		if b.Severity != nil {
			switch *b.Severity {
			case credit.Serious:
				hit("SERIOUS_RECORD", b.ID, 1)
			case credit.General:
				hit("GENERAL_RECORD", b.ID, 1)
			case credit.Minor:
				hit("MINOR_RECORD", b.ID, 1)
			}
		}
	}
	if latestEnv != nil {
		switch latestEnv.Level {
		case credit.EnvTrustworthy:
			hit("ENV_TRUSTWORTHY", latestEnv.ID, 1)
		case credit.EnvWarned:
			hit("ENV_WARNED", latestEnv.ID, 1)
		case credit.EnvBad:
			hit("ENV_BAD", latestEnv.ID, 1)
		}
	}
	hit("COMPLAINTS", "", complaints-2)
	hit("COMMITMENT_FULFILLED", "", f.CommitmentsFulfilled)

	g := Grade{Reasons: []Reason{}}
	for _, r := range hits {
		g.Points += r.Points
		g.Reasons = append(g.Reasons, *r)
	}
	sort.Slice(g.Reasons, func(i, j int) bool {
		if g.Reasons[i].Points != g.Reasons[j].Points {
			return g.Reasons[i].Points > g.Reasons[j].Points
		}
		return g.Reasons[i].Factor < g.Reasons[j].Factor
	})
	g.Grade = m.Thresholds[3].Grade
	for _, t := range m.Thresholds {
		if t.MaxPoints != nil && g.Points <= *t.MaxPoints {
			g.Grade = t.Grade
			break
		}
	}
	return g
}
