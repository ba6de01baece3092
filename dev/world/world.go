// Package world generates the synthetic city that the local set-up seeds into
// the departments' databases: market entities with their persons, keys and
// sectors. Each department's seed generator walks the same world with a
// random stream of its own, so the five databases agree on who exists while
// each keeps its own habits, and a department can be re-seeded alone.
//
// Everything is deterministic from (seed, size): the same flags give the same
// databases on every machine.
package world

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"credithub/dev/synth"
	"credithub/internal/ident"
	"credithub/internal/scalars"
)

// RefDate is the day the synthetic world stands at. It is fixed rather than
// today so that a seed always gives the same data; records are dated up to
// it and deadlines computed from it.
var RefDate = time.Date(2026, 11, 27, 0, 0, 0, 0, scalars.CST)

// Profile is how much trouble an entity has had, which tells the department
// generators how many adverse records to give it.
type Profile int

// The profiles.
const (
	Clean    Profile = iota // licences and routine inspections only
	Ordinary                // the odd complaint or small penalty
	Troubled                // penalties, listings, court cases
)

// Person is a natural person of the synthetic city.
type Person struct {
	Name   string
	IDNo   string
	Mobile string
}

// Entity is a market entity of the synthetic city.
type Entity struct {
	Index      int
	USCC       string
	OrgCode    string
	RegNo      string // "" for entities registered after the 2015 reform
	LegacyUSCC bool   // an early pilot code that fails the GB 32100 check
	// LegacyKeys: departments that still file by old keys (the market
	// regulator's pre-2015 rows, the environment bureau's organisation codes)
	// file this entity's records only under them.
	LegacyKeys   bool
	Category     ident.EntityCategory
	EntityType   string
	Name         string
	Industry     string
	IndustryCode string
	Division     string
	Address      string
	Status       string
	Established  time.Time
	CapitalWan   string
	LegalRep     *Person
	Principal    *Person
	Controller   *Person
	Profile      Profile
	// Sectors decide which departments hold records on the entity.
	Construction bool // housing: qualifications, accidents, bad conduct
	Polluter     bool // environment: permits, penalties, ratings
	FireRisk     bool // fire: inspections of a 重点单位
	// Showcase entities have records in every department (README examples,
	// benchmark S1).
	Showcase bool
}

// World is the synthetic city. A world made by New holds every entity
// (Entities); one made by Stream holds none and generates them afresh,
// from the same stream in the same order, on every walk (Each), so that
// seeding a million entities keeps only the entity at hand in memory.
type World struct {
	Seed    uint64
	RefDate time.Time
	// Entities are the world's entities in order; nil in a streamed world
	// (walk them with Each).
	Entities []*Entity
	// Individuals are natural persons who are not principal persons of any
	// entity (court lists hold such people too). A streamed world has them
	// once a walk has gone through every entity (Each).
	Individuals []*Person

	n    int
	once sync.Once
}

// ShowcaseCount is how many entities (the first ones) are showcases.
const ShowcaseCount = 10

// divisionWeights: most entities are in 爱辉区 (the city proper) and 北安市.
var divisionWeights = synth.NewWeighted([]synth.Choice[string]{
	{Value: "231102", Weight: 30}, {Value: "231181", Weight: 20}, {Value: "231183", Weight: 15},
	{Value: "231182", Weight: 12}, {Value: "231123", Weight: 8}, {Value: "231124", Weight: 7},
	{Value: "231199", Weight: 8},
})

// divisionCodes are the divisions divisionWeights draws from.
var divisionCodes = []string{"231102", "231181", "231183", "231182", "231123", "231124", "231199"}

// New generates a world of n entities from seed, every entity in memory.
func New(seed uint64, n int) *World {
	w := &World{Seed: seed, RefDate: RefDate, n: n}
	g := newGenerator(seed, n)
	w.Entities = make([]*Entity, 0, n)
	for range n {
		w.Entities = append(w.Entities, g.next())
	}
	w.Individuals = g.individuals()
	return w
}

// Stream is the world New(seed, n) generates, without its entities in
// memory: Each generates them one at a time.
func Stream(seed uint64, n int) *World {
	return &World{Seed: seed, RefDate: RefDate, n: n}
}

