package fire

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/lib/pq"

	"credithub/datasources"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Setup creates and seeds dept_fire in the local set-up.
var Setup = datasources.Setup{
	Name:       datasources.Fire,
	Database:   "dept_fire",
	Migrations: sqldb.MigrationsFS(migrationFiles, "migrations"),
	Seed:       Seed,
	Probe:      "fire_unit",
}

// organ is a fire organ of code_dict ORG with the abbreviation its document
// numbers start with.
type organ struct{ code, abbrev string }

// organs maps a division to the organ that supervises its units: the
// detachment for the city proper and the free trade zone, the county brigade
// elsewhere.
var organs = map[string]organ{
	"231102": {"231100", "黑消"},
	"231199": {"231100", "黑消"},
	"231181": {"231181", "北安消"},
	"231182": {"231182", "五大连池消"},
	"231183": {"231183", "嫩江消"},
	"231123": {"231123", "逊克消"},
	"231124": {"231124", "孙吴消"},
}

func organOf(division string) organ {
	if o, ok := organs[division]; ok {
		return o
	}
	return organs["231102"]
}

// Inspection type codes (code_dict INSP).
const (
	inspRoutine = "1"
	inspRandom  = "2"
	inspReport  = "3"
	inspEvent   = "4"
	inspNight   = "5"
)

var inspTypes = synth.NewWeighted([]synth.Choice[string]{
	{Value: inspRoutine, Weight: 55}, {Value: inspRandom, Weight: 25}, {Value: inspReport, Weight: 10},
	{Value: inspEvent, Weight: 5}, {Value: inspNight, Weight: 5},
})

// hazardRule is how the fire law punishes a hazard: the provision, the
// penalty type codes (code_dict PENALTY) and the fine range in yuan (0: none).
type hazardRule struct {
	code, basis      string
	penalties        []string
	minFine, maxFine int
}

// hazards are the hazard codes of code_dict HAZARD with their penalties.
var hazards = []hazardRule{
	{"H01", "《中华人民共和国消防法》第六十条第一款第三项", []string{"2"}, 5000, 50000},
	{"H02", "《中华人民共和国消防法》第六十条第一款第三项", []string{"2"}, 5000, 50000},
	{"H03", "《中华人民共和国消防法》第六十条第一款第一项", []string{"2"}, 5000, 50000},
	{"H04", "《中华人民共和国消防法》第六十六条", []string{"3", "2"}, 1000, 5000},
	{"H05", "《中华人民共和国消防法》第六十七条", []string{"1"}, 0, 0},
	{"H06", "《中华人民共和国消防法》第六十条第一款第五项", []string{"2"}, 5000, 50000},
	{"H07", "《中华人民共和国消防法》第六十三条第二项", []string{"1"}, 0, 0},
	{"H08", "《中华人民共和国消防法》第六十条第一款第四项", []string{"2"}, 5000, 50000},
	{"H09", "《中华人民共和国消防法》第六十条第一款第三项", []string{"2"}, 5000, 50000},
	{"H10", "《中华人民共和国消防法》第五十八条第一款第二项", []string{"3", "2"}, 30000, 300000},
	{"H11", "《中华人民共和国消防法》第六十条第一款第一项", []string{"2"}, 5000, 50000},
	{"H12", "《中华人民共和国消防法》第六十条第一款第六项", []string{"2"}, 5000, 50000},
}

func ruleOf(code string) hazardRule {
	for _, h := range hazards {
		if h.code == code {
			return h
		}
	}
	return hazards[0]
}

// The hazards that justify a seal-up (escape routes in crowded places) and an
// order to stop using the premises.
var (
	sealHazards    = []string{"H01", "H02", "H12"}
	stopUseHazards = []string{"H10", "H03", "H04"}
)

// at is the given China-time hour and minute of a seed day (midnight UTC of
// a civil date, as synth.Date returns it).
func at(day time.Time, hour, minute int) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, hour, minute, 0, 0, scalars.CST)
}

// officeHours is a time of a working day in Heihe.
func officeHours(r *rand.Rand, day time.Time) time.Time {
	return at(day, 8+r.IntN(9), r.IntN(60))
}

