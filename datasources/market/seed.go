package market

import (
	"context"
	"crypto/md5"
	"database/sql"
	"embed"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
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

// Seed fills the registry and the regulator's records from w.
func Seed(ctx context.Context, db *sqldb.DB, w *world.World) error {
	if _, err := sqldb.CopyIn(ctx, db, "registry_entity",
		[]string{"id", "uscc", "uscc_legacy", "reg_no", "name", "entity_type", "status", "reg_capital_wan",
			"established_on", "address", "division_code", "industry_code", "industry", "legal_rep_name", "org_type", "superior_code"},
		func(put func(...any) error) error {
			for _, e := range w.Entities {
				orgType, superior := SeedOrg(e)
				if err := put(e.Index+1, e.USCC, e.LegacyUSCC, nullable(e.RegNo), e.Name, e.EntityType, e.Status,
					e.CapitalWan, e.Established, e.Address, e.Division, nullable(e.IndustryCode), nullable(e.Industry),
					e.LegalRep.Name, orgType, superior); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	if _, err := sqldb.CopyIn(ctx, db, "registry_member",
		[]string{"entity_id", "role", "name", "id_no", "mobile"},
		func(put func(...any) error) error {
			for _, e := range w.Entities {
				for _, m := range []struct {
					role string
					p    *world.Person
				}{{RoleLegalRep, e.LegalRep}, {RolePrincipal, e.Principal}, {RoleController, e.Controller}} {
					if m.p == nil {
						continue
					}
					if err := put(e.Index+1, m.role, m.p.Name, m.p.IDNo, m.p.Mobile); err != nil {
						return err
					}
				}
			}
			return nil
		}); err != nil {
		return err
	}
	// Reset the serials past the explicit ids.
	if _, err := db.ExecContext(ctx, `SELECT setval('registry_entity_id_seq', (SELECT coalesce(max(id), 1) FROM registry_entity))`); err != nil {
		return err
	}
	return seedRecords(ctx, db, w)
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

func seedRecords(ctx context.Context, db *sqldb.DB, w *world.World) error {
	r := synth.New(w.Seed, "dept:market")
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
	for _, e := range w.Entities {
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
			if d.AddDate(5, 0, 0).Before(w.RefDate) {
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
			if at.After(w.RefDate.AddDate(0, 0, -20)) && r.IntN(2) == 0 {
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
				if rd.Before(w.RefDate) {
					removed, removal = rd, "补报年度报告并公示，申请移出"
				}
			}
			abnormals = append(abnormals, []any{e.USCC, synth.DecisionNo(r, "黑市监", d.Year(), "异常"), d,
				synth.Pick(r, abnormalReasons), Authority, removed, removal, publishedOn(r, d)})
		}
	}

	if _, err := sqldb.CopyIn(ctx, db, "admin_licence",
		[]string{"uscc", "reg_no", "licence_no", "licence_name", "content", "decision_no", "decision_date",
			"valid_from", "valid_to", "authority", "published_on", "status"},
		func(put func(...any) error) error {
			for _, l := range licences {
				if err := put(l.uscc, l.regNo, l.no, l.name, l.content, l.decNo, l.decided, l.decided, l.validTo,
					Authority, l.published, l.status); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	if _, err := sqldb.CopyIn(ctx, db, "admin_penalty",
		[]string{"uscc", "reg_no", "decision_no", "decision_date", "violation", "basis", "penalty_kinds",
			"fine_yuan", "authority", "published_on"},
		func(put func(...any) error) error {
			for _, p := range penalties {
				if err := put(p.uscc, p.regNo, p.decNo, p.decided, p.violation, p.basis, pq.Array(p.kinds),
					p.fine, Authority, p.published); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
		return err
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"random_inspection", []string{"uscc", "plan_no", "task_name", "inspected_on", "result_code", "authority", "published_on"}, inspections},
		{"complaint_12315", []string{"uscc", "ticket_no", "received_at", "category", "summary", "state", "mediated"}, complaints},
		{"abnormal_operation", []string{"uscc", "decision_no", "listed_on", "reason", "authority", "removed_on", "removal_reason", "published_on"}, abnormals},
	} {
		if _, err := sqldb.CopyIn(ctx, db, t.table, t.cols, func(put func(...any) error) error {
			for _, row := range t.rows {
				if err := put(row...); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
