package environment

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"credithub/datasources"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/ident"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Setup creates and seeds dept_environment in the local set-up.
var Setup = datasources.Setup{
	Name:       datasources.Environment,
	Database:   "dept_environment",
	Migrations: sqldb.MigrationsFS(migrationFiles, "migrations"),
	Seed:       Seed,
	Probe:      "hb_pwxk",
}

// The years that shape the keys and numbers of the bureau's rows.
const (
	// unifiedYear is the first year the bureau filed new rows under the
	// unified code; until transitionEnd it kept filling in both keys.
	unifiedYear   = 2016
	transitionEnd = 2018
	// nationalPermitYear is when the national permit platform took over and
	// permit numbers became the holder's code + serial + P.
	nationalPermitYear = 2017
	// The environmental credit evaluation covers these years.
	firstRatingYear = 2019
	lastRatingYear  = 2025
)

// orgKeyed reports whether the bureau can have filed e under its organisation
// code: individual businesses never had one, and a code failing GB 11714 was
// never issued.
func orgKeyed(e *world.Entity) bool {
	return e.Category != ident.CategoryIndividualBusiness && ident.ValidateOrgCode(e.OrgCode) == nil
}

// keys returns the key columns a record of e decided on day d is filed under.
func keys(e *world.Entity, d time.Time) (uscc, orgCode sql.NullString) {
	switch {
	case !orgKeyed(e):
		return nullable(e.USCC), sql.NullString{}
	case e.LegacyKeys || d.Year() < unifiedYear:
		return sql.NullString{}, nullable(e.OrgCode)
	case d.Year() < transitionEnd:
		return nullable(e.USCC), nullable(e.OrgCode)
	}
	return nullable(e.USCC), sql.NullString{}
}