// publishedAt is when a decision went online: usually within the 7 working
// days T26 requires, sometimes late, now and then never; a day after last
// (the world's yesterday) has not come yet, so the decision is unpublished.
func publishedAt(r *rand.Rand, decided, last time.Time) sql.NullTime {
	var on time.Time
	switch p := r.IntN(100); {
	case p < 3:
		return sql.NullTime{}
	case p < 15:
		on = decided.AddDate(0, 0, 10+r.IntN(30))
	default:
		on = decided.AddDate(0, 0, 1+r.IntN(8))
	}
	t := officeHours(r, on)
	if on.After(last) {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t, Valid: true}
}

type inspection struct {
	id                         int64
	unit, org, no, kind, staff string
	at                         time.Time
	result                     string
	published                  sql.NullTime
}

type finding struct {
	insp      int64
	seq       int
	hazard    string
	deadline  time.Time
	rectified sql.NullTime
}

type penalty struct {
	unit, org, no, hazard, basis string
	insp                         int64
	decided                      time.Time
	kinds                        []string
	fine                         sql.NullString
	published, revoked           sql.NullTime
}

// Seed fills the fire service's units, inspections and penalties from w: the
// entities at fire risk, inspected since 2017.
//
// It goes a chunk of entities at a time (world.ChunkSize), so that memory
// holds one chunk's rows whatever the world's size (and the penalties, for
// the coercions that follow them all); every table gets its rows in the
// same order as if copied at once.
func Seed(ctx context.Context, db *sqldb.DB, w *world.World) error {
	s := &seeder{r: synth.New(w.Seed, "dept:fire"), last: w.RefDate.AddDate(0, 0, -1),
		coercion: newCoercionSeeder(w.Seed, w.RefDate.AddDate(0, 0, -1))}
	if err := w.Chunks(world.ChunkSize, func(es []*world.Entity) error { return s.seed(ctx, db, es) }); err != nil {
		return err
	}
	// Reset the serials past the explicit ids.
	if _, err := db.ExecContext(ctx, `SELECT setval('fire_inspection_id_seq', (SELECT coalesce(max(id), 1) FROM fire_inspection))`); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `SELECT setval('fire_penalty_id_seq', (SELECT coalesce(max(id), 1) FROM fire_penalty))`); err != nil {
		return err
	}
	return s.coercion.penalties(ctx, db)
}

// seeder draws the units, inspections, findings and penalties from the
// stream "dept:fire", chunk after chunk; inspections and penalties are
// numbered from 1 in their order, as the serials would number them.
type seeder struct {
	r        *rand.Rand
	last     time.Time
	nInsp    int64 // inspections drawn so far
	nPen     int64 // penalties drawn so far
	coercion *coercionSeeder
}

