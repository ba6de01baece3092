package seed

// When things happened: days and office hours in China Standard Time,
// drawn at random, working days on the official calendar, never after the
// world's present.

import (
	"math/rand/v2"
	"time"

	"credithub/auth"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/scalars"
	"credithub/internal/workday"
)

// clock draws the moments of the plans, and the people who act at them.
type clock struct {
	r   *rand.Rand
	cal *workday.Calendar
	// now is the world's present: the evening of its reference day. Every
	// transition happened before it.
	now time.Time
}

func newClock(w *world.World) clock {
	ref := w.RefDate.In(scalars.CST)
	return clock{r: synth.New(w.Seed, "hub"), cal: workday.Default(),
		now: time.Date(ref.Year(), ref.Month(), ref.Day(), 18, 0, 0, 0, scalars.CST)}
}

// day returns a day between from and to (CST midnight), at random.
func (c clock) day(from, to time.Time) time.Time {
	f, t := civil(from), civil(to)
	if !t.After(f) {
		return f
	}
	return f.AddDate(0, 0, c.r.IntN(int(t.Sub(f).Hours()/24)+1))
}

// civil is the CST midnight of t's day.
func civil(t time.Time) time.Time {
	y, m, d := t.In(scalars.CST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, scalars.CST)
}

// office returns a time of office hours on day d's working day (the next
// one when d is not), never after the present.
func (c clock) office(d time.Time) time.Time {
	d = c.cal.AddWorkingDays(civil(d), 0)
	return earliest(d.Add(time.Duration(8*60+30+c.r.IntN(9*60))*time.Minute), c.now)
}

// later returns a time within office hours n working days after t (the same
// day, later, for n = 0), never after the present.
func (c clock) later(t time.Time, n int) time.Time {
	if n == 0 {
		return earliest(t.Add(time.Duration(10+c.r.IntN(120))*time.Minute), c.now)
	}
	d := c.cal.AddWorkingDays(t, n)
	return earliest(d.Add(time.Duration(8*60+30+c.r.IntN(9*60))*time.Minute), c.now)
}

// ago is the day n calendar days before the present.
func (c clock) ago(n int) time.Time { return civil(c.now).AddDate(0, 0, -n) }

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// span is when something was under way: from one moment to another.
type span struct{ from, to time.Time }

// overlaps reports whether s and any of others share a moment.
func (s span) overlaps(others []span) bool {
	for _, o := range others {
		if !s.to.Before(o.from) && !o.to.Before(s.from) {
			return true
		}
	}
	return false
}

// before returns the moment margin before the earliest of spans; far when
// there is none.
func before(spans []span, margin time.Duration, far time.Time) time.Time {
	out := far
	for _, sp := range spans {
		out = earliest(out, sp.from.Add(-margin))
	}
	return out
}

// The people who act.

// self is the entity acting for itself, as its own token names it.
func self(e *world.Entity) *auth.Principal {
	return auth.NewPrincipal("entity:"+e.USCC, e.USCC, auth.KindEntity, auth.EntitySelfScopes, "")
}

// clerkScopes are what a department's clerk holds for its part in the
// workflows.
var clerkScopes = []string{auth.ScopeCommitmentWrite, auth.ScopeCommitmentSign, auth.ScopeListWrite, auth.ScopeCaseWrite,
	auth.ScopeObjectionHandle, auth.ScopeObjectionFile, auth.ScopeRepairReview}

// clerk is an officer of a department (or of the credit office), named at
// random.
func (c clock) clerk(org string) *auth.Principal {
	return auth.NewPrincipal(synth.PersonName(c.r), org, auth.KindDepartment, clerkScopes, "")
}
