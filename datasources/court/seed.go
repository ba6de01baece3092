package court

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"math/rand/v2"
	"time"

	"credithub/datasources"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Setup creates and seeds dept_court in the local set-up.
var Setup = datasources.Setup{
	Name:       datasources.Court,
	Database:   "dept_court",
	Migrations: sqldb.MigrationsFS(migrationFiles, "migrations"),
	Seed:       Seed,
	Probe:      "party",
}

// Court is one of the courts whose lists the intermediate court keeps.
type Court struct {
	Code     string // in case numbers: 黑11, 黑1102 …
	Name     string
	Division string // the division it serves; 231100 for the intermediate court
}

// Intermediate is 黑河市中级人民法院.
var Intermediate = Court{"黑11", "黑河市中级人民法院", "231100"}

// Courts are the basic courts, one per division.
var Courts = []Court{
	{"黑1102", "黑河市爱辉区人民法院", "231102"},
	{"黑1123", "逊克县人民法院", "231123"},
	{"黑1124", "孙吴县人民法院", "231124"},
	{"黑1181", "北安市人民法院", "231181"},
	{"黑1182", "五大连池市人民法院", "231182"},
	{"黑1183", "嫩江市人民法院", "231183"},
}

// CourtOf returns the basic court of a division: the pilot zone lies in
// 爱辉区, 嫩江 keeps its former county code 231121 in old ID numbers, and
// anything else goes to the intermediate court.
func CourtOf(division string) Court {
	switch division {
	case "231199":
		division = "231102"
	case "231121":
		division = "231183"
	}
	for _, c := range Courts {
		if c.Division == division {
			return c
		}
	}
	return Intermediate
}

// pickCourt decides where a case of a subject of division was heard: mostly
// the local basic court, the intermediate court for large cases.
func pickCourt(r *rand.Rand, division string) Court {
	if r.IntN(100) < 15 {
		return Intermediate
	}
	return CourtOf(division)
}

var behaviours = synth.NewWeighted([]synth.Choice[string]{
	{Value: "有履行能力而拒不履行生效法律文书确定义务", Weight: 70},
	{Value: "违反财产报告制度", Weight: 14},
	{Value: "违反限制消费令", Weight: 10},
	{Value: "以伪造证据、暴力、威胁等方法妨碍、抗拒执行", Weight: 6},
})

var orgObligations = []string{
	"给付申请执行人货款%d元及利息", "支付工程款%d元及逾期付款违约金", "偿还借款本金%d元及利息",
	"支付拖欠的劳动报酬%d元", "支付租金%d元并腾退租赁场地",
}

var personObligations = []string{
	"偿还借款本金%d元及利息", "给付申请执行人欠款%d元", "赔偿申请执行人经济损失%d元", "返还不当得利%d元",
}

var removalReasons = []string{
	"被执行人已全部履行生效法律文书确定的义务", "当事人达成执行和解协议且已履行完毕", "失信期限届满",
}

var falseLitigations = []string{
	"与他人恶意串通，虚构债权债务关系提起民事诉讼，企图侵害他人合法权益",
	"以捏造的事实提起民事诉讼，妨害司法秩序",
	"伪造借款凭证等证据提起诉讼，企图逃避执行",
}

// day is the civil day of t as midnight UTC, the way synth.Date returns days,
// so that days from both compare correctly.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// between returns a day from from to to, or to when from is later.
func between(r *rand.Rand, from, to time.Time) time.Time {
	if !from.Before(to) {
		return to
	}
	return synth.Date(r, from, to)
}

// notBefore returns t, or from when t is earlier.
func notBefore(t, from time.Time) time.Time {
	if t.Before(from) {
		return from
	}
	return t
}

// upTo returns t, or ref when t is later.
func upTo(t, ref time.Time) time.Time {
	if t.After(ref) {
		return ref
	}
	return t
}

// seeder accumulates the court's rows; every referenced party is added once,
// in the order of first reference.
type seeder struct {
	r           *rand.Rand
	ref         time.Time
	parties     [][]any
	known       map[string]bool
	debtors     [][]any
	restricts   [][]any
	falseLitigs [][]any
}

func (s *seeder) org(e *world.Entity) string {
	if !s.known[e.USCC] {
		s.known[e.USCC] = true
		s.parties = append(s.parties, []any{e.USCC, PartyOrganisation, e.Name, e.LegalRep.Name})
	}
	return e.USCC
}

func (s *seeder) person(p *world.Person) string {
	if !s.known[p.IDNo] {
		s.known[p.IDNo] = true
		s.parties = append(s.parties, []any{p.IDNo, PartyPerson, p.Name, sql.NullString{}})
	}
	return p.IDNo
}

