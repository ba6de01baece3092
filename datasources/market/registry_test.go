package market_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/datasources/dstest"
	"credithub/datasources/market"
	"credithub/dev/world"
	"credithub/internal/ident"
	"credithub/internal/sqldb"
)

// EntitiesByKey finds entities by code, organisation code and registration
// number in one statement, each key compared only with its own kind's
// column.
func TestEntitiesByKey(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, market.Setup, w)
	reg := &market.RegistryStore{DB: db}
	want := map[market.Key]string{}
	var keys []market.Key
	for i, e := range w.Entities[:30] {
		k := market.Key{Kind: ident.KeyUSCC, Value: e.USCC}
		switch {
		case i%3 == 1:
			k = market.Key{Kind: ident.KeyOrgCode, Value: e.OrgCode}
		case i%3 == 2 && e.RegNo != "":
			k = market.Key{Kind: ident.KeyRegistrationNumber, Value: e.RegNo}
		}
		keys, want[k] = append(keys, k), e.USCC
	}
	// A key of the wrong kind names nothing; nor does an unknown one.
	e := w.Entities[40]
	keys = append(keys, market.Key{Kind: ident.KeyRegistrationNumber, Value: e.OrgCode},
		market.Key{Kind: ident.KeyOrgCode, Value: e.USCC}, market.Key{Kind: ident.KeyUSCC, Value: "91110000600037341L"})
	before := db.Statements()
	got, err := reg.EntitiesByKey(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("%d statements, want 1", n)
	}
	if len(got) != len(want) {
		t.Errorf("%d keys found, want %d: %v", len(got), len(want), got)
	}
	for k, uscc := range want {
		if got[k] == nil || got[k].USCC != uscc {
			t.Errorf("%v: %v, want %s", k, got[k], uscc)
		}
	}
}

