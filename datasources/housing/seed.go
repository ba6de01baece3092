package housing

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
	"credithub/internal/ident"
	"credithub/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Setup creates and seeds dept_housing in the local set-up.
var Setup = datasources.Setup{
	Name:       datasources.Housing,
	Database:   "dept_housing",
	Migrations: sqldb.MigrationsFS(migrationFiles, "migrations"),
	Seed:       Seed,
	Probe:      "qualification_cert",
}

// qualificationKinds are the qualifications of the city's builders with the
// level of the authority that grants them (2 the province, 3 the city).
var qualificationKinds = []struct {
	name  string
	level int
}{
	{"建筑工程施工总承包三级", 3}, {"建筑工程施工总承包二级", 2},
	{"市政公用工程施工总承包三级", 3}, {"市政公用工程施工总承包二级", 2},
	{"建筑装修装饰工程专业承包二级", 2}, {"地基基础工程专业承包三级", 3},
	{"钢结构工程专业承包三级", 3}, {"建筑机电安装工程专业承包三级", 3},
	{"环保工程专业承包三级", 3}, {"施工劳务不分等级", 3},
}

var safetyCauses = []string{"高处坠落", "高处坠落", "物体打击", "坍塌", "起重伤害", "机械伤害", "触电", "车辆伤害"}

var qualityDefects = []string{"混凝土结构质量缺陷", "地基不均匀沉降", "砌体结构开裂", "屋面渗漏"}

// conducts are the bad-conduct codes of construction companies after the
// national standard, worded briefly.
var conducts = []struct{ code, text string }{
	{"A1-1", "超越本单位资质等级承揽工程"},
	{"A1-2", "以欺骗手段取得资质证书承揽工程"},
	{"A1-3", "允许其他单位或个人以本单位名义承揽工程"},
	{"A1-4", "未在规定期限内办理资质变更手续"},
	{"A1-5", "涂改、伪造、出借、转让建筑业企业资质证书"},
	{"A2-1", "以行贿等不正当手段承揽业务"},
	{"A2-2", "相互串通投标或与招标人串通投标"},
	{"A2-3", "以他人名义投标或以其他方式弄虚作假骗取中标"},
	{"A2-4", "不按照与招标人订立的合同履行义务，情节严重"},
	{"A2-5", "将承包的工程转包或违法分包"},
	{"A3-1", "偷工减料，使用不合格的建筑材料、建筑构配件和设备"},
	{"A3-2", "未按照节能设计进行施工"},
	{"A3-3", "未对建筑材料、建筑构配件和商品混凝土进行检验"},
	{"A3-5", "不履行保修义务或者拖延履行保修义务"},
	{"A4-1", "对生产安全事故隐瞒不报、谎报或者拖延不报"},
	{"A4-2", "对建筑安全事故隐患不采取措施予以消除"},
	{"A4-3", "分部分项工程施工时无专职安全生产管理人员现场监督"},
	{"A4-4", "作业人员未经安全教育培训即从事相关工作"},
	{"A5-1", "恶意拖欠或克扣劳动者工资"},
}

// ordinaryDeaths: an ordinary accident kills fewer than three (art. 3).
var ordinaryDeaths = synth.NewWeighted([]synth.Choice[int]{{Value: 0, Weight: 50}, {Value: 1, Weight: 35}, {Value: 2, Weight: 15}})

var estates = []string{"锦河", "龙江", "兴安", "江畔", "北疆", "金河", "阳光", "幸福", "滨江", "瑷珲", "中央街", "王肃"}

