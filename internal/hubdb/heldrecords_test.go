package hubdb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"credithub/datasources"
	"credithub/datasources/dstest"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/sqldb"
)

const (
	heldE1     = "91110000600037341L"
	heldE2     = "91310115MA1K3BTP2B"
	heldPerson = "11010519491231002X"
)

// heldBench is a hub database holding records of two entities and a person.
type heldBench struct {
	db  *sqldb.DB
	src *hubdb.RecordSource
	ids map[string][]int64 // by subject key, in the order added
}

func newHeldBench(t *testing.T) *heldBench {
	t.Helper()
	db := dstest.Open(t, hubdb.Setup, nil)
	b := &heldBench{db: db, src: &hubdb.RecordSource{DB: hubdb.New(db.DB)}, ids: map[string][]int64{}}
	sev := credit.General
	for _, r := range []hubdb.HubRecordRow{
		{Kind: credit.KindListing, SubjectUSCC: heldE1, Department: "market", Summary: "列入联合惩戒对象名单", Detail: hubdb.Detail{ListType: credit.ListJointPunishment, ListEntryID: "L1"}},
		{Kind: credit.KindKeyAttention, SubjectUSCC: heldE1, Department: "market", Summary: "列入重点关注名单", Detail: hubdb.Detail{Domain: "食品", ListEntryID: "L2"}},
		{Kind: credit.KindInterview, SubjectUSCC: heldE1, Department: "fire", Summary: "约谈"},
		{Kind: credit.KindCommitmentBreach, SubjectUSCC: heldE1, Department: "environment", Summary: "违背承诺", Severity: &sev},
		{Kind: credit.KindSelfDeclaration, SubjectUSCC: heldE1, Department: "housing", Summary: "自我声明", Detail: hubdb.Detail{Title: "资质", Verification: "DECLARED"}},
		{Kind: credit.KindCommitmentBreach, SubjectUSCC: heldE1, Department: "nobody", Summary: "违背承诺（部门已撤并）", Severity: &sev},
		{Kind: credit.KindListing, SubjectUSCC: heldE2, Department: "court", Summary: "列入失信名单"},
		{Kind: credit.KindListing, SubjectIDNo: heldPerson, SubjectName: "张三", Department: "court", Summary: "法定代表人列入名单"},
	} {
		key := r.SubjectUSCC + r.SubjectIDNo
		// Two decisions a day apart, several kinds on one day: the order
		// within a day is the kind's, then the id's.
		r.DecisionDate = time.Date(2026, 3, 10-len(b.ids[key])/3, 0, 0, 0, 0, time.UTC)
		r.CreatedAt = r.DecisionDate
		id, err := hubdb.New(db.DB).HubRecords().Add(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		b.ids[key] = append(b.ids[key], id)
	}
	return b
}

// sorted reports whether recs are in the graph's record order.
func sorted(recs []credit.Record) bool {
	return slices.IsSortedFunc(recs, func(a, b credit.Record) int {
		ca, cb := datasources.CursorOf(a), datasources.CursorOf(b)
		switch {
		case datasources.Less(ca, cb):
			return -1
		case datasources.Less(cb, ca):
			return 1
		}
		return 0
	})
}

func idsOf(recs []credit.Record) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Common().Ref.LocalID
	}
	return out
}