// A name search of two characters or more finds what a scan with ILIKE
// finds, in code order, page after page with the same rows and no gaps,
// one statement a page, for rare and common terms alike; one character
// still works (by a scan). Counts are exact up to the cap and PostgreSQL's
// estimate past it, never below the cap.
func TestNameSearchAndCounts(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, market.Setup, w)
	reg := &market.RegistryStore{DB: db}
	ctx := context.Background()
	name := []rune(w.Entities[17].Name)
	terms := []string{string(name[2:4]), string(name[1:4]), string(name[len(name)-2:]), string(name[3:4]), string(name),
		"黑河", "有限", "公司", "有限公司", "黑河市", "种植", "合作社", "五金", "北京", "科技有限", "%_\\", "限公"}
	for _, term := range terms {
		want := scan(t, db, term)
		got, err := reg.ListEntities(ctx, market.ListFilter{NameContains: term}, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		sameUSCCs(t, term+" in one page", got, want)
		// Pages of 7 (asked as 8, as the resolver asks one more) join up
		// into the same list, one statement each.
		var paged []*market.Entity
		after := ""
		for {
			before := db.Statements()
			page, err := reg.ListEntities(ctx, market.ListFilter{NameContains: term}, after, 8)
			if err != nil {
				t.Fatal(err)
			}
			if n := db.Statements() - before; n != 1 {
				t.Errorf("%q: a page took %d statements, want 1", term, n)
			}
			if len(page) <= 7 {
				paged = append(paged, page...)
				break
			}
			paged, after = append(paged, page[:7]...), page[6].USCC
		}
		sameUSCCs(t, term+" in pages of 7", paged, want)
		if n, exact, err := reg.CountEntities(ctx, market.ListFilter{NameContains: term}); err != nil || n != len(want) || !exact {
			t.Errorf("%q: counted %d (exact %v, %v), want %d", term, n, exact, err, len(want))
		}
	}
	// With the other filters beside the name.
	f := market.ListFilter{NameContains: "有限", Division: w.Entities[17].Division, Status: "存续"}
	var want []string
	if err := db.Select(&want, `SELECT uscc FROM registry_entity WHERE strpos(name, '有限') > 0 AND division_code = $1 AND status = '存续' ORDER BY uscc`, f.Division); err != nil {
		t.Fatal(err)
	}
	got, err := reg.ListEntities(ctx, f, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	sameUSCCs(t, "有限 in a division", got, want)
	if n, exact, err := reg.CountEntities(ctx, f); err != nil || n != len(want) || !exact {
		t.Errorf("有限 in a division: counted %d (exact %v, %v), want %d", n, exact, err, len(want))
	}
	// Past the cap: an estimate, not below it.
	capped := &market.RegistryStore{DB: db, CountCap: 50, LongTermCountCap: 50}
	for _, f := range []market.ListFilter{{}, {NameContains: "有限"}, {NameContains: "有限公司"}} {
		n, exact, err := capped.CountEntities(ctx, f)
		if err != nil || exact || n <= 50 {
			t.Errorf("%+v among 300 entities with a cap of 50: %d (exact %v, %v), want an estimate above 50", f, n, exact, err)
		}
	}
	if n, exact, _ := capped.CountEntities(ctx, market.ListFilter{NameContains: string(name)}); !exact || n < 1 {
		t.Errorf("one entity's full name with a cap of 50: %d (exact %v)", n, exact)
	}
	// A term of three characters or more has its own cap: exact up to it
	// and at it, an estimate not below it one past it, whichever way the
	// statistics send the count (the walk of the postings or the GIN
	// index); a term of two characters keeps CountCap.
	if _, err := db.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	for _, term := range []string{"有限公司", "黑河市", "合作社", "科技有限", string(name[1:4]), "限公"} {
		m := len(scan(t, db, term))
		if m < 2 {
			continue
		}
		for _, c := range []int{m - 1, m, m + 1, m/5 + 1} {
			reg := &market.RegistryStore{DB: db, CountCap: 1000, LongTermCountCap: c}
			if len([]rune(term)) == 2 {
				reg = &market.RegistryStore{DB: db, CountCap: c, LongTermCountCap: 1000}
			}
			n, exact, err := reg.CountEntities(ctx, market.ListFilter{NameContains: term})
			if err != nil {
				t.Fatal(err)
			}
			if m <= c && (n != m || !exact) || m > c && (n <= c || exact) {
				t.Errorf("%q (%d names) with a cap of %d: counted %d (exact %v)", term, m, c, n, exact)
			}
		}
	}
}

// A term of three characters or more is counted exactly up to
// ExactLongTermCountUpTo and estimated past it, a term of two characters
// up to ExactCountUpTo, with names holding every bigram of the term but
// not the term among them (小馆瑶池小 holds 瑶池, 池小 and 小馆): once where
// the statistics send the count through the walk of the postings (瑶池小馆:
// common bigrams, its names first in code order), once through the GIN
// index (瑶台酒家: bigrams no other name holds).
func TestLongTermCountsAtTheirThreshold(t *testing.T) {
	t.Parallel()
	w := world.New(7, 50)
	db := dstest.Open(t, market.Setup, w)
	reg := &market.RegistryStore{DB: db}
	ctx := context.Background()
	insert := func(prefix, name string, from, to int) {
		t.Helper()
		db.MustExec(`INSERT INTO registry_entity (uscc, name, entity_type, status, established_on, address, division_code, legal_rep_name)
			SELECT $1 || lpad(i::text, 14, '0'), $2 || i, '9600', '存续', '2020-01-01', '黑河市', '231102', '李四'
			FROM generate_series($3::int, $4::int) i`, prefix, name, from, to)
	}
	const upTo = market.ExactLongTermCountUpTo
	insert("0000", "爱辉区瑶池小馆", 1, upTo-1)
	insert("0001", "孙吴县小馆瑶池小吃", 1, 4*upTo)
	insert("0002", "北安市瑶台酒家", 1, upTo-1)
	if _, err := db.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		term   string
		prefix string
		branch string
	}{{"瑶池小馆", "0000", "walk"}, {"瑶台酒家", "0002", "gin"}} {
		for k, m := range []int{upTo - 1, upTo, upTo + 1} {
			if k > 0 {
				insert(c.prefix, "黑河市"+c.term, m, m)
			}
			rec := &recorder{ExtContext: db}
			n, exact, err := (&market.RegistryStore{DB: rec}).CountEntities(ctx, market.ListFilter{NameContains: c.term})
			if err != nil {
				t.Fatal(err)
			}
			if want := len(scan(t, db, c.term)); want != m {
				t.Fatalf("%q: %d names, want %d", c.term, want, m)
			}
			if m <= upTo && (n != m || !exact) || m > upTo && (n <= upTo || exact) {
				t.Errorf("%q in %d names: counted %d (exact %v), want %d exact up to %d, an estimate above it past it", c.term, m, n, exact, m, upTo)
			}
			if b := countBranch(t, db, rec); b != c.branch {
				t.Errorf("%q in %d names: counted by %s, want %s (the test no longer covers both ways)", c.term, m, b, c.branch)
			}
		}
	}
	// 瑶池 and 小馆 are two characters: exact up to ExactCountUpTo.
	for _, term := range []string{"瑶池", "小馆"} {
		want := len(scan(t, db, term))
		if n, exact, err := reg.CountEntities(ctx, market.ListFilter{NameContains: term}); err != nil || n != want || !exact || want <= upTo {
			t.Errorf("%q: counted %d (exact %v, %v), want %d exact (more than %d)", term, n, exact, err, want, upTo)
		}
	}
}

