package resolvers

// The official holiday calendar, as the disclosure fields (T26) and
// workingDays count on it.

import (
	"credithub/internal/apperr"
	"credithub/internal/catalogue"
	"credithub/internal/scalars"
	"credithub/internal/workday"
)

// checkCovered refuses a date the official holiday calendar does not cover:
// outside its years the calendar only knows weekends, and a count of
// working days across a Spring Festival it does not know would be wrong
// without saying so.
func checkCovered(field string, d scalars.Date) error {
	cal := workday.Default()
	if cal.Covers(d.Time()) {
		return nil
	}
	years := cal.Years()
	return apperr.BadInput(field, "%s is outside the official holiday calendar, which covers %d to %d",
		d, years[0], years[len(years)-1])
}

// checkPeriod validates a [from, to] period of decision dates.
func checkPeriod(from, to scalars.Date) error {
	if to.Before(from) {
		return apperr.BadInput("to", "to (%s) is before from (%s)", to, from)
	}
	if err := checkCovered("from", from); err != nil {
		return err
	}
	return checkCovered("to", to)
}

// lastOverdueDecision is the last decision day whose publication deadline
// was before today. Deadlines never move backwards as the decision day moves
// forwards, so every decision up to that day is overdue when unpublished and
// none after it is: the day bounds the department's query exactly.
func lastOverdueDecision(cal *workday.Calendar, today scalars.Date) scalars.Date {
	d := today.Time().AddDate(0, 0, -1)
	for !cal.AddWorkingDays(d, catalogue.DisclosureWorkingDays).Before(today.Time()) {
		d = d.AddDate(0, 0, -1)
	}
	return scalars.DateOf(d)
}
