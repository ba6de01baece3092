package market_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"credithub/datasources/dstest"
	"credithub/datasources/market"
	"credithub/dev/world"
	"credithub/internal/ident"
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
// finds, through the bigram index when the planner may not scan; one
// character still works (by a scan). Counts are exact up to the cap and
// PostgreSQL's estimate past it, never below the cap.
func TestNameSearchAndCounts(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, market.Setup, w)
	reg := &market.RegistryStore{DB: db}
	ctx := context.Background()
	name := []rune(w.Entities[17].Name)
	for _, term := range []string{string(name[2:4]), string(name[1:4]), string(name[len(name)-2:]), string(name[3:4]), "黑河", "%_\\"} {
		got, err := reg.ListEntities(ctx, market.ListFilter{NameContains: term}, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		if err := db.Select(&want, `SELECT uscc FROM registry_entity WHERE strpos(lower(name), lower($1)) > 0 ORDER BY uscc`, term); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%q: %d entities, a scan finds %d", term, len(got), len(want))
			continue
		}
		for i := range got {
			if got[i].USCC != want[i] {
				t.Errorf("%q: entity %d is %s, a scan's %s", term, i, got[i].USCC, want[i])
			}
		}
		if n, exact, err := reg.CountEntities(ctx, market.ListFilter{NameContains: term}); err != nil || n != len(want) || !exact {
			t.Errorf("%q: counted %d (exact %v, %v), want %d", term, n, exact, err, len(want))
		}
	}
	// The index answers a two-character term when a scan is ruled out.
	tx := db.MustBegin()
	defer tx.Rollback()
	tx.MustExec(`SET LOCAL enable_seqscan = off`)
	var plan []string
	if err := tx.Select(&plan, `EXPLAIN SELECT uscc FROM registry_entity e WHERE e.name_bigrams @> name_bigrams('黑河')`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "registry_entity_name_bigram") {
		t.Errorf("the bigram index is not used:\n%s", strings.Join(plan, "\n"))
	}
	// Past the cap: an estimate, not below it.
	capped := &market.RegistryStore{DB: db, CountCap: 50}
	n, exact, err := capped.CountEntities(ctx, market.ListFilter{})
	if err != nil || exact || n <= 50 {
		t.Errorf("300 entities with a cap of 50: %d (exact %v, %v), want an estimate above 50", n, exact, err)
	}
	if n, exact, _ := capped.CountEntities(ctx, market.ListFilter{NameContains: string(name)}); !exact || n < 1 {
		t.Errorf("one entity's full name with a cap of 50: %d (exact %v)", n, exact)
	}
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