// countBranch tells which half of a long term's count statement (the
// first the store sent, its capped count) ran: the walk of the postings or
// the GIN index.
func countBranch(t *testing.T, db *sqldb.DB, rec *recorder) string {
	t.Helper()
	var js string
	if err := db.Get(&js, `EXPLAIN (ANALYZE, FORMAT JSON) `+rec.first, rec.firstArgs...); err != nil {
		t.Fatal(err)
	}
	var plan []struct{ Plan planNode }
	if err := json.Unmarshal([]byte(js), &plan); err != nil || len(plan) != 1 {
		t.Fatalf("reading the plan: %v", err)
	}
	var ran []string
	var find func(n planNode)
	find = func(n planNode) {
		if n.Type == "Append" {
			for i, c := range n.Plans {
				if reads(c) {
					ran = append(ran, []string{"walk", "gin"}[i])
				}
			}
			return
		}
		for _, c := range n.Plans {
			find(c)
		}
	}
	find(plan[0].Plan)
	return strings.Join(ran, "+")
}

// reads reports whether a branch of the plan read registry rows.
func reads(n planNode) bool {
	if n.Parent == "InitPlan" || n.Parent == "SubPlan" {
		return false
	}
	if n.Relation == "registry_entity" && n.Loops > 0 {
		return true
	}
	for _, c := range n.Plans {
		if reads(c) {
			return true
		}
	}
	return false
}

// The registry's reads scan their rows by position: every column must land
// in the field its db tag names, as sqlx would put it.
func TestRegistryRowsScanByPosition(t *testing.T) {
	t.Parallel()
	w := world.New(11, 200)
	db := dstest.Open(t, market.Setup, w)
	reg := &market.RegistryStore{DB: db}
	ctx := context.Background()
	got, err := reg.ListEntities(ctx, market.ListFilter{}, "", 200)
	if err != nil || len(got) == 0 {
		t.Fatalf("ListEntities: %d rows, %v", len(got), err)
	}
	var want []*market.Entity
	if err := sqlx.SelectContext(ctx, db, &want, `SELECT `+market.EntityColumns+` FROM registry_entity e ORDER BY e.uscc`); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListEntities' rows differ from sqlx's scan of the same columns:\n got %+v\nwant %+v", got[0], want[0])
	}
	usccs := make([]string, len(want))
	for i, e := range want {
		usccs[i] = e.USCC
	}
	members, err := reg.MembersByUSCC(ctx, usccs)
	if err != nil || len(members) == 0 {
		t.Fatalf("MembersByUSCC: %d entities, %v", len(members), err)
	}
	var rows []market.Member
	if err := sqlx.SelectContext(ctx, db, &rows, market.MemberSelect+` WHERE e.uscc = ANY($1) ORDER BY e.uscc, m.id`, pq.Array(usccs)); err != nil {
		t.Fatal(err)
	}
	n := 0
	byUSCC := map[string][]market.Member{}
	for _, r := range rows {
		byUSCC[r.USCC] = append(byUSCC[r.USCC], r)
		n++
	}
	if !reflect.DeepEqual(members, byUSCC) {
		t.Errorf("MembersByUSCC's %d entities differ from sqlx's scan of the same %d rows", len(members), n)
	}
}