// Issue #16: the records the hub holds itself are read like a
// department's: a batch of subjects (entities and persons alike) in one
// statement, in the record order, each shown under the department that
// decided it (the subject itself for a self-declaration, the credit office
// for a department it does not know) and kept under the hub in its cursor.
func TestHeldRecordsReadInOneStatementPerBatch(t *testing.T) {
	t.Parallel()
	b := newHeldBench(t)
	ctx := context.Background()
	subjects := []datasources.Subject{{USCC: heldE1}, {USCC: heldE2}, {IDNumber: heldPerson}, {USCC: "91620105L015101280"}}
	before := b.db.Statements()
	got, err := b.src.Records(ctx, subjects, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if n := b.db.Statements() - before; n != 1 {
		t.Errorf("%d statements for a batch of 4 subjects, want 1", n)
	}
	for key, n := range map[string]int{heldE1: 6, heldE2: 1, heldPerson: 1, "91620105L015101280": 0} {
		if len(got[key]) != n {
			t.Errorf("%s: %d records, want %d", key, len(got[key]), n)
		}
		if !sorted(got[key]) {
			t.Errorf("%s: records not in the record order: %v", key, idsOf(got[key]))
		}
	}
	sources := map[credit.Kind][]string{}
	for _, r := range got[heldE1] {
		c := r.Common()
		if c.Ref.Source != hubdb.Source || c.Subject != (credit.Subject{USCC: heldE1}) {
			t.Errorf("record %d: ref %+v, subject %+v", c.Ref.LocalID, c.Ref, c.Subject)
		}
		sources[c.Kind] = append(sources[c.Kind], c.Source.Code)
		if c.Kind == credit.KindSelfDeclaration && c.Authority != nil {
			t.Errorf("a self-declaration has an authority: %s", *c.Authority)
		}
	}
	want := map[credit.Kind][]string{credit.KindListing: {"market"}, credit.KindKeyAttention: {"market"}, credit.KindInterview: {"fire"},
		credit.KindCommitmentBreach: {"environment", hubdb.Source}, credit.KindSelfDeclaration: {credit.SelfDeclared.Code}}
	for k, w := range want {
		g := slices.Clone(sources[k])
		slices.Sort(g)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("%s shown under %v, want %v", k, g, w)
		}
	}
	if p := got[heldPerson]; len(p) == 1 && p[0].Common().Subject != (credit.Subject{IDNumber: heldPerson}) {
		t.Errorf("the person's record is about %+v", p[0].Common().Subject)
	}

	// Counts: one statement, every record of each subject.
	before = b.db.Statements()
	counts, err := b.src.Counts(ctx, subjects)
	if err != nil {
		t.Fatal(err)
	}
	if n := b.db.Statements() - before; n != 1 {
		t.Errorf("%d statements for 4 counts, want 1", n)
	}
	if fmt.Sprint(counts) != fmt.Sprint(map[string]int{heldE1: 6, heldE2: 1, heldPerson: 1, "91620105L015101280": 0}) {
		t.Errorf("counts %v", counts)
	}
}