// published is the day an entry went online: the courts publish within a few
// days.
func (s *seeder) published(decided time.Time) time.Time {
	return upTo(decided.AddDate(0, 0, s.r.IntN(4)), s.ref)
}

// listing is an enforcement case in which a party was listed: its case
// number and court, the filing and decision days and the removal day (zero
// while still listed).
type listing struct {
	caseNo         string
	filed, decided time.Time
	removed        time.Time
	court          Court
}

// debtor lists partyID as a dishonest judgment debtor of court c in a case
// filed no earlier than from.
func (s *seeder) debtor(partyID string, org bool, c Court, from time.Time) listing {
	r := s.r
	filed := between(r, from, notBefore(s.ref.AddDate(0, 0, -30), from))
	caseType := "执"
	if r.IntN(100) < 20 {
		caseType = "执恢"
	}
	l := listing{caseNo: synth.CourtCaseNo(r, filed.Year(), c.Code, caseType), filed: filed, court: c}
	l.decided = upTo(filed.AddDate(0, 0, 20+r.IntN(160)), s.ref)

	var basisNo, basisUnit string
	switch p := r.IntN(100); {
	case p < 10:
		basisNo, basisUnit = fmt.Sprintf("(%d)黑河仲字第%d号", filed.Year()-1, 1+r.IntN(300)), "黑河仲裁委员会"
	case p < 30:
		basisNo, basisUnit = synth.CourtCaseNo(r, filed.Year()-r.IntN(2), Intermediate.Code, "民终"), Intermediate.Name
	default:
		basisNo, basisUnit = synth.CourtCaseNo(r, filed.Year()-r.IntN(2), c.Code, "民初"), c.Name
	}
	var obligation string
	if org {
		obligation = fmt.Sprintf(synth.Pick(r, orgObligations), (5+r.IntN(500))*1000+r.IntN(10)*100)
	} else {
		obligation = fmt.Sprintf(synth.Pick(r, personObligations), (1+r.IntN(50))*1000+r.IntN(10)*100)
	}
	performance := "全部未履行"
	if r.IntN(100) < 20 {
		performance = "部分未履行"
	}
	var removed sql.NullTime
	var reason sql.NullString
	if r.IntN(100) < 30 {
		if d := l.decided.AddDate(0, 3+r.IntN(28), r.IntN(28)); !d.After(s.ref) {
			l.removed = d
			removed = sql.NullTime{Time: d, Valid: true}
			reason = sql.NullString{String: synth.Pick(r, removalReasons), Valid: true}
		}
	}
	s.debtors = append(s.debtors, []any{l.caseNo, partyID, c.Name, basisNo, basisUnit, obligation, performance,
		behaviours.Pick(r), l.filed, l.decided, s.published(l.decided), removed, reason})
	return l
}

// restrict orders a consumption restriction in the case of l (against the
// party, and for an organisation against restricted too), issued between
// filing and listing and lifted with the listing, or now and then earlier.
func (s *seeder) restrict(partyID, restricted string, l listing) {
	r := s.r
	decided := between(r, l.filed.AddDate(0, 0, 5), l.decided)
	var lifted sql.NullTime
	switch {
	case !l.removed.IsZero():
		lifted = sql.NullTime{Time: l.removed, Valid: true}
	case r.IntN(100) < 10:
		if d := decided.AddDate(0, 2+r.IntN(20), 0); !d.After(s.ref) {
			lifted = sql.NullTime{Time: d, Valid: true}
		}
	}
	person := sql.NullString{String: restricted, Valid: restricted != ""}
	s.restricts = append(s.restricts, []any{l.caseNo, partyID, person, l.court.Name, decided, s.published(decided), lifted})
}

// falseLitigation lists partyID as a false-litigation dishonest person.
func (s *seeder) falseLitigation(partyID string, c Court, from time.Time) {
	r := s.r
	if from.Before(falseLitigationStart) {
		from = falseLitigationStart
	}
	decided := between(r, from, s.ref)
	var removed sql.NullTime
	if r.IntN(100) < 10 {
		if d := decided.AddDate(1+r.IntN(2), 0, 0); !d.After(s.ref) {
			removed = sql.NullTime{Time: d, Valid: true}
		}
	}
	caseNo := synth.CourtCaseNo(r, decided.Year()-r.IntN(2), c.Code, "民初")
	s.falseLitigs = append(s.falseLitigs, []any{caseNo, partyID, c.Name, synth.Pick(r, falseLitigations),
		decided, s.published(decided), removed})
}

