package market_test

import (
	"context"
	"slices"
	"testing"

	"credithub/datasources"
	"credithub/datasources/dstest"
	"credithub/datasources/market"
	"credithub/dev/world"
	"credithub/internal/credit"
)

// The city-wide count and stream find an entity's records under every key
// the regulator filed them under, the old registration number included,
// each in one statement.
func TestStatsAndCityRowsFollowLegacyKeys(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, market.Setup, w)
	src := market.NewSource(db)
	ctx := context.Background()
	e := w.Entities[1]
	if e.RegNo == "" || !e.LegacyKeys {
		t.Fatalf("world changed: entity 1 should be a legacy-keyed entity, got %+v", e)
	}
	got, err := src.Records(ctx, []datasources.Subject{{USCC: e.USCC, OrgCode: e.OrgCode, RegNo: e.RegNo}}, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, r := range got[e.USCC] {
		want = append(want, r.Common().Ref.LocalID)
	}
	slices.Sort(want)

	before := db.Statements()
	counts, err := src.Stats(ctx, datasources.StatsQuery{EntityKinds: credit.Kinds})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("Stats cost %d statements, want 1", n)
	}
	byReg, total := 0, 0
	for _, c := range counts {
		switch c.Key {
		case e.USCC:
			total += c.Count
		case e.RegNo:
			total += c.Count
			byReg += c.Count
		}
	}
	if byReg == 0 || total != len(want) {
		t.Errorf("Stats: %d records of %s (%d under its registration number), want %d", total, e.USCC, byReg, len(want))
	}

	divs := datasources.EntityDivisions{USCCs: []string{e.USCC}, RegNos: []string{e.RegNo}, Divisions: []string{e.Division}}
	before = db.Statements()
	rows, err := src.CityRows(ctx, datasources.CityQuery{EntityKinds: credit.Kinds, FilterDivisions: true, Divisions: divs, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("CityRows cost %d statements, want 1", n)
	}
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.Cursor.LocalID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, want) {
		t.Errorf("CityRows of %s's division map = %v, want %v", e.USCC, ids, want)
	}
	none, err := src.CityRows(ctx, datasources.CityQuery{EntityKinds: credit.Kinds, FilterDivisions: true, Limit: 10})
	if err != nil || len(none) != 0 {
		t.Errorf("CityRows of no entity = %d rows, %v", len(none), err)
	}
}

// SECURITY: the entity itself reads in the city-wide stream its own records
// of the kinds others may not read (OwnKinds), under every key the
// regulator filed them under, and not another entity's of those kinds.
func TestCityRowsOwnRecordsFollowLegacyKeys(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, market.Setup, w)
	src := market.NewSource(db)
	ctx := context.Background()
	e := w.Entities[1]
	own := datasources.Subject{USCC: e.USCC, OrgCode: e.OrgCode, RegNo: e.RegNo}
	got, err := src.Records(ctx, []datasources.Subject{own}, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[credit.Kind][]int64{}
	for _, r := range got[e.USCC] {
		b := r.Common()
		want[b.Kind] = append(want[b.Kind], b.Ref.LocalID)
	}
	if len(want[credit.KindPenalty]) == 0 || len(want[credit.KindLicence]) == 0 {
		t.Fatalf("world changed: entity 1 has no penalty or licence: %v", want)
	}
	// Penalties as if only the entity itself might read them; licences
	// as anyone might.
	rows, err := src.CityRows(ctx, datasources.CityQuery{EntityKinds: []credit.Kind{credit.KindLicence},
		Own: own, OwnKinds: []credit.Kind{credit.KindPenalty}, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	var penalties []int64
	licences := 0
	for _, r := range rows {
		switch r.Cursor.Kind {
		case credit.KindPenalty:
			penalties = append(penalties, r.Cursor.LocalID)
		case credit.KindLicence:
			licences++
		default:
			t.Errorf("a row of kind %s", r.Cursor.Kind)
		}
	}
	slices.Sort(penalties)
	slices.Sort(want[credit.KindPenalty])
	if !slices.Equal(penalties, want[credit.KindPenalty]) {
		t.Errorf("the entity's own penalties in the stream = %v, want %v (its records, the ones under its registration number included)", penalties, want[credit.KindPenalty])
	}
	if licences <= len(want[credit.KindLicence]) {
		t.Errorf("%d licences in the stream, want every entity's (more than its %d)", licences, len(want[credit.KindLicence]))
	}
}
