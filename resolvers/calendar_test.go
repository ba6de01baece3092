package resolvers

import (
	"testing"
	"time"

	"credithub/internal/scalars"
	"credithub/internal/workday"
)

// The day that bounds the overdue query is exact on every day of the
// calendar's years: the decisions up to it are past their deadline, the
// next day's are not.
func TestLastOverdueDecisionIsExact(t *testing.T) {
	t.Parallel()
	cal := workday.Default()
	for d := workday.Date(2020, 1, 15); d.Year() < 2027; d = d.AddDate(0, 0, 1) {
		today := scalars.DateOf(d)
		last := lastOverdueDecision(cal, today).Time()
		if !cal.AddWorkingDays(last, 7).Before(d) {
			t.Fatalf("today %s: a decision on %s is not overdue yet", today, last.Format(time.DateOnly))
		}
		if next := last.AddDate(0, 0, 1); cal.AddWorkingDays(next, 7).Before(d) {
			t.Fatalf("today %s: a decision on %s is overdue too", today, next.Format(time.DateOnly))
		}
	}
}