// MembersByEntityID, given the rows' ids and codes, answers what
// MembersByUSCC answers for the codes: every entity's members, in their
// order, under its own code; an entity without members has none; a subset
// of ids, that subset only.
func TestMembersByEntityIDAnswersAsByCode(t *testing.T) {
	t.Parallel()
	w := world.New(12, 200)
	db := dstest.Open(t, market.Setup, w)
	reg := &market.RegistryStore{DB: db}
	ctx := context.Background()
	ents, err := reg.ListEntities(ctx, market.ListFilter{}, "", 200)
	if err != nil || len(ents) != 200 {
		t.Fatalf("ListEntities: %d rows, %v", len(ents), err)
	}
	// One entity loses its members: absent from both answers.
	if _, err := db.ExecContext(ctx, `DELETE FROM registry_member WHERE entity_id = $1`, ents[7].ID); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{200, 13, 1} {
		codes, usccs := map[int64]string{}, []string(nil)
		for _, e := range ents[len(ents)-n:] {
			codes[e.ID] = e.USCC
			usccs = append(usccs, e.USCC)
		}
		want, err := reg.MembersByUSCC(ctx, usccs)
		if err != nil || len(want) == 0 {
			t.Fatalf("MembersByUSCC: %d entities, %v", len(want), err)
		}
		got, err := reg.MembersByEntityID(ctx, codes)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d entities: by id %d entities, by code %d; they differ", n, len(got), len(want))
		}
	}
	if got, err := reg.MembersByEntityID(ctx, map[int64]string{ents[7].ID: ents[7].USCC}); err != nil || len(got) != 0 {
		t.Errorf("an entity without members: %v, %v", got, err)
	}
}

// A page of a name search reads the postings of one bigram of the term
// from the cursor on, through registry_name_bigram's primary key, and the
// registry's rows only through the code of each posting: never a scan of
// the registry or a walk of its code index testing every name. For a
// common term the walk stops with the page: it reads a page's postings,
// not all of them (counted by EXPLAIN ANALYZE, not timed).
func TestNameSearchPlan(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, market.Setup, w)
	if _, err := db.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, term := range []string{w.Entities[17].Name, "对俄", "有限", "黑河", "五大连池", "有限公司"} {
		rec := &recorder{ExtContext: db}
		reg := &market.RegistryStore{DB: rec}
		if _, err := reg.ListEntities(ctx, market.ListFilter{NameContains: term}, "", 21); err != nil {
			t.Fatal(err)
		}
		var js string
		if err := db.Get(&js, `EXPLAIN (ANALYZE, FORMAT JSON) `+rec.query, rec.args...); err != nil {
			t.Fatal(err)
		}
		var plan []struct{ Plan planNode }
		if err := json.Unmarshal([]byte(js), &plan); err != nil || len(plan) != 1 {
			t.Fatalf("%q: reading the plan: %v", term, err)
		}
		// The statement's own nodes, the choice of a bigram (an InitPlan)
		// aside.
		var nodes []string
		postings := -1.0
		var walk func(n planNode)
		walk = func(n planNode) {
			if n.Parent == "InitPlan" || n.Parent == "SubPlan" {
				return
			}
			nodes = append(nodes, strings.TrimSpace(n.Type+" "+n.Relation+" "+n.Index))
			if n.Relation == "registry_name_bigram" {
				postings = n.Rows * n.Loops
			}
			for _, c := range n.Plans {
				walk(c)
			}
		}
		walk(plan[0].Plan)
		shape := strings.Join(nodes, " → ")
		for _, n := range nodes {
			if strings.Contains(n, "registry_entity") && n != "Index Scan registry_entity registry_entity_uscc_key" {
				t.Errorf("%q: the registry read otherwise than by each posting's code: %s", term, shape)
			}
		}
		if !strings.Contains(shape, "registry_name_bigram_pkey") {
			t.Errorf("%q: the postings not read by their key: %s", term, shape)
		}
		if term == "有限" || term == "黑河" {
			// Hundreds of names hold these: the page is a walk in code
			// order that stops with it.
			if nodes[0] != "Limit" || strings.Contains(shape, "Sort") || postings > 21 {
				t.Errorf("%q: not a walk of the postings that stops with the page (%v postings read): %s", term, postings, shape)
			}
		}
	}
}