// projectName returns a plausible building project in the entity's division.
func projectName(r *rand.Rand, division string) string {
	place, ok := ident.DivisionName(division)
	if !ok || division == "231199" {
		place = "黑河市"
	}
	estate := synth.Pick(r, estates)
	switch r.IntN(5) {
	case 0:
		return fmt.Sprintf("%s%s路道路改造工程", place, estate)
	case 1:
		return fmt.Sprintf("%s第%d中学教学楼工程", place, 1+r.IntN(12))
	case 2:
		return fmt.Sprintf("%s棚户区改造项目%d标段", place, 1+r.IntN(5))
	default:
		return fmt.Sprintf("%s%s%s%d号楼工程", place, estate, synth.Pick(r, []string{"小区", "家园", "花园", "苑"}), 1+r.IntN(20))
	}
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

// publishedOn is when a decision went online: usually within the 7 working
// days T26 requires, sometimes late, now and then never; never after ref.
func publishedOn(r *rand.Rand, decided, ref time.Time) sql.NullTime {
	var d time.Time
	switch p := r.IntN(100); {
	case p < 3:
		return sql.NullTime{}
	case p < 13:
		d = decided.AddDate(0, 0, 10+r.IntN(30))
	default:
		d = decided.AddDate(0, 0, 1+r.IntN(8))
	}
	if d.After(ref) {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: d, Valid: true}
}

func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// Seed fills the bureau's registers for the construction entities of w.
// Individual businesses get no qualification (the law grants them to
// enterprises), but may have accidents and bad conduct on their sites.
//
// It goes a chunk of entities at a time (world.ChunkSize), so that memory
// holds one chunk's rows whatever the world's size; every table gets its
// rows in the same order as if copied at once.
func Seed(ctx context.Context, db *sqldb.DB, w *world.World) error {
	records := &recordSeeder{r: synth.New(w.Seed, "dept:housing"), ref: day(w.RefDate), certNos: map[int]bool{}}
	decisions := &decisionSeeder{r: synth.New(w.Seed, "dept:housing:decisions"), ref: day(w.RefDate), once: synth.Firsts{}}
	return w.Chunks(world.ChunkSize, func(es []*world.Entity) error {
		if err := records.seed(ctx, db, es); err != nil {
			return err
		}
		return decisions.seed(ctx, db, es)
	})
}

// recordSeeder draws the registers from the stream "dept:housing", chunk
// after chunk; certNos are the certificate numbers given (level, number).
type recordSeeder struct {
	r       *rand.Rand
	ref     time.Time
	certNos map[int]bool
}

func (s *recordSeeder) seed(ctx context.Context, db *sqldb.DB, es []*world.Entity) error {
	r, ref, certNos := s.r, s.ref, s.certNos
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	var quals, accidents, conductRows [][]any
	newCertNo := func(level int) string {
		for {
			n := r.IntN(1e6)
			if key := level*1e6 + n; !certNos[key] {
				certNos[key] = true
				return fmt.Sprintf("D%d23%06d", level, n)
			}
		}
	}
	for _, e := range es {
		if !e.Construction {
			continue
		}
		from := day(e.Established)
		if from.Before(start) {
			from = start
		}

		if e.Category == ident.CategoryEnterprise {
			n := 1
			switch p := r.IntN(100); {
			case p < 10:
				n = 3
			case p < 40:
				n = 2
			}
			certs := map[int]string{} // one certificate per issuing level
			for i, k := range r.Perm(len(qualificationKinds))[:n] {
				q := qualificationKinds[k]
				if certs[q.level] == "" {
					certs[q.level] = newCertNo(q.level)
				}
				earliest := day(e.Established)
				if lim := ref.AddDate(-10, 0, 0); earliest.Before(lim) {
					earliest = lim
				}
				if e.Showcase && i == 0 { // a certificate in force
					if lim := ref.AddDate(-4, 0, 0); earliest.Before(lim) {
						earliest = lim
					}
				}
				issued := between(r, earliest, ref)
				until := issued.AddDate(5, 0, 0)
				status := "有效"
				switch {
				case until.Before(ref):
					status = "注销"
				case e.Profile == world.Troubled && !(e.Showcase && i == 0) && r.IntN(100) < 5:
					status = "撤回"
				}
				authority, abbrev := Authority, "许"
				if q.level == 2 {
					authority, abbrev = ProvinceAuthority, "审"
				}
				var approval sql.NullString
				if r.IntN(100) < 85 {
					approval = nullable(synth.DecisionNo(r, "黑建", issued.Year(), abbrev))
				}
				quals = append(quals, []any{e.USCC, e.Name, certs[q.level], q.name, approval, issued, until,
					authority, publishedOn(r, issued, ref), status})
			}
		}

		nAcc := 0
		switch {
		case e.Showcase:
			nAcc = 1
		case e.Profile == world.Troubled && r.IntN(100) < 25:
			nAcc = 1
			if r.IntN(100) < 15 {
				nAcc = 2
			}
		case e.Profile == world.Ordinary && r.IntN(100) < 2:
			nAcc = 1
		}
		for range nAcc {
			delay := 30 + r.IntN(120) // investigation and decision
			occurred := between(r, from, notBefore(ref.AddDate(0, 0, -delay), from))
			decided := occurred.AddDate(0, 0, delay)
			if decided.After(ref) {
				decided = ref
			}
			level, category, cause := 1, "安全事故", synth.Pick(r, safetyCauses)
			if r.IntN(100) < 15 {
				category, cause = "质量事故", synth.Pick(r, qualityDefects)
			}
			var deaths, injuries, lossYuan int // whole yuan, written below in 万元
			switch {
			case category == "质量事故":
				lossYuan = (10 + r.IntN(2000)) * 1000
			case r.IntN(100) < 8:
				level = 2
				deaths, injuries = 3+r.IntN(3), r.IntN(13)
				lossYuan = (800 + r.IntN(4000)) * 10000
			default:
				deaths = ordinaryDeaths.Pick(r)
				injuries = r.IntN(6)
				lossYuan = 50000 + r.IntN(3000000)
			}
			accidents = append(accidents, []any{e.USCC, e.Name, projectName(r, e.Division), category, cause,
				occurred, level, deaths, injuries, fmt.Sprintf("%d.%04d", lossYuan/10000, lossYuan%10000),
				synth.DecisionNo(r, "黑建", decided.Year(), "罚"), decided, Authority, publishedOn(r, decided, ref)})
		}

		nBad := 0
		switch {
		case e.Showcase:
			nBad = 1 + r.IntN(2)
		case e.Profile == world.Troubled && r.IntN(100) < 60:
			nBad = 1 + r.IntN(3)
		case e.Profile == world.Ordinary && r.IntN(100) < 8:
			nBad = 1
		}
		for range nBad {
			c := synth.Pick(r, conducts)
			decided := between(r, from, ref)
			months := synth.Pick(r, []int{6, 12})
			if SeriousConduct[c.code] {
				months = synth.Pick(r, []int{12, 24, 36})
			}
			until := decided.AddDate(0, months, 0)
			state := "公布中"
			if until.Before(ref) {
				state = "期满撤下"
			}
			var project sql.NullString
			if r.IntN(100) < 80 {
				project = nullable(projectName(r, e.Division))
			}
			conductRows = append(conductRows, []any{e.USCC, e.Name, c.code, c.text, project,
				synth.DecisionNo(r, "黑建", decided.Year(), "罚"), decided, Authority,
				publishedOn(r, decided, ref), until, state})
		}
	}

	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"qualification_cert", []string{"social_credit_no", "enterprise_name", "cert_no", "qual_name", "approval_no",
			"issued_on", "valid_until", "issuing_authority", "published_on", "status"}, quals},
		{"quality_safety_accident", []string{"social_credit_no", "enterprise_name", "project_name", "category",
			"accident_type", "occurred_on", "accident_level", "deaths", "injuries", "direct_loss_wan", "decision_no",
			"decided_on", "authority", "published_on"}, accidents},
		{"bad_conduct", []string{"social_credit_no", "enterprise_name", "conduct_code", "conduct", "project_name",
			"decision_no", "decided_on", "authority", "published_on", "publish_until", "state"}, conductRows},
	} {
		if err := copyRows(ctx, db, t.table, t.cols, t.rows); err != nil {
			return err
		}
	}
	return nil
}