// Pages after a cursor neither skip nor repeat a record, whichever
// source's cursor they start after; filters on kinds and dates are SQL.
func TestHeldRecordsPageFilterAndFindByReference(t *testing.T) {
	t.Parallel()
	b := newHeldBench(t)
	ctx := context.Background()
	e1 := []datasources.Subject{{USCC: heldE1}}
	all, err := b.src.Records(ctx, e1, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var walked []credit.Record
	q := datasources.Query{Limit: 2}
	for range 10 {
		page, err := b.src.Records(ctx, e1, q)
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, page[heldE1]...)
		if len(page[heldE1]) < q.Limit {
			break
		}
		q.After = datasources.CursorOf(page[heldE1][len(page[heldE1])-1])
	}
	if fmt.Sprint(idsOf(walked)) != fmt.Sprint(idsOf(all[heldE1])) {
		t.Errorf("pages of 2 gave %v, one page %v", idsOf(walked), idsOf(all[heldE1]))
	}

	// After another source's record of the newest day: the hub comes after
	// every department on a day, so the whole day is still to come; after
	// the hub's own last record of the day, only the older day.
	newest := all[heldE1][0].Common().DecisionDate.String()
	for _, c := range []struct {
		after datasources.Cursor
		want  int
	}{
		{datasources.Cursor{Date: newest, Source: datasources.Court, Kind: credit.KindDishonestDebtor, LocalID: 1}, 6},
		{datasources.Cursor{Date: newest, Source: datasources.Market, Kind: credit.KindPenalty, LocalID: 99}, 6},
		{datasources.CursorOf(all[heldE1][2]), 3},
	} {
		got, err := b.src.Records(ctx, e1, datasources.Query{After: c.after})
		if err != nil {
			t.Fatal(err)
		}
		if len(got[heldE1]) != c.want {
			t.Errorf("after %+v: %d records, want %d", c.after, len(got[heldE1]), c.want)
		}
	}

	listings, err := b.src.Records(ctx, e1, datasources.Query{Kinds: datasources.KindSetOf(credit.KindListing, credit.KindPenalty)})
	if err != nil {
		t.Fatal(err)
	}
	if len(listings[heldE1]) != 1 || listings[heldE1][0].Common().Kind != credit.KindListing {
		t.Errorf("kinds LISTING and PENALTY gave %v", listings[heldE1])
	}
	before := b.db.Statements()
	none, err := b.src.Records(ctx, e1, datasources.Query{Kinds: datasources.KindSetOf(credit.KindPenalty)})
	if err != nil || len(none[heldE1]) != 0 || b.db.Statements() != before {
		t.Errorf("a kind the hub does not hold: %v, %v, %d statements", none, err, b.db.Statements()-before)
	}
	older := all[heldE1][len(all[heldE1])-1].Common().DecisionDate.String()
	dated, err := b.src.Records(ctx, e1, datasources.Query{To: older})
	if err != nil {
		t.Fatal(err)
	}
	if len(dated[heldE1]) != 3 {
		t.Errorf("decided up to %s: %d records, want 3", older, len(dated[heldE1]))
	}

	// By reference: the kind must match; another source's reference is
	// not the hub's to answer.
	id := b.ids[heldE1][0]
	right := credit.Ref{Source: hubdb.Source, Kind: credit.KindListing, LocalID: id}
	wrong := credit.Ref{Source: hubdb.Source, Kind: credit.KindInterview, LocalID: id}
	market := credit.Ref{Source: datasources.Market, Kind: credit.KindListing, LocalID: id}
	found, err := b.src.ByRef(ctx, []credit.Ref{right, wrong, market})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[right] == nil || found[right].Common().Summary != "列入联合惩戒对象名单" {
		t.Errorf("by reference: %v", found)
	}
}

// SECURITY: a subject's key, a cursor's fields and a kind are parameters:
// a hostile key finds nothing and breaks nothing.
func TestHeldRecordsHostileKeys(t *testing.T) {
	t.Parallel()
	b := newHeldBench(t)
	ctx := context.Background()
	for _, key := range []string{"' OR 1=1 --", heldE1 + "' OR '1'='1", `\'; DROP TABLE hub_record; --`} {
		got, err := b.src.Records(ctx, []datasources.Subject{{USCC: key}, {IDNumber: key}}, datasources.Query{
			After: datasources.Cursor{Date: "2026-03-10", Source: hubdb.Source, Kind: credit.Kind("X' OR '1'='1"), LocalID: 1}})
		if err != nil {
			t.Fatalf("%q: %v", key, err)
		}
		for k, rs := range got {
			if len(rs) > 0 {
				t.Errorf("%q: %d records of %q", key, len(rs), k)
			}
		}
	}
	n, err := b.src.Counts(ctx, []datasources.Subject{{USCC: heldE1}})
	if err != nil || n[heldE1] != 6 {
		t.Errorf("after hostile keys: %v, %v", n, err)
	}
}