type planNode struct {
	Type     string     `json:"Node Type"`
	Parent   string     `json:"Parent Relationship"`
	Relation string     `json:"Relation Name"`
	Index    string     `json:"Index Name"`
	Rows     float64    `json:"Actual Rows"`
	Loops    float64    `json:"Actual Loops"`
	Plans    []planNode `json:"Plans"`
}

// The postings follow the registry: a new entity, a renamed one, a code
// changed and an entity deleted are found as they now are; an update that
// touches neither name nor code leaves the postings alone.
func TestNamePostingsFollowTheRegistry(t *testing.T) {
	t.Parallel()
	w := world.New(7, 50)
	db := dstest.Open(t, market.Setup, w)
	reg := &market.RegistryStore{DB: db}
	ctx := context.Background()
	e0, e1, e2 := w.Entities[0], w.Entities[1], w.Entities[2]
	db.MustExec(`INSERT INTO registry_entity (uscc, name, entity_type, status, established_on, address, division_code, legal_rep_name)
		VALUES ('91231100TEST00001X', '黑河市对俄瑶池贸易有限公司', '1110', '存续', '2020-01-01', '黑河市', '231100', '张三')`)
	db.MustExec(`UPDATE registry_entity SET name = '孙吴县瑶池饭店' WHERE uscc = $1`, e0.USCC)
	db.MustExec(`UPDATE registry_entity SET uscc = '91231100TEST00002X' WHERE uscc = $1`, e1.USCC)
	db.MustExec(`DELETE FROM registry_member WHERE entity_id = (SELECT id FROM registry_entity WHERE uscc = $1)`, e2.USCC)
	db.MustExec(`DELETE FROM registry_entity WHERE uscc = $1`, e2.USCC)
	db.MustExec(`UPDATE registry_entity SET status = '吊销'`)
	for _, term := range []string{"瑶池", "对俄瑶池", "饭店", string([]rune(e0.Name)[1:3]), string([]rune(e1.Name)[1:3]), string([]rune(e2.Name)[1:3]), "有限"} {
		got, err := reg.ListEntities(ctx, market.ListFilter{NameContains: term}, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		sameUSCCs(t, term, got, scan(t, db, term))
	}
	var stray int
	if err := db.Get(&stray, `SELECT count(*) FROM (SELECT p.bigram, p.uscc FROM registry_name_bigram p
		EXCEPT SELECT b, e.uscc FROM registry_entity e, unnest(e.name_bigrams) b) x`); err != nil || stray != 0 {
		t.Errorf("%d postings of no entity's name (%v)", stray, err)
	}
	var missing int
	if err := db.Get(&missing, `SELECT count(*) FROM (SELECT b, e.uscc FROM registry_entity e, unnest(e.name_bigrams) b
		EXCEPT SELECT p.bigram, p.uscc FROM registry_name_bigram p) x`); err != nil || missing != 0 {
		t.Errorf("%d bigrams of names without their postings (%v)", missing, err)
	}
}

// scan is what a name search must find: the codes of the names holding the
// term, case aside, in code order.
func scan(t *testing.T, db *sqldb.DB, term string) []string {
	t.Helper()
	var want []string
	if err := db.Select(&want, `SELECT uscc FROM registry_entity WHERE strpos(lower(name), lower($1)) > 0 ORDER BY uscc`, term); err != nil {
		t.Fatal(err)
	}
	return want
}

func sameUSCCs(t *testing.T, what string, got []*market.Entity, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d entities, a scan finds %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if got[i].USCC != want[i] {
			t.Errorf("%s: entity %d is %s, a scan's %s", what, i, got[i].USCC, want[i])
			return
		}
	}
}