// falseLitigationStart is when the seed's false-litigation entries begin,
// after 最高人民法院关于防范和制裁虚假诉讼的指导意见 (2016) led courts to
// keep such lists.
var falseLitigationStart = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)

// listStart is when the national list of dishonest judgment debtors opened.
var listStart = time.Date(2013, 10, 1, 0, 0, 0, 0, time.UTC)

// Seed fills the court's lists from w. About 40% of troubled entities are
// dishonest debtors, most of them with a consumption restriction binding
// their legal representative; showcases always are and always have such an
// order, and the first entity is also a false-litigation dishonest party.
// Of persons, about 2% of the legal representatives of troubled entities are
// dishonest debtors themselves, and about 5% of the individuals outside the
// registry; the first individual always is, with a consumption restriction
// and a false-litigation entry, so that every seeded world has a person on
// every list.
func Seed(ctx context.Context, db *sqldb.DB, w *world.World) error {
	s := &seeder{r: synth.New(w.Seed, "dept:court"), ref: day(w.RefDate), known: map[string]bool{}}
	r := s.r
	reps := map[string]bool{}
	if err := w.Chunks(world.ChunkSize, func(es []*world.Entity) error {
		for _, e := range es {
			from := day(e.Established)
			if from.Before(listStart) {
				from = listStart
			}
			if e.Profile == world.Troubled {
				switch {
				case e.Showcase || r.IntN(100) < 40:
					id := s.org(e)
					l := s.debtor(id, true, pickCourt(r, e.Division), from)
					if e.Showcase || r.IntN(100) < 70 {
						s.restrict(id, s.person(e.LegalRep), l)
					}
				case r.IntN(100) < 15: // a restriction without a listing
					id := s.org(e)
					l := listing{court: pickCourt(r, e.Division), filed: between(r, from, notBefore(s.ref.AddDate(0, 0, -30), from))}
					l.caseNo = synth.CourtCaseNo(r, l.filed.Year(), l.court.Code, "执")
					l.decided = upTo(l.filed.AddDate(0, 0, 30+r.IntN(60)), s.ref)
					s.restrict(id, s.person(e.LegalRep), l)
				}
				if p := e.LegalRep; !reps[p.IDNo] {
					reps[p.IDNo] = true
					if r.IntN(100) < 2 {
						id := s.person(p)
						l := s.debtor(id, false, pickCourt(r, e.Division), from)
						if r.IntN(2) == 0 {
							s.restrict(id, "", l)
						}
					}
				}
			}
			if e.Index == 0 || (e.Profile == world.Troubled && r.IntN(100) < 2) {
				s.falseLitigation(s.org(e), pickCourt(r, e.Division), from)
			}
		}
		return s.copy(ctx, db)
	}); err != nil {
		return err
	}
	for i, p := range w.Individuals {
		division := p.IDNo[:6]
		if i == 0 || r.IntN(100) < 5 {
			id := s.person(p)
			l := s.debtor(id, false, pickCourt(r, division), listStart)
			if i == 0 || r.IntN(2) == 0 {
				s.restrict(id, "", l)
			}
		}
		if i == 0 || r.IntN(100) < 2 {
			s.falseLitigation(s.person(p), pickCourt(r, division), listStart)
		}
	}

	return s.copy(ctx, db)
}

// copy copies the rows accumulated so far, parties first (the other
// tables refer to them), and forgets them.
func (s *seeder) copy(ctx context.Context, db *sqldb.DB) error {
	if err := sqldb.CopyRows(ctx, db, []sqldb.Rows{
		{Table: "party", Cols: []string{"party_id_no", "party_type", "name", "legal_rep_name"}, Values: s.parties},
		{Table: "dishonest_debtor", Cols: []string{"case_no", "party_id_no", "court_name", "enforcement_basis_no", "basis_unit",
			"obligation", "performance", "behaviour", "filed_on", "decided_on", "published_on", "removed_on",
			"removal_reason"}, Values: s.debtors},
		{Table: "consumption_restriction", Cols: []string{"case_no", "party_id_no", "restricted_person_id_no", "court_name",
			"decided_on", "published_on", "lifted_on"}, Values: s.restricts},
		{Table: "false_litigation", Cols: []string{"case_no", "party_id_no", "court_name", "description", "decided_on",
			"published_on", "removed_on"}, Values: s.falseLitigs},
	}); err != nil {
		return err
	}
	s.parties, s.debtors, s.restricts, s.falseLitigs = nil, nil, nil, nil
	return nil
}