// The city-wide stream's part of the hub: openness as kinds for entities
// and persons, the caller's own records, divisions by the entities' codes,
// and the filter on sources applied to each row's department.
func TestHeldRecordsInTheCityStream(t *testing.T) {
	t.Parallel()
	b := newHeldBench(t)
	ctx := context.Background()
	all := []credit.Kind{credit.KindListing, credit.KindKeyAttention, credit.KindInterview, credit.KindCommitmentBreach, credit.KindSelfDeclaration}
	public := []credit.Kind{credit.KindListing, credit.KindCommitmentBreach, credit.KindSelfDeclaration}
	count := func(q datasources.CityQuery) (int, map[string]int) {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 100
		}
		rows, err := b.src.CityRows(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]int{}
		var recs []credit.Record
		for _, r := range rows {
			rec, err := r.Record()
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, rec)
			by[rec.Common().Source.Code]++
		}
		if !sorted(recs) {
			t.Errorf("%+v: rows not in the record order", q)
		}
		return len(rows), by
	}
	if n, _ := count(datasources.CityQuery{EntityKinds: all, PersonKinds: all}); n != 8 {
		t.Errorf("everything: %d rows, want 8", n)
	}
	if n, _ := count(datasources.CityQuery{EntityKinds: all}); n != 7 {
		t.Errorf("entities only: %d rows, want 7", n)
	}
	if n, _ := count(datasources.CityQuery{EntityKinds: public}); n != 5 {
		t.Errorf("the public's kinds: %d rows, want 5", n)
	}
	// An entity reading the stream sees its own key-attention record and
	// interview (shared kinds), not another's.
	if n, _ := count(datasources.CityQuery{EntityKinds: public, Own: datasources.Subject{USCC: heldE1}, OwnKinds: all}); n != 7 {
		t.Errorf("the public's kinds and entity 1's own: %d rows, want 7", n)
	}
	if n, by := count(datasources.CityQuery{EntityKinds: all, PersonKinds: all, Sources: []string{"market", "court"}}); n != 4 || by["market"] != 2 || by["court"] != 2 {
		t.Errorf("sources market and court: %d rows %v, want 2 and 2", n, by)
	}
	if n, _ := count(datasources.CityQuery{EntityKinds: all, PersonKinds: all, Sources: []string{"fire"}, From: "2026-03-10"}); n != 1 {
		t.Errorf("fire's from 2026-03-10: %d rows, want its interview", n)
	}
	if n, _ := count(datasources.CityQuery{EntityKinds: all, PersonKinds: all, Sources: []string{"fire"}, To: "2026-03-09"}); n != 0 {
		t.Errorf("fire's up to 2026-03-09: %d rows, want 0 (its interview is of the 10th)", n)
	}
	if n, by := count(datasources.CityQuery{EntityKinds: all, Sources: []string{credit.SelfDeclared.Code, hubdb.Source}}); n != 2 || by[hubdb.Source] != 1 {
		t.Errorf("the self-declared and the credit office's: %d rows %v, want one each", n, by)
	}
	div := datasources.EntityDivisions{USCCs: []string{heldE2}, RegNos: []string{""}, Divisions: []string{"231102"}}
	if n, _ := count(datasources.CityQuery{EntityKinds: all, PersonKinds: all, FilterDivisions: true, Divisions: div}); n != 1 {
		t.Errorf("entity 2's division: %d rows, want its one (no person has a division)", n)
	}
	if n, _ := count(datasources.CityQuery{EntityKinds: all, FilterDivisions: true}); n != 0 {
		t.Errorf("no entity in the divisions asked: %d rows", n)
	}
	// Paging the stream after the hub's own cursor.
	first, err := b.src.CityRows(ctx, datasources.CityQuery{EntityKinds: all, PersonKinds: all, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	rest, err := b.src.CityRows(ctx, datasources.CityQuery{EntityKinds: all, PersonKinds: all, Limit: 100, After: first[2].Cursor})
	if err != nil {
		t.Fatal(err)
	}
	if len(first)+len(rest) != 8 {
		t.Errorf("3 then %d rows, want 8 in all", len(rest))
	}
}

// The day a record is decided reads back as that day in China.
func TestHeldRecordDatesAreDays(t *testing.T) {
	t.Parallel()
	b := newHeldBench(t)
	got, err := b.src.Records(context.Background(), []datasources.Subject{{USCC: heldE2}}, datasources.Query{})
	if err != nil || len(got[heldE2]) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	if d := got[heldE2][0].Common().DecisionDate; d != scalars.NewDate(2026, 3, 10) {
		t.Errorf("decided %s, want 2026-03-10", d)
	}
}