// Len is the number of entities.
func (w *World) Len() int {
	if w.Entities != nil {
		return len(w.Entities)
	}
	return w.n
}

// ErrStop, returned by Each's fn, ends the walk early; Each then returns nil.
var ErrStop = errors.New("stop walking the world")

// Each calls fn with every entity in order, and stops at fn's first error
// (nil for ErrStop). A streamed world generates the entities afresh (about
// as long as New takes, but only the entity at hand is live); once a walk
// has reached the end, Individuals is set. fn must not keep the entity's
// pointer past the walk if memory matters: it is all that keeps it alive.
func (w *World) Each(fn func(e *Entity) error) error {
	if w.Entities != nil {
		for _, e := range w.Entities {
			if err := fn(e); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		return nil
	}
	g := newGenerator(w.Seed, w.n)
	for range w.n {
		if err := fn(g.next()); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	w.once.Do(func() { w.Individuals = g.individuals() })
	return nil
}

// ChunkSize is how many entities a seed generates before it copies their
// rows: memory for a few thousand entities' rows, whatever the world's size.
const ChunkSize = 4000

// Chunks calls fn with the entities in order, size at a time (the last
// chunk may be shorter), as Each walks them. The slice is reused.
func (w *World) Chunks(size int, fn func(es []*Entity) error) error {
	if w.Entities != nil {
		for i := 0; i < len(w.Entities); i += size {
			if err := fn(w.Entities[i:min(i+size, len(w.Entities))]); err != nil {
				return err
			}
		}
		return nil
	}
	chunk := make([]*Entity, 0, size)
	if err := w.Each(func(e *Entity) error {
		chunk = append(chunk, e)
		if len(chunk) < size {
			return nil
		}
		err := fn(chunk)
		clear(chunk)
		chunk = chunk[:0]
		return err
	}); err != nil {
		return err
	}
	if len(chunk) > 0 {
		return fn(chunk)
	}
	return nil
}

// Showcases returns the showcase entities (the first ShowcaseCount, fewer
// in a smaller world).
func (w *World) Showcases() []*Entity {
	k := min(ShowcaseCount, w.Len())
	if w.Entities != nil {
		return w.Entities[:k]
	}
	g := newGenerator(w.Seed, k)
	out := make([]*Entity, k)
	for i := range out {
		out[i] = g.next()
	}
	return out
}

// generator draws the world's entities in order from its "world" stream.
// What it keeps to draw the next one is small per entity drawn (about 40
// bytes): the organisation codes and registration numbers taken, as
// integers in open-addressing sets, and the legal representatives one may
// head another entity too, as the stream's state before each was drawn (16
// bytes and a division) rather than the person.
type generator struct {
	src *rand.PCG
	r   *rand.Rand
	i   int
	// orgs and regs are the organisation codes (base 36) and registration
	// numbers taken; other holds any code that is neither (none is
	// generated, but the rule is exact whatever synth draws).
	orgs, regs set
	other      map[string]struct{}
	// reps are where in the stream each legal representative was drawn:
	// the PCG's two words and the division's index.
	repHi, repLo []uint64
	repDiv       []uint8
}

func newGenerator(seed uint64, n int) *generator {
	src := synth.NewPCG(seed, "world")
	return &generator{src: src, r: rand.New(src), orgs: newSet(n), regs: newSet(n * 2 / 3), other: map[string]struct{}{},
		repHi: make([]uint64, 0, n), repLo: make([]uint64, 0, n), repDiv: make([]uint8, 0, n)}
}

// set is a set of non-zero integers, open addressing with linear probing:
// 8 bytes a slot, at most three quarters full, about a third of a Go map's
// size for the same keys.
type set struct {
	slots []uint64
	n     int
}

func newSet(n int) set {
	size := 64
	for size*3/4 < n {
		size *= 2
	}
	return set{slots: make([]uint64, size)}
}

// find returns k's slot, or the empty slot where it would go.
func (s *set) find(k uint64) int {
	mask := uint64(len(s.slots) - 1)
	i := (k * 0x9E3779B97F4A7C15) >> 7 & mask
	for s.slots[i] != 0 && s.slots[i] != k {
		i = (i + 1) & mask
	}
	return int(i)
}

func (s *set) has(k uint64) bool { return s.slots[s.find(k)] == k }

func (s *set) add(k uint64) {
	if i := s.find(k); s.slots[i] != k {
		s.slots[i] = k
		s.n++
	}
	if s.n > len(s.slots)*3/4 {
		old := s.slots
		s.slots, s.n = make([]uint64, 2*len(old)), 0
		for _, k := range old {
			if k != 0 {
				s.add(k)
			}
		}
	}
}

// next draws the next entity. Codes are drawn at random; at benchmark
// sizes a few collide, and a registry never holds two entities under one
// key: draw again. A unified code embeds its organisation code, so a
// unified code already taken has its organisation code taken too: the
// organisation code and the registration number decide.
func (g *generator) next() *Entity {
	for {
		e := g.newEntity()
		if g.taken(e.OrgCode, base36) || (e.RegNo != "" && g.taken(e.RegNo, decimal)) {
			continue
		}
		g.take(e.OrgCode, base36)
		if e.RegNo != "" {
			g.take(e.RegNo, decimal)
		}
		g.i++
		return e
	}
}

const (
	base36  = 36 // organisation codes: digits and capital letters
	decimal = 10 // registration numbers
)

func (g *generator) taken(code string, base uint64) bool {
	if k, ok := codeKey(code, base); ok {
		if base == decimal {
			return g.regs.has(k)
		}
		return g.orgs.has(k)
	}
	_, dup := g.other[code]
	return dup
}

func (g *generator) take(code string, base uint64) {
	if k, ok := codeKey(code, base); ok {
		if base == decimal {
			g.regs.add(k)
		} else {
			g.orgs.add(k)
		}
		return
	}
	g.other[code] = struct{}{}
}

// codeKey is code as an integer in base, times 16 plus its length (so that
// "01" and "1" differ), and whether code fits: at most 11 characters in
// base 36, 17 digits in base 10, so that the key fits in 64 bits.
func codeKey(code string, base uint64) (uint64, bool) {
	limit := 11
	if base == decimal {
		limit = 17
	}
	if len(code) == 0 || len(code) > limit {
		return 0, false
	}
	var k uint64
	for i := 0; i < len(code); i++ {
		c := code[i]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'A' && c <= 'Z' && base == base36:
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		k = k*base + d
	}
	return k*16 + uint64(len(code)), true
}

// legalRep draws a new legal representative in division, remembering
// where in the stream it was drawn.
func (g *generator) legalRep(division string) *Person {
	st, _ := g.src.MarshalBinary() // "pcg:", hi and lo, big-endian
	g.repHi = append(g.repHi, binary.BigEndian.Uint64(st[4:12]))
	g.repLo = append(g.repLo, binary.BigEndian.Uint64(st[12:20]))
	g.repDiv = append(g.repDiv, uint8(slices.Index(divisionCodes, division)))
	return newPerson(g.r, division)
}

// rep draws again the i-th legal representative, from where it was drawn.
func (g *generator) rep(i int) *Person {
	b := make([]byte, 20)
	copy(b, "pcg:")
	binary.BigEndian.PutUint64(b[4:12], g.repHi[i])
	binary.BigEndian.PutUint64(b[12:20], g.repLo[i])
	src := &rand.PCG{}
	if err := src.UnmarshalBinary(b); err != nil {
		panic(err) // unreachable: b is what MarshalBinary gives
	}
	return newPerson(rand.New(src), divisionCodes[g.repDiv[i]])
}

// individuals draws the natural persons who head no entity; they come
// after every entity in the stream.
func (g *generator) individuals() []*Person {
	var out []*Person
	for i := 0; i < g.i/20+5; i++ {
		out = append(out, newPerson(g.r, divisionWeights.Pick(g.r)))
	}
	return out
}

func newPerson(r *rand.Rand, division string) *Person {
	if division == "231199" { // the pilot zone has no code of its own
		division = "231102"
	}
	id, _, _ := synth.ResidentID(r, division, RefDate)
	return &Person{Name: synth.PersonName(r), IDNo: id, Mobile: synth.Mobile(r)}
}

func (g *generator) newEntity() *Entity {
	r, i := g.r, g.i
	division := divisionWeights.Pick(r)
	e := &Entity{Index: i, Division: division, Showcase: i < ShowcaseCount}
	switch p := r.IntN(100); {
	case e.Showcase || p < 62:
		e.Category = ident.CategoryEnterprise
		e.EntityType = synth.Pick(r, []string{"1110", "1110", "1110", "1151", "1200", "4000"})
	case p < 92:
		e.Category = ident.CategoryIndividualBusiness
		e.EntityType = "9600"
	case p < 98:
		e.Category = ident.CategoryFarmersCooperative
		e.EntityType = "9310"
	default:
		e.Category = ident.CategoryOther
		e.EntityType = "9900"
	}
	e.USCC, e.OrgCode = synth.USCC(r, e.Category, division)
	co := synth.CompanyName(r, division, e.Category)
	e.Name, e.Industry, e.IndustryCode = co.Name, co.Industry, co.IndustryCode
	e.Address = synth.Address(r, division)

	e.Established = synth.Date(r, time.Date(1995, 1, 1, 0, 0, 0, 0, scalars.CST), RefDate.AddDate(0, -1, 0))
	if e.Showcase && i%2 == 1 {
		e.Established = synth.Date(r, time.Date(2003, 1, 1, 0, 0, 0, 0, scalars.CST), time.Date(2014, 6, 1, 0, 0, 0, 0, scalars.CST))
	}
	if e.Established.Year() < 2015 {
		e.RegNo = synth.RegistrationNumber(r, division)
		// Some old entities' records were never re-keyed.
		e.LegacyKeys = r.IntN(100) < 30 || i == 1
	}
	// A few early pilot codes fail the checksum; the registry keeps them.
	if i == 2 || (!e.Showcase && r.IntN(1000) < 3) {
		e.USCC = breakCheck(e.USCC)
		e.LegacyUSCC = true
	}

	switch p := r.IntN(100); {
	case e.Showcase || p < 4:
		e.Status = "存续"
		if !e.Showcase {
			e.Status = synth.Pick(r, []string{"吊销", "注销", "迁出"})
		}
	default:
		e.Status = "存续"
	}
	if e.Category == ident.CategoryIndividualBusiness {
		e.CapitalWan = []string{"1", "3", "5", "10", "20"}[r.IntN(5)]
	} else {
		e.CapitalWan = []string{"10", "50", "100", "200", "500", "1000", "3000", "5000.5"}[r.IntN(8)]
	}

	// One in twenty legal representatives heads another entity too.
	if len(g.repHi) > 0 && r.IntN(100) < 5 {
		e.LegalRep = g.rep(r.IntN(len(g.repHi)))
	} else {
		e.LegalRep = g.legalRep(division)
	}
	if e.Category != ident.CategoryIndividualBusiness {
		if e.Showcase || r.IntN(100) < 40 {
			e.Principal = newPerson(r, division)
		}
		if e.Showcase || r.IntN(100) < 25 {
			e.Controller = newPerson(r, division)
		}
	}

	switch p := r.IntN(100); {
	case e.Showcase || p < 8:
		e.Profile = Troubled
	case p < 60:
		e.Profile = Ordinary
	default:
		e.Profile = Clean
	}
	e.Construction = e.Showcase || co.IndustryCode == "E" || (e.Category == ident.CategoryEnterprise && r.IntN(100) < 3)
	e.Polluter = e.Showcase || co.IndustryCode == "C" || co.IndustryCode == "B" || co.IndustryCode == "D" || r.IntN(100) < 5
	e.FireRisk = e.Showcase || co.IndustryCode == "H" || r.IntN(100) < 30
	return e
}

// breakCheck replaces the check character with a wrong one, the way early
// pilot codes fail GB 32100.
func breakCheck(uscc string) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	last := uscc[17]
	for i := 0; i < len(alphabet); i++ {
		c := alphabet[(i+7)%len(alphabet)]
		if c != last {
			return uscc[:17] + string(c)
		}
	}
	return uscc
}

// Persons returns the principal persons of e in role order.
func (e *Entity) Persons() []*Person {
	var ps []*Person
	for _, p := range []*Person{e.LegalRep, e.Principal, e.Controller} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// Date returns a day between from and RefDate.
func Date(r *rand.Rand, from time.Time) time.Time {
	if !from.Before(RefDate) {
		return RefDate
	}
	return synth.Date(r, from, RefDate)
}