// since is the first day the bureau may have decided anything about e.
func since(e *world.Entity) time.Time {
	start := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	if !orgKeyed(e) {
		start = time.Date(unifiedYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if e.Established.After(start) {
		return e.Established
	}
	return start
}

func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// day formats a seed day (midnight UTC of the civil date, as synth.Date
// returns it) for a date column.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// publishedOn is when a decision went online: usually within the 7 working
// days T26 requires, sometimes late, now and then never; a day after ref
// (the world's present) has not come yet, so the decision is unpublished.
func publishedOn(r *rand.Rand, decided, ref time.Time) sql.NullString {
	var on time.Time
	switch p := r.IntN(100); {
	case p < 3:
		return sql.NullString{}
	case p < 15:
		on = decided.AddDate(0, 0, 10+r.IntN(30))
	default:
		on = decided.AddDate(0, 0, 1+r.IntN(8))
	}
	if on.After(ref) {
		return sql.NullString{}
	}
	return nullable(day(on))
}

// pollutants lists the main pollutants by the holder's industry section.
var pollutants = map[string][]string{
	"B": {"颗粒物", "化学需氧量", "氨氮", "总砷", "总铅"},
	"C": {"化学需氧量", "氨氮", "总磷", "总氮", "颗粒物", "二氧化硫", "氮氧化物"},
	"D": {"二氧化硫", "氮氧化物", "颗粒物", "汞及其化合物", "林格曼黑度"},
	"":  {"颗粒物", "挥发性有机物", "化学需氧量", "氨氮", "二氧化硫", "氮氧化物"},
}

// violations are the bureau's usual offences; from is the first year the
// provision applied.
var violations = []struct {
	violation, basis string
	from             int
}{
	{"超过大气污染物排放标准排放大气污染物", "《中华人民共和国大气污染防治法》第九十九条第二项", 2016},
	{"污染防治设施未正常运行", "《中华人民共和国大气污染防治法》第九十九条第三项", 2016},
	{"超过水污染物排放标准排放水污染物", "《中华人民共和国水污染防治法》第八十三条第二项", 2008},
	{"通过暗管、渗井等逃避监管的方式排放水污染物", "《中华人民共和国水污染防治法》第八十三条第三项", 2008},
	{"未采取防燃、防尘措施贮存煤炭、煤矸石等易产生扬尘的物料", "《中华人民共和国大气污染防治法》第一百一十七条第一项", 2016},
	{"建设项目未依法报批环境影响评价文件擅自开工建设", "《中华人民共和国环境影响评价法》第三十一条第一款", 2003},
	{"危险废物贮存不符合国家规定", "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第六项", 2020},
	{"未依法取得排污许可证排放污染物", "《排污许可管理条例》第三十三条第一项", 2021},
	{"未按照排污许可证规定开展自行监测", "《排污许可管理条例》第三十六条第六项", 2021},
	{"未按照排污许可证规定提交执行报告", "《排污许可管理条例》第三十七条第一项", 2021},
}

func pickViolation(r *rand.Rand, year int) (violation, basis string) {
	for {
		v := synth.Pick(r, violations)
		if v.from <= year {
			return v.violation, v.basis
		}
	}
}

// hundredths formats an amount given in hundredths of its unit: 35 → "0.35".
func hundredths(h int) string { return fmt.Sprintf("%d.%02d", h/100, h%100) }

// fineWan draws a fine in 万元: mostly a few thousand to two hundred
// thousand yuan, now and then up to a million.
func fineWan(r *rand.Rand) string {
	switch p := r.IntN(100); {
	case p < 30:
		return hundredths((2 + r.IntN(59)) * 5) // 0.10–3.00
	case p < 85:
		return hundredths((6 + r.IntN(35)) * 50) // 3.0–20.0
	default:
		return hundredths((20 + r.IntN(81)) * 100) // 20–100
	}
}

// levelWeights draws an evaluation level by profile, in the order of
// credit.EnvLevels (green, blue, yellow, red).
var levelWeights = map[world.Profile]*synth.Weighted[string]{
	world.Clean:    levels(35, 60, 5, 0),
	world.Ordinary: levels(15, 65, 17, 3),
	world.Troubled: levels(3, 30, 42, 25),
}

// levelWords are the Chinese level words in the order of credit.EnvLevels.
var levelWords = []string{"环保诚信企业", "环保良好企业", "环保警示企业", "环保不良企业"}

func levels(weights ...int) *synth.Weighted[string] {
	var cs []synth.Choice[string]
	for i, w := range weights {
		cs = append(cs, synth.Choice[string]{Value: levelWords[i], Weight: w})
	}
	return synth.NewWeighted(cs)
}

type permit struct {
	uscc, orgCode              sql.NullString
	name, industry, no, class  string
	pollutants                 string
	issued, validFrom, validTo time.Time
	published                  sql.NullString
	status                     string
}

type penalty struct {
	uscc, orgCode          sql.NullString
	name, decNo, violation string
	basis, kinds           string
	fine, confiscated      sql.NullString
	decided                time.Time
	published              sql.NullString
	status                 string
}

type rating struct {
	uscc, orgCode  sql.NullString
	name, industry string
	year           int
	level          string
	decided        time.Time
	announcement   string
	published      sql.NullString
}

// Seed fills the bureau's records from w: permits, penalties and yearly
// evaluations of the polluting entities.
func Seed(ctx context.Context, db *sqldb.DB, w *world.World) error {
	r := synth.New(w.Seed, "dept:environment")

	var announcements []announcement
	for y := firstRatingYear; y <= lastRatingYear; y++ {
		decided := synth.Date(r, time.Date(y+1, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 6, 30, 0, 0, 0, 0, time.UTC))
		announcements = append(announcements, announcement{decided, synth.DecisionNo(r, "黑环", y+1, "发")})
	}

	decisions := &decisionSeeder{r: synth.New(w.Seed, "dept:environment:decisions"), ref: w.RefDate, once: synth.Firsts{}}
	return w.Chunks(world.ChunkSize, func(es []*world.Entity) error {
		if err := seedRecords(ctx, db, r, announcements, w.RefDate, es); err != nil {
			return err
		}
		return decisions.seed(ctx, db, es)
	})
}

// announcement is the notice of one evaluation year: each year is decided
// on one day and announced in one notice.
type announcement struct {
	decided time.Time
	no      string
}

// seedRecords copies the permits, penalties and evaluations of es, drawn
// from r (the stream "dept:environment", which goes on from chunk to
// chunk).
func seedRecords(ctx context.Context, db *sqldb.DB, r *rand.Rand, announcements []announcement, ref time.Time, es []*world.Entity) error {
	var (
		permits   []permit
		penalties []penalty
		ratings   []rating
	)
	for _, e := range es {
		if !e.Polluter {
			continue
		}
		from := since(e)
		kinds := pollutants[e.IndustryCode]
		if kinds == nil {
			kinds = pollutants[""]
		}

		// Permits: most polluters hold one, renewed before it runs out.
		if e.Showcase || r.IntN(100) < 80 {
			class := "简化管理"
			if e.Showcase || e.IndustryCode == "D" || e.IndustryCode == "B" || r.IntN(100) < 40 {
				class = "重点管理"
			}
			serial := 0
			for d := world.Date(r, from); ; {
				u, o := keys(e, d)
				var no string
				if d.Year() < nationalPermitYear {
					no = synth.DecisionNo(r, "黑环", d.Year(), "排许字")
				} else {
					serial++
					no = fmt.Sprintf("%s%03dP", e.USCC, serial)
				}
				validTo := d.AddDate(5, 0, -1)
				status := "有效"
				if validTo.Before(ref) {
					status = "过期"
				}
				var ps []string
				for _, i := range r.Perm(len(kinds))[:2+r.IntN(3)] {
					ps = append(ps, kinds[i])
				}
				permits = append(permits, permit{u, o, e.Name, e.Industry, no, class, strings.Join(ps, ","),
					d, d, validTo, publishedOn(r, d, ref), status})
				next := validTo.AddDate(0, 0, -20-r.IntN(40))
				if next.After(ref) || r.IntN(100) >= 85 {
					break
				}
				d = next
			}
			last := &permits[len(permits)-1]
			switch {
			case e.Status != "存续" && last.status == "有效":
				last.status = "注销"
			case r.IntN(100) < 1:
				last.status = "撤销"
			}
		}

		// Penalties, remembering the worst standing one of each year for the
		// evaluation.
		nPen := 0
		switch e.Profile {
		case world.Clean:
			if r.IntN(100) < 3 {
				nPen = 1
			}
		case world.Ordinary:
			if r.IntN(100) < 12 {
				nPen = 1
			}
		case world.Troubled:
			nPen = 1 + r.IntN(3)
		}
		if e.Showcase && nPen == 0 {
			nPen = 1
		}
		worst := map[int]credit.Severity{}
		for i := 0; i < nPen; i++ {
			d := world.Date(r, from)
			u, o := keys(e, d)
			violation, basis := pickViolation(r, d.Year())
			var types []string
			var fine, confiscated sql.NullString
			switch p := r.IntN(100); {
			case p < 8:
				types = []string{"警告"}
			case p < 83:
				types = []string{"罚款"}
				fine = nullable(fineWan(r))
			case p < 90:
				types = []string{"罚款", "没收违法所得"}
				fine = nullable(fineWan(r))
				confiscated = nullable(hundredths(10 + r.IntN(491)))
			case p < 96:
				types = []string{"罚款", "责令停产整治"}
				fine = nullable(fineWan(r))
			case p < 99:
				types = []string{"罚款", "吊销排污许可证"}
				fine = nullable(fineWan(r))
			default:
				types = []string{"罚款", "责令关闭"}
				fine = nullable(fineWan(r))
			}
			status := "有效"
			if r.IntN(100) < 1 {
				status = "撤销"
			} else {
				var yuan *scalars.Decimal
				if fine.Valid {
					y, err := scalars.WanToYuan(fine.String)
					if err != nil {
						return err
					}
					yuan = &y
				}
				if s := credit.PenaltySeverity(types, yuan); rank(s) > rank(worst[d.Year()]) {
					worst[d.Year()] = s
				}
			}
			penalties = append(penalties, penalty{u, o, e.Name, synth.DecisionNo(r, "黑环", d.Year(), "罚"),
				violation, basis, strings.Join(types, ","), fine, confiscated, d, publishedOn(r, d, ref), status})
		}

		// Evaluations: the key polluters are evaluated every year; a year
		// with a penalty caps the level at yellow, a serious one makes it red.
		if e.Showcase || r.IntN(100) < 45 {
			first := max(firstRatingYear, e.Established.Year())
			if e.Showcase {
				first = min(first, lastRatingYear)
			}
			for y := first; y <= lastRatingYear; y++ {
				if !e.Showcase && r.IntN(100) >= 85 {
					continue
				}
				level := levelWeights[e.Profile].Pick(r)
				switch s, penalised := worst[y]; {
				case penalised && s == credit.Serious:
					level = levelWords[3]
				case penalised && (level == levelWords[0] || level == levelWords[1]):
					level = levelWords[2]
				}
				a := announcements[y-firstRatingYear]
				u, o := keys(e, a.decided)
				ratings = append(ratings, rating{u, o, e.Name, e.Industry, y, level, a.decided, a.no,
					publishedOn(r, a.decided, ref)})
			}
		}
	}

	if _, err := sqldb.CopyIn(ctx, db, "hb_pwxk",
		[]string{"tyshxydm", "zzjgdm", "dwmc", "hylb", "xkzbh", "gllb", "zywrw", "fzrq", "yxqq", "yxqz", "fzjg", "gsrq", "zt"},
		func(put func(...any) error) error {
			for _, p := range permits {
				if err := put(p.uscc, p.orgCode, p.name, nullable(p.industry), p.no, p.class, p.pollutants,
					day(p.issued), day(p.validFrom), day(p.validTo), Authority, p.published, p.status); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	if _, err := sqldb.CopyIn(ctx, db, "hb_xzcf",
		[]string{"tyshxydm", "zzjgdm", "dwmc", "cfjdswh", "wfxw", "cfyj", "cflb", "fkje_wy", "mswfsdje_wy", "cfrq", "cfjg", "gsrq", "zt"},
		func(put func(...any) error) error {
			for _, p := range penalties {
				if err := put(p.uscc, p.orgCode, p.name, p.decNo, p.violation, p.basis, p.kinds, p.fine, p.confiscated,
					day(p.decided), Authority, p.published, p.status); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	if _, err := sqldb.CopyIn(ctx, db, "hb_xypj",
		[]string{"tyshxydm", "zzjgdm", "dwmc", "hylb", "pjnd", "pjdj", "pjrq", "pjjg", "ggwh", "gsrq"},
		func(put func(...any) error) error {
			for _, g := range ratings {
				if err := put(g.uscc, g.orgCode, g.name, nullable(g.industry), g.year, g.level, day(g.decided),
					Authority, g.announcement, g.published); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	return nil
}

// rank orders severities; the zero Severity (no penalty) ranks lowest.
func rank(s credit.Severity) int {
	switch s {
	case credit.Minor:
		return 1
	case credit.General:
		return 2
	case credit.Serious:
		return 3
	}
	return 0
}

// coercions are the bureau's coercive measures and its enforcement by a
// third party, with what they are taken on.
var coercions = []struct {
	kind    string
	objects []string
}{
	{"查封", []string{"超标排放的燃煤锅炉一台", "未正常运行的污水处理设施", "未依法报批环评擅自建设的生产线", "设置旁路偷排的脱硫除尘设施"}},
	{"扣押", []string{"非法转移的废矿物油约%d吨", "用于暗管排污的水泵及管道"}},
	{"代履行", []string{"清运违法堆存的一般工业固体废物约%d吨", "拆除违法设置的排污暗管"}},
}

// coercionBasis is the provision a measure rests on.
var coercionBasis = map[string]string{
	"查封":  "《中华人民共和国环境保护法》第二十五条；《环境保护主管部门实施查封、扣押办法》",
	"扣押":  "《中华人民共和国环境保护法》第二十五条；《环境保护主管部门实施查封、扣押办法》",
	"代履行": "《中华人民共和国行政强制法》第五十条",
}

// feeItems are the pollutant discharge fee items of the 2003 regulation.
var feeItems = []string{"污水排污费", "废气排污费", "固体废物排污费", "噪声超标排污费"}

// lastLevyDay is the last day the bureau assessed the fee: from 2018 the
// tax office collects the environmental protection tax.
var lastLevyDay = time.Date(2017, 12, 31, 0, 0, 0, 0, time.UTC)

// envRewards are the bureau's honours; the provincial one is the
// provincial department's.
var envRewards = []struct {
	title, level, authority, forms, prizeWan, reason string
}{
	{"黑河市环境保护先进单位", "市级", Authority, "荣誉称号", "", "污染防治设施运行稳定，连续三年达标排放"},
	{"黑河市清洁生产先进企业", "市级", Authority, "荣誉称号,奖金", "5.000000", "完成清洁生产审核，单位产品能耗和排污量明显下降"},
	{"黑龙江省环境友好企业", "省级", ProvinceAuthority, "荣誉称号，通报表扬", "", "环境管理规范，主动公开环境信息"},
}

// seedDecisions fills the bureau's other decisions of T26 from a stream
// of their own ("dept:environment:decisions"), so that the rows of its
// other tables stay as they were: seal-ups and seizures of troubled
// polluters (most lifted) and performance at their cost; the discharge
// fees assessed until 2017 (mostly paid, some outstanding); rewards of
// polluters in good standing and of the even showcase entities (which
// are dishonest too). Every showcase polluter has a coercion and a reward,
// and a fee when it existed before 2018.
// decisionSeeder draws the other decisions from their stream, chunk after
// chunk.
type decisionSeeder struct {
	r    *rand.Rand
	ref  time.Time
	once synth.Firsts
}

func (s *decisionSeeder) seed(ctx context.Context, db *sqldb.DB, es []*world.Entity) error {
	r, ref, once := s.r, s.ref, s.once
	var qz, zs, jl [][]any
	newEnvLaw := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, e := range es {
		if !e.Polluter {
			continue
		}
		from := since(e)

		nQz := 0
		switch {
		case e.Showcase:
			nQz = 1
		case e.Profile == world.Troubled && r.IntN(100) < 25:
			nQz = 1
		case e.Profile == world.Ordinary && r.IntN(100) < 2:
			nQz = 1
		}
		for range nQz {
			c := synth.Pick(r, coercions)
			object := synth.Pick(r, c.objects)
			if strings.Contains(object, "%d") {
				object = fmt.Sprintf(object, 1+r.IntN(40))
			}
			d := world.Date(r, notBefore(from, newEnvLaw))
			status, lifted := "实施中", sql.NullString{}
			switch {
			case c.kind == PerformanceByProxy && r.IntN(100) < 70:
				status = "执行完毕"
			case c.kind == PerformanceByProxy:
			case !e.Showcase && (once.First("coercion revoked") || r.IntN(100) < 3):
				status = "撤销"
			default:
				if l := d.AddDate(0, 0, 15+r.IntN(45)); !l.After(ref) {
					status, lifted = "已解除", nullable(day(l))
				}
			}
			u, o := keys(e, d)
			qz = append(qz, []any{u, o, e.Name, synth.DecisionNo(r, "黑环", d.Year(), "强制"), c.kind, object,
				coercionBasis[c.kind], day(d), lifted, Authority, publishedOn(r, d, ref), status})
		}

		if (e.Showcase || r.IntN(100) < 25) && from.Before(lastLevyDay) {
			years := map[int]bool{}
			for range 1 + r.IntN(3) {
				y := from.Year() + r.IntN(lastLevyDay.Year()-from.Year()+1)
				if years[y] {
					continue
				}
				years[y] = true
				quarter := 1 + r.IntN(3)
				if y < lastLevyDay.Year() {
					quarter = 1 + r.IntN(4)
				}
				assessed := time.Date(y, time.Month(quarter*3+1), 1+r.IntN(20), 0, 0, 0, 0, time.UTC)
				if assessed.Before(from) {
					continue
				}
				var items []string
				for _, i := range r.Perm(len(feeItems))[:1+r.IntN(2)] {
					items = append(items, feeItems[i])
				}
				status, paid := "已缴清", sql.NullString{}
				switch p := r.IntN(100); {
				case !e.Showcase && once.First("fee annulled"):
					status = "撤销"
				case once.First("fee outstanding") || p < 8:
					status = "未缴清"
				case p < 10 && !e.Showcase:
					status = "撤销"
				default:
					paid = nullable(day(assessed.AddDate(0, 0, 5+r.IntN(25))))
				}
				u, o := keys(e, assessed)
				zs = append(zs, []any{u, o, e.Name, synth.DecisionNo(r, "黑环", y, "排费"), strings.Join(items, ","),
					fmt.Sprintf("%d年第%d季度", y, quarter), hundredths(5+r.IntN(3000)) + "0000", day(assessed), paid, Authority,
					publishedOn(r, assessed, ref), status})
			}
		}

		nJl := 0
		recent := false
		switch {
		case e.Showcase && e.Index%2 == 0:
			nJl, recent = 1, true
		case e.Profile != world.Troubled && r.IntN(100) < 7:
			nJl = 1
		}
		for range nJl {
			k := synth.Pick(r, envRewards)
			d := world.Date(r, notBefore(from, time.Date(unifiedYear, 1, 1, 0, 0, 0, 0, time.UTC)))
			if recent {
				d = world.Date(r, ref.AddDate(-2, 0, 0))
			}
			status := "有效"
			if !recent && (once.First("reward withdrawn") || r.IntN(100) < 4) {
				status = "撤销"
			}
			u, o := keys(e, d)
			jl = append(jl, []any{u, o, e.Name, synth.DecisionNo(r, "黑环", d.Year(), "发"), k.title, k.level, k.forms,
				nullable(k.prizeWan), k.reason, day(d), k.authority, publishedOn(r, d, ref), status})
		}
	}
	if err := sqldb.CopyRows(ctx, db, []sqldb.Rows{
		{Table: "hb_xzqz", Cols: []string{"tyshxydm", "zzjgdm", "dwmc", "qzjdswh", "qzlx", "qzdx", "qzyj", "qzrq", "jcrq", "qzjg", "gsrq", "zt"}, Values: qz},
		{Table: "hb_pwfzs", Cols: []string{"tyshxydm", "zzjgdm", "dwmc", "jftzdh", "pwflb", "zsqj", "zsje_wy", "hdrq", "jkrq", "zsjg", "gsrq", "zt"}, Values: zs},
		{Table: "hb_xzjl", Cols: []string{"tyshxydm", "zzjgdm", "dwmc", "jljdwh", "jlmc", "jljb", "jlxs", "jlje_wy", "jlsy", "jlrq", "jljg", "gsrq", "zt"}, Values: jl},
	}); err != nil {
		return err
	}
	return nil
}

// notBefore returns t, or from when t is earlier.
func notBefore(t, from time.Time) time.Time {
	if t.Before(from) {
		return from
	}
	return t
}
