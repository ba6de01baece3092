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
	"math/rand/v2"
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

// World is the synthetic city.
type World struct {
	Seed     uint64
	RefDate  time.Time
	Entities []*Entity
	// Individuals are natural persons who are not principal persons of any
	// entity (court lists hold such people too).
	Individuals []*Person
}

// ShowcaseCount is how many entities (the first ones) are showcases.
const ShowcaseCount = 10

// divisionWeights: most entities are in 爱辉区 (the city proper) and 北安市.
var divisionWeights = synth.NewWeighted([]synth.Choice[string]{
	{Value: "231102", Weight: 30}, {Value: "231181", Weight: 20}, {Value: "231183", Weight: 15},
	{Value: "231182", Weight: 12}, {Value: "231123", Weight: 8}, {Value: "231124", Weight: 7},
	{Value: "231199", Weight: 8},
})

// New generates a world of n entities from seed.
func New(seed uint64, n int) *World {
	r := synth.New(seed, "world")
	w := &World{Seed: seed, RefDate: RefDate}
	var reps []*Person
	taken := map[string]bool{}
	for i := 0; i < n; i++ {
		// Codes are drawn at random; at benchmark sizes a few collide, and a
		// registry never holds two entities under one key: draw again.
		var e *Entity
		for {
			e = newEntity(r, i, &reps)
			if !taken[e.USCC] && !taken[e.OrgCode] && (e.RegNo == "" || !taken[e.RegNo]) {
				break
			}
		}
		taken[e.USCC], taken[e.OrgCode] = true, true
		if e.RegNo != "" {
			taken[e.RegNo] = true
		}
		w.Entities = append(w.Entities, e)
	}
	for i := 0; i < n/20+5; i++ {
		w.Individuals = append(w.Individuals, newPerson(r, divisionWeights.Pick(r)))
	}
	return w
}

func newPerson(r *rand.Rand, division string) *Person {
	if division == "231199" { // the pilot zone has no code of its own
		division = "231102"
	}
	id, _, _ := synth.ResidentID(r, division, RefDate)
	return &Person{Name: synth.PersonName(r), IDNo: id, Mobile: synth.Mobile(r)}
}

func newEntity(r *rand.Rand, i int, reps *[]*Person) *Entity {
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
	if len(*reps) > 0 && r.IntN(100) < 5 {
		e.LegalRep = (*reps)[r.IntN(len(*reps))]
	} else {
		e.LegalRep = newPerson(r, division)
		*reps = append(*reps, e.LegalRep)
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
