package market

import (
	"context"
	"crypto/md5"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lib/pq"

	"credithub/datasources"
	"credithub/dev/synth"
	"credithub/dev/world"
	"credithub/internal/ident"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Setup creates and seeds dept_market in the local set-up.
var Setup = datasources.Setup{
	Name:       datasources.Market,
	Database:   "dept_market",
	Migrations: sqldb.MigrationsFS(migrationFiles, "migrations"),
	Seed:       Seed,
	Probe:      "registry_entity",
}

// reform is when unified codes replaced registration numbers on new records.
var reform = time.Date(2015, 10, 1, 0, 0, 0, 0, scalars.CST)

var licenceKinds = []struct{ name, prefix string }{
	{"食品经营许可证", "JY1231100"}, {"食品生产许可证", "SC1231100"}, {"药品经营许可证", "黑BA4510"},
	{"特种设备使用登记证", "容11黑Z"}, {"工业产品生产许可证", "(黑)XK13-"}, {"医疗器械经营许可证", "黑哈食药监械经营许"},
}

var violations = []struct{ violation, basis string }{
	{"销售超过保质期的食品", "《中华人民共和国食品安全法》第一百二十四条"},
	{"未按规定公示年度报告", "《企业信息公示暂行条例》第十八条"},
	{"虚假宣传", "《中华人民共和国反不正当竞争法》第二十条"},
	{"经营无中文标签的进口食品", "《中华人民共和国食品安全法》第一百二十五条"},
	{"使用未经检验的特种设备", "《中华人民共和国特种设备安全法》第八十四条"},
	{"价格欺诈", "《价格违法行为行政处罚规定》第七条"},
	{"生产销售不符合保障人体健康标准的产品", "《中华人民共和国产品质量法》第四十九条"},
	{"无照经营", "《无证无照经营查处办法》第十三条"},
	{"计量器具未经检定", "《中华人民共和国计量法实施细则》第四十三条"},
}

var complaintCategories = []struct{ category, summary string }{
	{"食品安全", "消费者反映购买的食品有异物"}, {"价格", "消费者反映商品标价与结算价格不一致"},
	{"服务质量", "消费者反映预付卡余额无法退还"}, {"产品质量", "消费者反映家电购买后一周内出现故障"},
	{"合同", "消费者反映商家拒不履行约定的售后服务"}, {"广告", "消费者反映商家宣传内容与实际不符"},
}

var abnormalReasons = []string{
	"未按规定报送年度报告", "通过登记的住所或者经营场所无法联系", "公示企业信息隐瞒真实情况、弄虚作假", "未在责令的期限内公示有关企业信息",
}

// publishedOn is when a decision went online: usually within the 7 working
// days T26 requires, sometimes late, now and then never; never after the
// world's reference day.
func publishedOn(r *rand.Rand, decided time.Time) sql.NullTime {
	var t time.Time
	switch p := r.IntN(100); {
	case p < 3:
		return sql.NullTime{}
	case p < 15:
		t = decided.AddDate(0, 0, 10+r.IntN(30))
	default:
		t = decided.AddDate(0, 0, 1+r.IntN(8))
	}
	if t.After(world.RefDate) {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t, Valid: true}
}

func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// Seed fills the registry and the regulator's records from w, a chunk of
// entities at a time (world.ChunkSize), so that memory holds one chunk's
// rows whatever the world's size; every table gets its rows in the order
// of the entities, as if copied at once.
func Seed(ctx context.Context, db *sqldb.DB, w *world.World) error {
	// The manufacturers (whom any patent ruling may name) are found by a
	// walk of their own while the first chunk's registry and records are
	// drawn and copied.
	type found struct {
		ms  []manufacturer
		err error
	}
	walked := make(chan found, 1)
	go func() {
		ms, err := manufacturersOf(w)
		walked <- found{ms, err}
	}()
	records := synth.New(w.Seed, "dept:market")
	decisions := &decisionSeeder{r: synth.New(w.Seed, "dept:market:decisions"), ref: w.RefDate,
		firstClean: true, once: synth.Firsts{}}
	first := true
	if err := postingsAfter(ctx, db, func() error {
		// A chunk's rows are drawn while the chunk before is copied.
		return sqldb.CopyPipelined(ctx, db, func(next func([]sqldb.Rows) error) error {
			return w.Chunks(world.ChunkSize, func(es []*world.Entity) error {
				ts := registryRows(es)
				ts = append(ts, recordRows(records, w.RefDate, es)...)
				if first {
					first = false
					if err := next(ts); err != nil {
						return err
					}
					f := <-walked
					if f.err != nil {
						return f.err
					}
					decisions.manufacturers = f.ms
					return next(decisions.rows(es))
				}
				return next(append(ts, decisions.rows(es)...))
			})
		})
	}); err != nil {
		return err
	}
	// Reset the serials past the explicit ids.
	_, err := db.ExecContext(ctx, `SELECT setval('registry_entity_id_seq', (SELECT coalesce(max(id), 1) FROM registry_entity))`)
	return err
}

// postingsAfter runs load, which copies entities into an empty registry,
// with the name postings' insert trigger (migration 00008) disabled and
// their primary key dropped, then writes every entity's postings in one
// statement, the very rows the trigger writes, builds the key by one sort
// and enables the trigger again. With the trigger, each copied chunk
// inserted its ten postings an entity into the key's B-tree at random
// places, most of the market's seed at a million entities
// (dev/bench/scale.md). The postings are written, the key built and the
// trigger enabled again even when the load fails, so that whatever
// registry a seed leaves behind has its postings as the migrations keep
// them.
func postingsAfter(ctx context.Context, db *sqldb.DB, load func() error) (err error) {
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM (SELECT FROM registry_name_bigram LIMIT 1) x`); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the name postings are not empty: seeding a registry that is")
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range []string{
		`ALTER TABLE registry_entity DISABLE TRIGGER registry_name_bigram_insert`,
		`ALTER TABLE registry_name_bigram DROP CONSTRAINT registry_name_bigram_pkey`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("before copying the registry: %w", err)
		}
	}
	loaded := load()
	after := context.WithoutCancel(ctx)
	for _, q := range []string{
		`SET synchronous_commit = off`,
		`SET maintenance_work_mem = '512MB'`,
		`INSERT INTO registry_name_bigram (bigram, uscc) SELECT b, e.uscc FROM registry_entity e, unnest(e.name_bigrams) b`,
		`ALTER TABLE registry_name_bigram ADD PRIMARY KEY (bigram, uscc)`,
		`ALTER TABLE registry_entity ENABLE TRIGGER registry_name_bigram_insert`,
		`RESET maintenance_work_mem`,
		`RESET synchronous_commit`,
	} {
		if _, err := conn.ExecContext(after, q); err != nil {
			return errors.Join(loaded, fmt.Errorf("the name postings after copying the registry: %w", err))
		}
	}
	return loaded
}

// registryRows are the registry's rows of es with their principal persons.
func registryRows(es []*world.Entity) []sqldb.Rows {
	entities := sqldb.Rows{Table: "registry_entity",
		Cols: []string{"id", "uscc", "uscc_legacy", "reg_no", "name", "entity_type", "status", "reg_capital_wan",
			"established_on", "address", "division_code", "industry_code", "industry", "legal_rep_name", "org_type", "superior_code"},
		Values: make([][]any, 0, len(es))}
	members := sqldb.Rows{Table: "registry_member", Cols: []string{"entity_id", "role", "name", "id_no", "mobile"}}
	for _, e := range es {
		orgType, superior := SeedOrg(e)
		entities.Values = append(entities.Values, []any{e.Index + 1, e.USCC, e.LegacyUSCC, nullable(e.RegNo), e.Name, e.EntityType, e.Status,
			e.CapitalWan, e.Established, e.Address, e.Division, nullable(e.IndustryCode), nullable(e.Industry),
			e.LegalRep.Name, orgType, superior})
	}
	for _, e := range es {
		for _, m := range []struct {
			role string
			p    *world.Person
		}{{RoleLegalRep, e.LegalRep}, {RolePrincipal, e.Principal}, {RoleController, e.Controller}} {
			if m.p == nil {
				continue
			}
			members.Values = append(members.Values, []any{e.Index + 1, m.role, m.p.Name, m.p.IDNo, m.p.Mobile})
		}
	}
	return []sqldb.Rows{entities, members}
}

// SeedOrg is the organisation type and superior body the seed gives an
// entity (T23), from an MD5 of its code (b, 0–19) and its registry type,
// so that the world's random streams stay as they were: non-company
// enterprise legal persons (4000) with b < 10 and one company in ten
// (b < 2) are state-owned enterprises under the state-assets commission
// (GZW); other organisations (9900) with b < 5 are organs under the city
// government's office (ZFB), with b < 10 public institutions under the
// education bureau (JYJ, b even) or the health commission (WJW); everyone
// else (individual businesses and cooperatives always) is OTHER. The
// first showcase entity is a state-owned enterprise, so that its listings
// notify (the README's examples).
func SeedOrg(e *world.Entity) (orgType string, superior sql.NullString) {
	uscc, entityType := e.USCC, e.EntityType
	h := md5.Sum([]byte(uscc))
	b := binary.BigEndian.Uint32(h[:4]) % 20
	some := func(code string) sql.NullString { return sql.NullString{String: code, Valid: true} }
	company := entityType == "1110" || entityType == "1151" || entityType == "1200"
	switch {
	case e.Index == 0:
		return OrgStateOwnedEnterprise, some("GZW")
	case entityType == "9900" && b < 5:
		return OrgOrgan, some("ZFB")
	case entityType == "9900" && b < 10 && b%2 == 0:
		return OrgPublicInstitution, some("JYJ")
	case entityType == "9900" && b < 10:
		return OrgPublicInstitution, some("WJW")
	case entityType == "4000" && b < 10, company && b < 2:
		return OrgStateOwnedEnterprise, some("GZW")
	}
	return OrgOther, sql.NullString{}
}

// keys returns the key columns a record decided on day d is filed under.
func keys(e *world.Entity, d time.Time) (uscc, regNo sql.NullString) {
	if e.RegNo != "" && (e.LegacyKeys || d.Before(reform)) {
		return sql.NullString{}, nullable(e.RegNo)
	}
	return nullable(e.USCC), sql.NullString{}
}

func since(e *world.Entity) time.Time {
	if e.LegacyKeys && e.Established.Before(reform) {
		return e.Established
	}
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, scalars.CST)
	if e.Established.After(start) {
		return e.Established
	}
	return start
}

// recordRows are the records of es, drawn from r (the stream
// "dept:market", which goes on from chunk to chunk).
func recordRows(r *rand.Rand, ref time.Time, es []*world.Entity) []sqldb.Rows {
	type licence struct {
		uscc, regNo              sql.NullString
		no, name, content, decNo string
		decided                  time.Time
		validTo                  time.Time
		published                sql.NullTime
		status                   string
	}
	type penalty struct {
		uscc, regNo             sql.NullString
		decNo, violation, basis string
		kinds                   []string
		fine                    sql.NullString
		decided                 time.Time
		published               sql.NullTime
	}
	var (
		licences    []licence
		penalties   []penalty
		inspections [][]any
		complaints  [][]any
		abnormals   [][]any
	)
	for _, e := range es {
		from := since(e)
		nLic := r.IntN(3)
		if e.Showcase {
			nLic = 2
		}
		for i := 0; i < nLic; i++ {
			lk := synth.Pick(r, licenceKinds)
			d := world.Date(r, from)
			u, g := keys(e, d)
			st := "有效"
			if d.AddDate(5, 0, 0).Before(ref) {
				st = "过期"
			}
			licences = append(licences, licence{u, g, fmt.Sprintf("%s%08d", lk.prefix, r.IntN(1e8)), lk.name,
				"经营项目：" + e.Industry, synth.DecisionNo(r, "黑市监", d.Year(), "许可"), d, d.AddDate(5, 0, 0),
				publishedOn(r, d), st})
		}
		nPen := 0
		switch e.Profile {
		case world.Ordinary:
			if r.IntN(100) < 15 {
				nPen = 1
			}
		case world.Troubled:
			nPen = 1 + r.IntN(4)
		}
		for i := 0; i < nPen; i++ {
			v := synth.Pick(r, violations)
			d := world.Date(r, from)
			u, g := keys(e, d)
			var kinds []string
			var fine sql.NullString
			switch p := r.IntN(100); {
			case p < 20:
				kinds = []string{"警告"}
			case p < 85:
				kinds = []string{"罚款"}
				fine = nullable(fmt.Sprintf("%d.00", (1+r.IntN(100))*1000))
			case p < 95:
				kinds = []string{"没收违法所得", "罚款"}
				fine = nullable(fmt.Sprintf("%d.00", (10+r.IntN(300))*1000))
			default:
				kinds = []string{"罚款", "吊销营业执照"}
				fine = nullable(fmt.Sprintf("%d.00", (50+r.IntN(500))*1000))
			}
			penalties = append(penalties, penalty{u, g, synth.DecisionNo(r, "黑市监", d.Year(), "处罚"),
				v.violation, v.basis, kinds, fine, d, publishedOn(r, d)})
		}
		if e.Showcase || r.IntN(100) < 30 {
			d := world.Date(r, from)
			code := "1"
			if e.Profile == world.Troubled || r.IntN(100) < 10 {
				code = synth.Pick(r, []string{"2", "3", "4", "5"})
			}
			inspections = append(inspections, []any{e.USCC, fmt.Sprintf("黑市监抽查〔%d〕%d号", d.Year(), 1+r.IntN(40)),
				fmt.Sprintf("%d年度%s双随机抽查", d.Year(), e.Industry), d, code, Authority, publishedOn(r, d)})
		}
		nComp := 0
		switch e.Profile {
		case world.Ordinary:
			if r.IntN(100) < 20 {
				nComp = 1
			}
		case world.Troubled:
			nComp = 1 + r.IntN(5)
		}
		for i := 0; i < nComp; i++ {
			c := synth.Pick(r, complaintCategories)
			at := world.Date(r, from).Add(time.Duration(8*3600+r.IntN(10*3600)) * time.Second)
			state := "已办结"
			if at.After(ref.AddDate(0, 0, -20)) && r.IntN(2) == 0 {
				state = "处理中"
			}
			complaints = append(complaints, []any{e.USCC, fmt.Sprintf("12315-%s-%06d", at.Format("20060102"), r.IntN(1e6)),
				at, c.category, c.summary, state, r.IntN(2) == 0})
		}
		if (e.Profile == world.Troubled && r.IntN(100) < 40) || (e.Profile == world.Ordinary && r.IntN(100) < 3) {
			d := world.Date(r, from)
			var removed, removal any
			if r.IntN(100) < 40 {
				rd := d.AddDate(0, 2+r.IntN(10), 0)
				if rd.Before(ref) {
					removed, removal = rd, "补报年度报告并公示，申请移出"
				}
			}
			abnormals = append(abnormals, []any{e.USCC, synth.DecisionNo(r, "黑市监", d.Year(), "异常"), d,
				synth.Pick(r, abnormalReasons), Authority, removed, removal, publishedOn(r, d)})
		}
	}

	licenceRows := make([][]any, 0, len(licences))
	for _, l := range licences {
		licenceRows = append(licenceRows, []any{l.uscc, l.regNo, l.no, l.name, l.content, l.decNo, l.decided, l.decided, l.validTo,
			Authority, l.published, l.status})
	}
	penaltyRows := make([][]any, 0, len(penalties))
	for _, p := range penalties {
		penaltyRows = append(penaltyRows, []any{p.uscc, p.regNo, p.decNo, p.decided, p.violation, p.basis, pq.Array(p.kinds),
			p.fine, Authority, p.published})
	}
	return []sqldb.Rows{
		{Table: "admin_licence", Cols: []string{"uscc", "reg_no", "licence_no", "licence_name", "content", "decision_no", "decision_date",
			"valid_from", "valid_to", "authority", "published_on", "status"}, Values: licenceRows},
		{Table: "admin_penalty", Cols: []string{"uscc", "reg_no", "decision_no", "decision_date", "violation", "basis", "penalty_kinds",
			"fine_yuan", "authority", "published_on"}, Values: penaltyRows},
		{Table: "random_inspection", Cols: []string{"uscc", "plan_no", "task_name", "inspected_on", "result_code", "authority", "published_on"}, Values: inspections},
		{Table: "complaint_12315", Cols: []string{"uscc", "ticket_no", "received_at", "category", "summary", "state", "mediated"}, Values: complaints},
		{Table: "abnormal_operation", Cols: []string{"uscc", "decision_no", "listed_on", "reason", "authority", "removed_on", "removal_reason", "published_on"}, Values: abnormals},
	}
}

// seizures are the regulator's usual coercive measures in a case: the
// measure, what it is taken on and the provision that allows it.
var seizures = []struct{ measure, object, basis string }{
	{"扣押", "涉嫌超过保质期的食品一批", "《中华人民共和国食品安全法》第一百一十条"},
	{"扣押", "无中文标签的进口食品一批", "《中华人民共和国食品安全法》第一百一十条"},
	{"扣押", "涉嫌侵犯注册商标专用权的商品一批", "《中华人民共和国商标法》第六十二条"},
	{"查封", "生产不符合保障人体健康标准产品的生产线", "《中华人民共和国产品质量法》第十八条"},
	{"查封", "未经定期检验的在用电梯", "《中华人民共和国特种设备安全法》第六十一条"},
	{"查封", "无照经营的经营场所", "《无证无照经营查处办法》第十一条"},
}

// rewardKinds are the honours the regulator grants or administers: the
// city government's quality award is signed by the government itself, the
// provincial title by the provincial bureau.
var rewardKinds = []struct {
	name, level, authority, abbrev, reason string
	forms                                  []string
	prize                                  string
}{
	{"黑河市政府质量奖", "市级", "黑河市人民政府", "黑政", "在质量管理、品牌建设方面成绩突出", []string{"荣誉称号", "奖金"}, "100000.00"},
	{"黑河市守合同重信用企业", "市级", Authority, "黑市监", "连续两年合同履约良好，无不良信用记录", []string{"荣誉称号"}, ""},
	{"黑河市放心消费示范单位", "市级", Authority, "黑市监", "诚信经营，消费投诉处理及时，无消费侵权行为", []string{"通报表扬"}, ""},
	{"黑河市知识产权优势企业", "市级", Authority, "黑市监", "拥有有效发明专利，知识产权管理规范", []string{"荣誉称号", "奖金"}, "50000.00"},
	{"黑龙江省诚信计量示范单位", "省级", "黑龙江省市场监督管理局", "黑市监", "计量器具管理规范，诚信计量", []string{"荣誉称号"}, ""},
}

// seedDecisions fills the regulator's other decisions of T26 from a
// stream of their own ("dept:market:decisions"), so that the rows of
// every other table stay as they were: seal-ups and seizures of troubled
// entities, most of them lifted; the enforcement of unpaid fines; rewards
// of clean and ordinary entities (and of the odd showcase entities, which
// are dishonest too: a reward never outweighs that); rulings on patent
// disputes between manufacturers. Every kind has rows in force, ended and
// revoked.
// manufacturer is an enterprise of manufacturing, which may claim a
// patent against another.
type manufacturer struct {
	index int
	name  string
}

// manufacturersOf walks w for its manufacturers, which any entity's
// patent dispute may name.
func manufacturersOf(w *world.World) ([]manufacturer, error) {
	var out []manufacturer
	err := w.Each(func(e *world.Entity) error {
		if e.IndustryCode == "C" && e.Category == ident.CategoryEnterprise {
			out = append(out, manufacturer{e.Index, e.Name})
		}
		return nil
	})
	return out, err
}

// decisionSeeder draws the regulator's other decisions from a stream of
// their own, chunk after chunk.
type decisionSeeder struct {
	r             *rand.Rand
	ref           time.Time
	manufacturers []manufacturer
	firstClean    bool
	once          synth.Firsts
	rulings       int // rulings drawn so far
}

// rows are the decisions of es.
func (s *decisionSeeder) rows(es []*world.Entity) []sqldb.Rows {
	r, ref, manufacturers, once := s.r, s.ref, s.manufacturers, s.once
	var coercions, rewards, rulings [][]any
	for _, e := range es {
		from := since(e)

		nSeize := 0
		switch {
		case e.Showcase && e.Index%3 == 0:
			nSeize = 1
		case e.Profile == world.Troubled && r.IntN(100) < 30:
			nSeize = 1
		case e.Profile == world.Ordinary && r.IntN(100) < 2:
			nSeize = 1
		}
		for range nSeize {
			s := synth.Pick(r, seizures)
			d := world.Date(r, from)
			inForce := !e.Showcase && once.First("seizure in force")
			if inForce {
				d = world.Date(r, ref.AddDate(0, 0, -10)) // not lifted yet
			}
			status, lifted := "实施中", sql.NullTime{}
			if l := d.AddDate(0, 0, 15+r.IntN(45)); !l.After(ref) {
				status, lifted = "已解除", sql.NullTime{Time: l, Valid: true}
			}
			if !inForce && ((!e.Showcase && once.First("seizure revoked")) || r.IntN(100) < 3) {
				status, lifted = "撤销", sql.NullTime{}
			}
			coercions = append(coercions, []any{e.USCC, synth.DecisionNo(r, "黑市监", d.Year(), "强制"), d, s.measure,
				s.object, s.basis, Authority, publishedOn(r, d), status, lifted})
		}
		if e.Profile == world.Troubled && (e.Showcase && e.Index%3 == 1 || r.IntN(100) < 8) {
			d := world.Date(r, from)
			if !e.Showcase && once.First("enforcement this year") {
				d = world.Date(r, ref.AddDate(0, -6, 0)) // within its publication period
			}
			status := "实施中"
			if r.IntN(100) < 60 {
				status = "执行完毕"
			}
			coercions = append(coercions, []any{e.USCC, synth.DecisionNo(r, "黑市监", d.Year(), "强制"), d, CoercionEnforcement,
				fmt.Sprintf("逾期不缴纳%s罚款，每日按罚款数额的3%%加处罚款", synth.DecisionNo(r, "黑市监", d.Year(), "处罚")),
				"《中华人民共和国行政处罚法》第七十二条；《中华人民共和国行政强制法》第四十五条", Authority, publishedOn(r, d), status, sql.NullTime{}})
		}

		// Rewards: the first clean enterprise has one in force (the
		// README's example of 守信激励); clean and ordinary entities now
		// and then one, some of them old (past their publication period)
		// or withdrawn.
		nReward := 0
		recent := false
		switch {
		case e.Showcase && e.Index%2 == 1:
			nReward, recent = 1, true
		case s.firstClean && !e.Showcase && e.Profile == world.Clean && e.Category == ident.CategoryEnterprise:
			s.firstClean = false
			nReward, recent = 1, true
		case e.Profile == world.Clean && r.IntN(100) < 6, e.Profile == world.Ordinary && r.IntN(100) < 3:
			nReward = 1 + r.IntN(2)
		}
		for i := range nReward {
			k := synth.Pick(r, rewardKinds)
			d := world.Date(r, from)
			if recent && i == 0 {
				d = world.Date(r, ref.AddDate(-1, 0, 0))
			}
			status := "有效"
			if !recent && (once.First("reward withdrawn") || r.IntN(100) < 4) {
				status = "撤销"
			}
			var prize sql.NullString
			if k.prize != "" {
				prize = nullable(k.prize)
			}
			rewards = append(rewards, []any{e.USCC, synth.DecisionNo(r, k.abbrev, d.Year(), "奖"), d, k.name, k.level,
				pq.Array(k.forms), prize, k.reason, k.authority, publishedOn(r, d), status})
		}

		// Patent disputes: now and then a manufacturer is asked to stop
		// making a competitor's patented product.
		if len(manufacturers) > 1 && e.IndustryCode == "C" && e.Category == ident.CategoryEnterprise &&
			(once.First("ruling") || r.IntN(100) < 4) {
			claimant := synth.Pick(r, manufacturers)
			for claimant.index == e.Index {
				claimant = synth.Pick(r, manufacturers)
			}
			d := world.Date(r, from)
			ruling, order := "侵权不成立", sql.NullString{}
			if r.IntN(100) < 70 {
				ruling, order = "侵权成立", nullable("责令立即停止侵权行为，销毁侵权产品")
			}
			status := "生效"
			if s.rulings > 0 && (once.First("ruling annulled") || r.IntN(100) < 3) {
				status = "撤销"
			}
			year := max(d.Year()-2-r.IntN(5), 2010)
			patent := fmt.Sprintf("ZL%d2%07d.%d", year, r.IntN(1e7), r.IntN(10))
			s.rulings++
			rulings = append(rulings, []any{e.USCC, claimant.name, patent, synth.DecisionNo(r, "黑市监", d.Year(), "知裁字"), d,
				ruling, order, Authority, publishedOn(r, d), status})
		}
	}
	return []sqldb.Rows{
		{Table: "admin_coercion", Cols: []string{"uscc", "decision_no", "decision_date", "measure", "object", "basis", "authority",
			"published_on", "status", "lifted_on"}, Values: coercions},
		{Table: "admin_reward", Cols: []string{"uscc", "decision_no", "decision_date", "reward_name", "reward_level", "reward_forms",
			"prize_yuan", "reason", "authority", "published_on", "status"}, Values: rewards},
		{Table: "patent_ruling", Cols: []string{"respondent_uscc", "claimant_name", "patent_no", "decision_no", "decision_date", "ruling",
			"order_text", "authority", "published_on", "status"}, Values: rulings},
	}
}
