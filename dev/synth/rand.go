// Package synth generates deterministic synthetic data for seeding credithub
// with realistic but fictitious Chinese market-regulation records: people,
// companies, addresses, identifiers and document numbers around Heihe,
// Heilongjiang.
//
// Every function draws only from the *rand.Rand it is given (which must not
// be nil) and never reads the clock, so a seed reproduces the same data set
// on every machine and Go release that keeps math/rand/v2's PCG stable.
// Generated identifiers pass the validators of package ident; the names,
// numbers and addresses are invented and must not be presented as real.
package synth

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// New returns a generator for one named stream of a seed. The stream name is
// hashed (FNV-64a) into the second PCG word, so each department's generator
// gets an independent sequence: adding a draw to one stream leaves the data
// of every other stream unchanged.
func New(seed uint64, stream string) *rand.Rand {
	return rand.New(NewPCG(seed, stream))
}

// NewPCG is the source of New(seed, stream), for a caller that saves and
// restores its state (rand.PCG's MarshalBinary).
func NewPCG(seed uint64, stream string) *rand.PCG {
	h := fnv.New64a()
	h.Write([]byte(stream)) // hash.Hash.Write never fails
	return rand.NewPCG(seed, h.Sum64())
}

// Pick returns a uniformly chosen element of xs, or the zero value if xs is
// empty.
func Pick[T any](r *rand.Rand, xs []T) T {
	if len(xs) == 0 {
		var zero T
		return zero
	}
	return xs[r.IntN(len(xs))]
}

// Choice is a value with a relative weight for Weighted.
type Choice[T any] struct {
	Value  T
	Weight int
}

// Weighted draws values with probability proportional to their weights. Build
// it once with NewWeighted and reuse it; Pick is O(log n).
type Weighted[T any] struct {
	values []T
	cum    []int64 // cumulative weights, strictly increasing
}

// NewWeighted prepares choices for drawing. Choices with a weight ≤ 0 are
// dropped; weights are capped so that their total fits in an int64.
func NewWeighted[T any](choices []Choice[T]) *Weighted[T] {
	w := &Weighted[T]{}
	var total int64
	for _, c := range choices {
		if c.Weight <= 0 {
			continue
		}
		wt := min(int64(c.Weight), math.MaxInt64-total)
		if wt == 0 {
			break
		}
		total += wt
		w.values = append(w.values, c.Value)
		w.cum = append(w.cum, total)
	}
	return w
}

// Len returns the number of values that can be drawn.
func (w *Weighted[T]) Len() int {
	if w == nil {
		return 0
	}
	return len(w.values)
}

// Pick draws one value, or returns the zero value if there is nothing to
// draw.
func (w *Weighted[T]) Pick(r *rand.Rand) T {
	if w.Len() == 0 {
		var zero T
		return zero
	}
	x := r.Int64N(w.cum[len(w.cum)-1])
	i := sort.Search(len(w.cum), func(i int) bool { return w.cum[i] > x })
	return w.values[i]
}

// Date returns a uniformly chosen calendar day between from and to
// inclusive, as midnight UTC. Each bound is taken as the calendar day it
// falls on in its own location; the bounds may be given in either order.
func Date(r *rand.Rand, from, to time.Time) time.Time {
	f, t := civilDay(from), civilDay(to)
	if t.Before(f) {
		f, t = t, f
	}
	// Count in Unix seconds: time.Duration overflows beyond ~292 years.
	days := (t.Unix() - f.Unix()) / 86400
	return time.Unix(f.Unix()+r.Int64N(days+1)*86400, 0).UTC()
}

// civilDay is midnight UTC of the calendar day t falls on where it was
// recorded.
func civilDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// chance reports true with probability pct/100.
func chance(r *rand.Rand, pct int) bool { return r.IntN(100) < pct }

// digits returns n random decimal digits.
func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// Firsts hands out each named rare case once. A seed that must show every
// state of a kind of record even in a small world gives the first
// candidate the rare state, and every later one its ordinary chance:
// firsts.First("revoked") || r.IntN(100) < 3.
type Firsts map[string]bool

// First reports whether name is asked for the first time.
func (f Firsts) First(name string) bool {
	if f[name] {
		return false
	}
	f[name] = true
	return true
}