// copyRows bulk-loads rows into table.
func copyRows(ctx context.Context, db *sqldb.DB, table string, cols []string, rows [][]any) error {
	_, err := sqldb.CopyIn(ctx, db, table, cols, func(put func(...any) error) error {
		for _, row := range rows {
			if err := put(row...); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// subsidies are the funds the bureau grants enterprises from, with the
// kind of project each is for.
var subsidies = []struct{ name, project string }{
	{"保障性安居工程补助资金", "%s棚户区改造项目"},
	{"建筑节能与绿色建筑补助资金", "%s超低能耗建筑示范项目"},
	{"城镇老旧小区改造补助资金", "%s小区老旧小区改造工程"},
}

// expropriations are the city's expropriation projects.
var expropriations = []string{"%s棚户区改造项目", "%s路道路拓宽工程", "%s旧城改造片区项目"}

// seedDecisions fills the bureau's other decisions of T26 from a stream of
// their own ("dept:housing:decisions"), so that its other registers stay
// as they were: the construction enterprises' completion and fire
// acceptance filings, the infrastructure fees assessed on their projects
// and the subsidies granted them (every showcase enterprise has one of
// each, in force), and the compensation of entities whose premises were
// expropriated, of any trade. Some filings are revoked, some fees
// outstanding or annulled, some subsidies waiting or recovered, some
// compensation decisions annulled.
func (s *decisionSeeder) seed(ctx context.Context, db *sqldb.DB, es []*world.Entity) error {
	r, ref, once := s.r, s.ref, s.once
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	var filings, fees, grants, compensations [][]any
	for _, e := range es {
		from := notBefore(day(e.Established), start)
		place, ok := ident.DivisionName(e.Division)
		if !ok || e.Division == "231199" {
			place = "黑河市"
		}
		keep := e.Showcase // showcase rows stay in force
		if e.Construction && e.Category == ident.CategoryEnterprise {
			n := 0
			switch {
			case e.Showcase:
				n = 1 + r.IntN(2)
			case r.IntN(100) < 60:
				n = 1 + r.IntN(3)
			}
			for range n {
				d := between(r, from, ref)
				kind, code := "竣工验收备案", "JB"
				if r.IntN(100) < 25 {
					kind, code = "消防验收备案", "XF"
				}
				s.serial++
				status := "有效"
				if !keep && (once.First("filing revoked") || r.IntN(100) < 2) {
					status = "撤销"
				}
				filings = append(filings, []any{e.USCC, e.Name, kind, fmt.Sprintf("231100-%d-%s-%05d", d.Year(), code, s.serial),
					projectName(r, e.Division), d, Authority, publishedOn(r, d, ref), status})
			}
			if e.Showcase || r.IntN(100) < 25 {
				d := between(r, from, ref)
				area := 800 + r.IntN(29200)
				rate := 90 + r.IntN(61) // yuan per square metre
				status, paid := "已缴清", sql.NullTime{}
				switch p := r.IntN(100); {
				case !keep && once.First("fee annulled"):
					status = "撤销"
				case !keep && (once.First("fee outstanding") || p < 12):
					status = "未缴清"
				case p < 15 && !keep:
					status = "撤销"
				default:
					if pd := d.AddDate(0, 0, 10+r.IntN(50)); !pd.After(ref) {
						paid = sql.NullTime{Time: pd, Valid: true}
					} else {
						status = "未缴清"
					}
				}
				fee := area * rate // yuan, written in 万元
				fees = append(fees, []any{e.USCC, e.Name, synth.DecisionNo(r, "黑建", d.Year(), "配费"), projectName(r, e.Division),
					fmt.Sprintf("%d.00", area), fmt.Sprintf("%d.%04d", fee/10000, fee%10000), d, paid, Authority,
					publishedOn(r, d, ref), status})
			}
			// The first enterprise (not a showcase) waits for its subsidy,
			// the second had one recovered; the rest now and then one.
			waiting := !keep && once.First("subsidy waiting")
			recovered := !keep && !waiting && once.First("subsidy recovered")
			if e.Showcase || waiting || recovered || r.IntN(100) < 10 {
				sub := synth.Pick(r, subsidies)
				d := between(r, from, ref)
				switch {
				case waiting:
					d = between(r, ref.AddDate(0, 0, -10), ref) // granted, not yet paid
				case recovered:
					d = between(r, from, notBefore(ref.AddDate(0, 0, -120), from))
				}
				status, paid := "已拨付", sql.NullTime{}
				if pd := d.AddDate(0, 0, 15+r.IntN(60)); !pd.After(ref) {
					paid = sql.NullTime{Time: pd, Valid: true}
				} else {
					status = "待拨付"
				}
				if !keep && paid.Valid && (recovered || r.IntN(100) < 3) {
					status = "收回"
				}
				grants = append(grants, []any{e.USCC, e.Name, sub.name, fmt.Sprintf(sub.project, place+synth.Pick(r, estates)),
					synth.DecisionNo(r, "黑建", d.Year(), "发"), wanAmount(10 + r.IntN(490)), d, paid, Authority,
					publishedOn(r, d, ref), status})
			}
		}
		if e.Index == 2 || (!e.Showcase && r.IntN(1000) < 15) {
			d := between(r, from, ref)
			no, authority := synth.DecisionNo(r, "黑河征补协", d.Year(), "字"), Authority
			annul := !keep && once.First("compensation annulled")
			decision := annul || r.IntN(100) < 10
			if decision {
				no, authority = synth.DecisionNo(r, "黑政征补决", d.Year(), "字"), "黑河市人民政府"
			}
			form, amount := "货币补偿", sql.NullString{String: wanAmount(20 + r.IntN(780)), Valid: true}
			if r.IntN(100) < 20 {
				form, amount = "产权调换", sql.NullString{}
			}
			status := "有效"
			if annul || (decision && !keep && r.IntN(100) < 20) {
				status = "撤销"
			}
			var announced sql.NullTime
			if a := d.AddDate(0, 0, 3+r.IntN(12)); !a.After(ref) {
				announced = sql.NullTime{Time: a, Valid: true}
			}
			compensations = append(compensations, []any{e.USCC, e.Name,
				fmt.Sprintf(synth.Pick(r, expropriations), place+synth.Pick(r, estates)), no, form, amount, d, authority, announced, status})
		}
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"completion_filing", []string{"social_credit_no", "enterprise_name", "filing_type", "filing_no", "project_name",
			"filed_on", "authority", "published_on", "status"}, filings},
		{"infrastructure_fee", []string{"social_credit_no", "enterprise_name", "notice_no", "project_name", "floor_area_m2",
			"fee_wan", "assessed_on", "paid_on", "authority", "published_on", "status"}, fees},
		{"housing_subsidy", []string{"social_credit_no", "enterprise_name", "subsidy_type", "project_name", "grant_no",
			"amount_wan", "granted_on", "paid_on", "authority", "published_on", "status"}, grants},
		{"expropriation_compensation", []string{"social_credit_no", "enterprise_name", "project_name", "decision_no", "form",
			"amount_wan", "decided_on", "authority", "announced_on", "status"}, compensations},
	} {
		if err := copyRows(ctx, db, t.table, t.cols, t.rows); err != nil {
			return err
		}
	}
	return nil
}

// decisionSeeder draws the other decisions from their stream, chunk after
// chunk; serial numbers the filings across chunks.
type decisionSeeder struct {
	r      *rand.Rand
	ref    time.Time
	once   synth.Firsts
	serial int
}

// wanAmount writes a whole number of 万元 with the bureau's four decimals.
func wanAmount(wan int) string { return fmt.Sprintf("%d.0000", wan) }
