package supervision

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Candidate is an entity of an inspection's population, with its grade.
type Candidate struct {
	USCC  string
	Grade string
}

// Ratios are the share of each grade drawn for inspection (T13: lower for
// good credit, the base ratio for B, higher for poor credit).
type Ratios map[string]float64

// DefaultRatios derives the per-grade ratios from a base ratio (grade B):
// half for A, one and a half times for C, three times for D, capped at 1.
func DefaultRatios(base float64) Ratios {
	r := Ratios{"A": base * 0.5, "B": base, "C": base * 1.5, "D": base * 3}
	for g, v := range r {
		r[g] = math.Min(v, 1)
	}
	return r
}

// Validate checks every grade has a ratio between 0 and 1.
func (r Ratios) Validate() error {
	for _, g := range []string{"A", "B", "C", "D"} {
		v, ok := r[g]
		if !ok || v < 0 || v > 1 || math.IsNaN(v) {
			return fmt.Errorf("the ratio for grade %s must be between 0 and 1", g)
		}
	}
	return nil
}

// uniform maps (seed, key) to a number in [0, 1): the same seed and key
// always give the same number, and anybody holding the published seed can
// recompute it.
func uniform(seed, key string) float64 {
	h := sha256.Sum256([]byte(seed + "\x00" + key))
	return float64(binary.BigEndian.Uint64(h[:8])>>11) / (1 << 53)
}

// Draw selects each candidate independently with its grade's ratio, by a
// number derived from the published seed and its code: the draw is the
// same however the population is ordered, and reproducible by anyone with
// the seed. The result is ordered by code.
func Draw(seed string, population []Candidate, ratios Ratios) []Candidate {
	var out []Candidate
	for _, c := range population {
		if uniform(seed, c.USCC) < ratios[c.Grade] {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].USCC < out[j].USCC })
	return out
}

// Inspectors picks n inspectors from the roster for one sampled entity, at
// random from the seed, different for each entity.
func Inspectors(seed, uscc string, roster []int64, n int) []int64 {
	type ranked struct {
		id int64
		u  float64
	}
	rs := make([]ranked, len(roster))
	for i, id := range roster {
		rs[i] = ranked{id, uniform(seed, uscc+"\x00"+strconv.FormatInt(id, 10))}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].u < rs[j].u })
	if n > len(rs) {
		n = len(rs)
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = rs[i].id
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