func (s *seeder) seed(ctx context.Context, db *sqldb.DB, es []*world.Entity) error {
	r, last := s.r, s.last
	start := time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	var (
		units       [][]any
		inspections []inspection
		findings    []finding
		penalties   []penalty
	)
	for _, e := range es {
		// The world never draws a code twice: a unit is registered once.
		if !e.FireRisk {
			continue
		}
		if e.Showcase {
			s.coercion.showcase[e.USCC] = true
		}
		o := organOf(e.Division)
		class := "一般单位"
		if e.Showcase || (e.IndustryCode == "H" && r.IntN(100) < 60) || r.IntN(100) < 20 {
			class = "重点单位"
		}
		units = append(units, []any{e.USCC, e.Name, e.Address, class, o.code, e.LegalRep.Name})

		from := start
		if e.Established.After(from) {
			from = e.Established
		}
		passRate := map[world.Profile]int{world.Clean: 85, world.Ordinary: 70, world.Troubled: 45}[e.Profile]
		rectifyRate := 90
		if e.Profile == world.Troubled {
			rectifyRate = 60
		}
		n := 1 + r.IntN(3)
		for i := 0; i < n; i++ {
			// A showcase's first inspection found hazards and led to a
			// penalty, early enough for the penalty to be decided.
			forced := e.Showcase && i == 0
			hi := last
			if forced && from.Before(last.AddDate(0, 0, -120)) {
				hi = last.AddDate(0, 0, -120)
			}
			day := synth.Date(r, from, hi)
			kind := inspTypes.Pick(r)
			if kind == inspNight && e.IndustryCode != "H" {
				kind = inspRoutine
			}
			var when time.Time
			if kind == inspNight { // 21:00–02:59, a day's night shift
				h := 21 + r.IntN(6)
				when = at(day, h%24, r.IntN(60))
			} else {
				when = officeHours(r, day)
			}
			result := ResultPassed
			if forced || r.IntN(100) >= passRate {
				switch p := r.IntN(100); {
				case p < 80:
					result = ResultRectify
				case p < 90:
					result = ResultSealed
				default:
					result = ResultStopUse
				}
			}
			s.nInsp++
			id := s.nInsp
			inspections = append(inspections, inspection{id, e.USCC, o.code,
				synth.DecisionNo(r, o.abbrev, day.Year(), "监检字"), kind,
				synth.PersonName(r) + "、" + synth.PersonName(r), when, result, publishedAt(r, day, last)})
			if result == ResultPassed {
				continue
			}

			// The hazards found; a seal-up or stop-use order lists first the
			// hazard that justified it.
			want := 1 + r.IntN(3)
			if e.Profile == world.Troubled {
				want++
			}
			var codes []string
			switch result {
			case ResultSealed:
				codes = []string{synth.Pick(r, sealHazards)}
			case ResultStopUse:
				codes = []string{synth.Pick(r, stopUseHazards)}
			}
			for _, j := range r.Perm(len(hazards)) {
				if len(codes) >= want {
					break
				}
				if c := hazards[j].code; !slices.Contains(codes, c) {
					codes = append(codes, c)
				}
			}
			days := synth.Pick(r, []int{7, 15, 30})
			if result != ResultRectify {
				days = 30
			}
			deadline := day.AddDate(0, 0, days)
			late := false
			for k, c := range codes {
				f := finding{insp: id, seq: k + 1, hazard: c, deadline: deadline}
				if r.IntN(100) < rectifyRate {
					fixed := day.AddDate(0, 0, 1+r.IntN(days+10))
					if !fixed.After(last) {
						f.rectified = sql.NullTime{Time: officeHours(r, fixed), Valid: true}
					}
				}
				if !deadline.After(last) && (!f.rectified.Valid || f.rectified.Time.After(at(deadline, 23, 59))) {
					late = true
				}
				findings = append(findings, f)
			}

			// A seal-up or stop-use order is usually followed by a penalty; a
			// rectification order when the deadline passed unheeded.
			punish := r.IntN(100)
			switch {
			case forced:
			case result != ResultRectify && punish < 85:
			case late && punish < 60:
			case punish < 5:
			default:
				continue
			}
			decidedDay := day.AddDate(0, 0, 5+r.IntN(20))
			if result == ResultRectify && late {
				decidedDay = deadline.AddDate(0, 0, 3+r.IntN(20))
			}
			if decidedDay.After(last) {
				if !forced {
					continue
				}
				decidedDay = last
			}
			rule := ruleOf(codes[0])
			kinds := rule.penalties
			if rule.code == "H10" && r.IntN(100) < 30 {
				kinds = []string{"4", "2"}
			}
			var fine sql.NullString
			if rule.maxFine > 0 {
				step := max(rule.minFine/5, 100)
				fine = sql.NullString{String: fmt.Sprintf("%d.00", rule.minFine+step*r.IntN((rule.maxFine-rule.minFine)/step+1)), Valid: true}
			}
			decided := officeHours(r, decidedDay)
			p := penalty{unit: e.USCC, org: o.code, no: synth.DecisionNo(r, o.abbrev, decidedDay.Year(), "行罚决字"),
				hazard: rule.code, basis: rule.basis, insp: id, decided: decided, kinds: kinds, fine: fine,
				published: publishedAt(r, decidedDay, last)}
			if revokedDay := decidedDay.AddDate(0, 0, 30+r.IntN(60)); r.IntN(100) < 1 && !revokedDay.After(last) {
				p.revoked = sql.NullTime{Time: officeHours(r, revokedDay), Valid: true}
			}
			penalties = append(penalties, p)
		}
	}

	if _, err := sqldb.CopyIn(ctx, db, "fire_unit",
		[]string{"unit_code", "unit_name", "address", "risk_class", "org_cd", "contact_name"},
		func(put func(...any) error) error {
			for _, u := range units {
				if err := put(u...); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	if _, err := sqldb.CopyIn(ctx, db, "fire_inspection",
		[]string{"id", "unit_code", "org_cd", "insp_no", "insp_type_cd", "inspected_at", "inspectors", "result_cd", "published_at"},
		func(put func(...any) error) error {
			for _, i := range inspections {
				if err := put(i.id, i.unit, i.org, i.no, i.kind, i.at, i.staff, i.result, i.published); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	if _, err := sqldb.CopyIn(ctx, db, "insp_finding",
		[]string{"insp_id", "seq", "hazard_cd", "rectify_deadline", "rectified_at"},
		func(put func(...any) error) error {
			for _, f := range findings {
				if err := put(f.insp, f.seq, f.hazard, f.deadline.Format(time.DateOnly), f.rectified); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	// Penalties are numbered from 1 in their order, as the serial would
	// number them: coercions refer to them.
	if _, err := sqldb.CopyIn(ctx, db, "fire_penalty",
		[]string{"id", "unit_code", "insp_id", "org_cd", "decision_no", "decided_at", "hazard_cd", "basis", "penalty_cds",
			"fine_yuan", "published_at", "revoked_at"},
		func(put func(...any) error) error {
			for i, p := range penalties {
				if err := put(s.nPen+int64(i+1), p.unit, p.insp, p.org, p.no, p.decided, p.hazard, p.basis, pq.Array(p.kinds),
					p.fine, p.published, p.revoked); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	s.nPen += int64(len(penalties))
	return s.coercion.seals(ctx, db, inspections, findings, penalties)
}

// sealScopes are the premises or parts a seal-up closes.
var sealScopes = []string{"经营场所一层营业大厅", "地下一层歌舞娱乐场所", "二层住宿区", "生产车间", "物资仓库"}

// coercionSeeder derives the fire service's coercion (T26) from the
// inspections and penalties, from a stream of their own
// ("dept:fire:coercion") so that those stay as they were: every
// inspection that found a hazard worth a seal-up has its temporary
// seal-up, lifted once every hazard it found was rectified (and the
// follow-up found so the next day); a stop-use or stop-operation order
// the unit ignored is enforced; now and then an unpaid fine gets its
// surcharge, and every showcase unit with nothing else one on its first
// penalty. The seal-ups come chunk by chunk (seals), the penalties'
// coercions after every seal-up (penalties): it keeps the penalties
// until then.
type coercionSeeder struct {
	r        *rand.Rand
	last     time.Time
	once     synth.Firsts
	showcase map[string]bool
	coerced  map[string]bool
	abbrevOf map[string]string
	pens     []penalty // every penalty so far, numbered from 1
}

func newCoercionSeeder(seed uint64, last time.Time) *coercionSeeder {
	c := &coercionSeeder{r: synth.New(seed, "dept:fire:coercion"), last: last, once: synth.Firsts{},
		showcase: map[string]bool{}, coerced: map[string]bool{}, abbrevOf: map[string]string{}}
	for _, o := range organs {
		c.abbrevOf[o.code] = o.abbrev
	}
	return c
}

func (c *coercionSeeder) revoked(decided time.Time) sql.NullTime {
	r, last := c.r, c.last
	if d := decided.AddDate(0, 0, 30+r.IntN(60)); (c.once.First("seal-up revoked") || r.IntN(100) < 1) && !d.After(last) {
		return sql.NullTime{Time: officeHours(r, d), Valid: true}
	}
	return sql.NullTime{}
}

// seals copies the seal-ups of a chunk's inspections (with their
// findings) and keeps its penalties for later.
func (c *coercionSeeder) seals(ctx context.Context, db *sqldb.DB, inspections []inspection, findings []finding, penalties []penalty) error {
	r, last, abbrevOf := c.r, c.last, c.abbrevOf
	found := map[int64][]finding{}
	for _, f := range findings {
		found[f.insp] = append(found[f.insp], f)
	}
	var rows [][]any
	for _, i := range inspections {
		if i.result != ResultSealed {
			continue
		}
		fs := found[i.id]
		decided := i.at.Add(time.Duration(30+r.IntN(150)) * time.Minute)
		var lifted sql.NullTime
		allFixed := len(fs) > 0
		for _, f := range fs {
			if !f.rectified.Valid {
				allFixed = false
				break
			}
			if next := f.rectified.Time.AddDate(0, 0, 1); !lifted.Valid || next.After(lifted.Time) {
				lifted = sql.NullTime{Time: next, Valid: true}
			}
		}
		if !allFixed || lifted.Time.After(last) {
			lifted = sql.NullTime{}
		}
		var hazard sql.NullString
		if len(fs) > 0 {
			hazard = sql.NullString{String: fs[0].hazard, Valid: true}
		}
		day := time.Date(decided.Year(), decided.Month(), decided.Day(), 0, 0, 0, 0, time.UTC)
		rows = append(rows, []any{i.unit, i.id, nil, i.org, synth.DecisionNo(r, abbrevOf[i.org], decided.Year(), "临封字"),
			CoercionSeal, hazard, synth.Pick(r, sealScopes), "《中华人民共和国消防法》第五十四条", decided, lifted,
			publishedAt(r, day, last), c.revoked(day)})
		c.coerced[i.unit] = true
	}
	c.pens = append(c.pens, penalties...)
	return copyCoercions(ctx, db, rows)
}

// penalties copies the coercions that follow penalties, after every
// seal-up.
func (c *coercionSeeder) penalties(ctx context.Context, db *sqldb.DB) error {
	r, last, abbrevOf, showcase, coerced := c.r, c.last, c.abbrevOf, c.showcase, c.coerced
	var rows [][]any
	for n, p := range c.pens {
		stops := slices.Contains(p.kinds, "3") || slices.Contains(p.kinds, "4")
		code, basis, delay := "", "", 0
		switch {
		case stops && r.IntN(100) < 20:
			code, basis, delay = CoercionEnforcement, "《中华人民共和国消防法》第七十条", 15+r.IntN(25)
		case p.fine.Valid && r.IntN(100) < 3, p.fine.Valid && showcase[p.unit] && !coerced[p.unit]:
			code, basis, delay = CoercionSurcharge, "《中华人民共和国行政处罚法》第七十二条", 30+r.IntN(30)
		default:
			continue
		}
		if p.revoked.Valid {
			continue
		}
		d := p.decided.AddDate(0, 0, delay)
		day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		if day.After(last) {
			day = last
		}
		decided := officeHours(r, day)
		var hazard sql.NullString
		if code == CoercionEnforcement {
			hazard = sql.NullString{String: p.hazard, Valid: true}
		}
		rows = append(rows, []any{p.unit, nil, int64(n + 1), p.org, synth.DecisionNo(r, abbrevOf[p.org], day.Year(), "强执字"),
			code, hazard, nil, basis, decided, nil, publishedAt(r, day, last), sql.NullTime{}})
		coerced[p.unit] = true
		if len(rows) == world.ChunkSize {
			if err := copyCoercions(ctx, db, rows); err != nil {
				return err
			}
			rows = rows[:0]
		}
	}
	return copyCoercions(ctx, db, rows)
}

func copyCoercions(ctx context.Context, db *sqldb.DB, rows [][]any) error {
	_, err := sqldb.CopyIn(ctx, db, "fire_coercion",
		[]string{"unit_code", "insp_id", "penalty_id", "org_cd", "decision_no", "coerce_cd", "hazard_cd", "scope", "basis",
			"decided_at", "lifted_at", "published_at", "revoked_at"},
		func(put func(...any) error) error {
			for _, row := range rows {
				if err := put(row...); err != nil {
					return err
				}
			}
			return nil
		})
	return err
}
