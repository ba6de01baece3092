package supervision

// The warning rules (T25): what each kind of rule watches and when it
// raises a warning. The rules themselves, with their thresholds and
// levels, are rows of warning_rule.

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"credithub/datasources"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
)

// The rule kinds of warning_rule.kind.
const (
	// RuleNewPenalty: a new administrative penalty whose fine is at least
	// the threshold, in yuan, from any department.
	RuleNewPenalty = "NEW_PENALTY_ABOVE"
	// RuleCourtListing: any new court record about an entity.
	RuleCourtListing = "COURT_LISTING"
	// RuleComplaints: a new 12315 complaint that makes the entity's
	// complaints within 30 days reach the threshold.
	RuleComplaints = "COMPLAINTS_IN_30_DAYS"
	// RuleRectification: a listing whose rectification deadline is within
	// the threshold, in days.
	RuleRectification = "RECTIFICATION_DEADLINE_NEAR"
)

// ComplaintWindow is the window of RuleComplaints.
const ComplaintWindow = 30 * 24 * time.Hour

// Rule is a warning rule (warning_rule).
type Rule struct {
	Code        string
	Description string
	Kind        string
	Threshold   float64
	Level       string
	Active      bool
	Source      string
}

// loadRules reads the warning rules in code order.
func loadRules(ctx context.Context, db *hubdb.DB) ([]Rule, error) {
	rows, err := db.Warnings().Rules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Rule, len(rows))
	for i, r := range rows {
		out[i] = Rule(r)
	}
	return out, nil
}

// watches reports whether a rule of kind ruleKind reads records of kind k
// from department source.
func watches(ruleKind, source string, k credit.Kind) bool {
	switch ruleKind {
	case RuleNewPenalty:
		return k == credit.KindPenalty
	case RuleCourtListing:
		return source == datasources.Court
	case RuleComplaints:
		return k == credit.KindComplaint
	}
	return false
}

// Raise is a warning a rule raises, before it is stored.
type Raise struct {
	Rule     string
	USCC     string
	Level    string
	Message  string
	RecordID string
}

// PenaltyWarnings applies a NEW_PENALTY_ABOVE rule to new records: an
// effective penalty on an entity with a fine of at least the threshold.
func PenaltyWarnings(rule Rule, recs []credit.Record) []Raise {
	threshold := new(big.Rat).SetFloat64(rule.Threshold)
	var out []Raise
	for _, rec := range recs {
		p, ok := rec.(*credit.Penalty)
		if !ok || p.FineAmount == nil || p.Subject.USCC == "" || p.Status == credit.Revoked {
			continue
		}
		if threshold == nil || p.FineAmount.Rat().Cmp(threshold) < 0 {
			continue
		}
		out = append(out, Raise{
			Rule: rule.Code, USCC: p.Subject.USCC, Level: rule.Level, RecordID: p.ID,
			Message: fmt.Sprintf("New administrative penalty by %s with a fine of %s yuan (threshold %s): %s%s",
				deref(p.Authority), string(*p.FineAmount), formatThreshold(rule.Threshold), p.Summary, decision(p.DecisionNo)),
		})
	}
	return out
}

// CourtWarnings applies a COURT_LISTING rule to new court records: any of
// them about an entity (the court's person parties are not entities). A
// warning is shared with entity:read; it quotes the record only when the
// record is public (public reports so), else it names the kind and leaves
// the record to those who may read it (a consumption restriction needs
// record:read, by node(recordId) as by any other path).
func CourtWarnings(rule Rule, recs []credit.Record, public func(credit.Record) bool) []Raise {
	var out []Raise
	for _, rec := range recs {
		b := rec.Common()
		if b.Subject.USCC == "" || b.Source == nil || b.Source.Code != datasources.Court {
			continue
		}
		what := string(b.Kind) + " (shared among departments: the record needs record:read)"
		if public != nil && public(rec) {
			what = b.Summary
		}
		out = append(out, Raise{
			Rule: rule.Code, USCC: b.Subject.USCC, Level: rule.Level, RecordID: b.ID,
			Message: fmt.Sprintf("New court listing by %s: %s", deref(b.Authority), what),
		})
	}
	return out
}

// ComplaintWarnings applies a COMPLAINTS_IN_30_DAYS rule to new complaints:
// one whose entity received, within the 30 days ending at its receipt, at
// least threshold complaints (itself included) raises a warning, unless
// the entity was warned by this rule within those 30 days (warned, which
// this call extends). received holds each entity's complaint times as the
// market regulator keeps them, the new ones included.
func ComplaintWarnings(rule Rule, recs []credit.Record, received map[string][]time.Time, warned map[string]time.Time) []Raise {
	var out []Raise
	for _, rec := range recs {
		c, ok := rec.(*credit.Complaint)
		if !ok || c.Subject.USCC == "" {
			continue
		}
		from := c.ReceivedAt.Add(-ComplaintWindow)
		n := 0
		for _, t := range received[c.Subject.USCC] {
			if t.After(from) && !t.After(c.ReceivedAt) {
				n++
			}
		}
		if float64(n) < rule.Threshold {
			continue
		}
		if at, ok := warned[c.Subject.USCC]; ok && at.After(from) {
			continue
		}
		warned[c.Subject.USCC] = c.ReceivedAt
		out = append(out, Raise{
			Rule: rule.Code, USCC: c.Subject.USCC, Level: rule.Level, RecordID: c.ID,
			// The complaint's own words stay in the record (shared with
			// record:read); the warning names its category only.
			Message: fmt.Sprintf("%d 12315 complaints within 30 days (threshold %s); the latest received %s (%s)",
				n, formatThreshold(rule.Threshold), c.ReceivedAt.In(scalars.CST).Format("2006-01-02 15:04"), c.Category),
		})
	}
	return out
}

// Deadline is a list entry whose rectification deadline is near.
type Deadline struct {
	ID         int64
	USCC       string
	ListType   string
	Department string
	EnteredOn  string
	RectifyBy  string
	DaysLeft   int
}

// RectificationWarnings applies a RECTIFICATION_DEADLINE_NEAR rule to the
// entries whose deadline is near; the entry is the warning's record.
func RectificationWarnings(rule Rule, entries []Deadline) []Raise {
	out := make([]Raise, 0, len(entries))
	for _, e := range entries {
		out = append(out, Raise{
			Rule: rule.Code, USCC: e.USCC, Level: rule.Level, RecordID: ListingID(e.ID),
			Message: fmt.Sprintf("The rectification deadline of the %s listing entered by %s on %s is %s, in %d days (threshold %s)",
				e.ListType, e.Department, e.EnteredOn, e.RectifyBy, e.DaysLeft, formatThreshold(rule.Threshold)),
		})
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "?"
	}
	return *s
}

func decision(no *string) string {
	if no == nil {
		return ""
	}
	return " (" + *no + ")"
}

func formatThreshold(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