// recorder passes statements on and keeps the last one's text and values,
// and the first one's sent by QueryRowxContext (a count's).
type recorder struct {
	sqlx.ExtContext
	query     string
	args      []any
	first     string
	firstArgs []any
}

func (r *recorder) QueryRowxContext(ctx context.Context, q string, args ...any) *sqlx.Row {
	if r.first == "" {
		r.first, r.firstArgs = q, args
	}
	r.query, r.args = q, args
	return r.ExtContext.QueryRowxContext(ctx, q, args...)
}

func (r *recorder) QueryxContext(ctx context.Context, q string, args ...any) (*sqlx.Rows, error) {
	r.query, r.args = q, args
	return r.ExtContext.QueryxContext(ctx, q, args...)
}

// QueryContext is how the registry's entity reads, scanned by position,
// send their statement.
func (r *recorder) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.query, r.args = q, args
	return r.ExtContext.QueryContext(ctx, q, args...)
}

// A seed writes the name postings after the registry's rows, with the
// insert trigger off meanwhile: afterwards they are exactly the postings
// the trigger writes, their primary key is back, and the trigger is on
// again, so that an entity registered after the seed is found by name.
func TestSeedLeavesThePostingsAsTheTriggersKeepThem(t *testing.T) {
	t.Parallel()
	w := world.New(11, 300)
	db := dstest.Open(t, market.Setup, w)
	ctx := context.Background()
	var postings, want, differ int
	if err := db.Get(&postings, `SELECT count(*) FROM registry_name_bigram`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&want, `SELECT count(*) FROM registry_entity e, unnest(e.name_bigrams) b`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&differ, `SELECT count(*) FROM (
		(SELECT p.bigram, p.uscc FROM registry_name_bigram p EXCEPT SELECT b, e.uscc FROM registry_entity e, unnest(e.name_bigrams) b)
		UNION ALL
		(SELECT b, e.uscc FROM registry_entity e, unnest(e.name_bigrams) b EXCEPT SELECT p.bigram, p.uscc FROM registry_name_bigram p)) x`); err != nil {
		t.Fatal(err)
	}
	if postings == 0 || postings != want || differ != 0 {
		t.Errorf("%d postings after the seed, %d bigrams of names, %d differ", postings, want, differ)
	}
	var triggers []struct {
		Name    string `db:"tgname"`
		Enabled string `db:"tgenabled"`
	}
	if err := db.Select(&triggers, `SELECT tgname, tgenabled::text FROM pg_trigger
		WHERE tgrelid = 'registry_entity'::regclass AND tgname LIKE 'registry_name_bigram%' ORDER BY tgname`); err != nil {
		t.Fatal(err)
	}
	if len(triggers) != 3 {
		t.Errorf("%d triggers of the postings on the registry, want 3: %v", len(triggers), triggers)
	}
	for _, tg := range triggers {
		if tg.Enabled != "O" {
			t.Errorf("trigger %s is %q after the seed, want enabled (O)", tg.Name, tg.Enabled)
		}
	}
	var key string
	if err := db.Get(&key, `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'registry_name_bigram_pkey'`); err != nil || key != "PRIMARY KEY (bigram, uscc)" {
		t.Errorf("the postings' key after the seed: %q (%v)", key, err)
	}
	db.MustExec(`INSERT INTO registry_entity (uscc, name, entity_type, status, established_on, address, division_code, legal_rep_name)
		VALUES ('91231100TEST00003X', '爱辉区瑶池五金商店', '9600', '存续', '2020-01-01', '黑河市', '231102', '李四')`)
	got, err := (&market.RegistryStore{DB: db}).ListEntities(ctx, market.ListFilter{NameContains: "瑶池"}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	sameUSCCs(t, "瑶池 after the seed", got, scan(t, db, "瑶池"))
	if len(got) == 0 {
		t.Error("an entity registered after the seed is not found by name")
	}
}
