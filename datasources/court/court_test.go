package court_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"credithub/datasources"
	"credithub/datasources/court"
	"credithub/datasources/dstest"
	"credithub/dev/world"
	"credithub/internal/credit"
	"credithub/internal/ident"
	"credithub/internal/sqldb"
)

// idNumber matches anything shaped like a resident ID number.
var idNumber = regexp.MustCompile(`\d{17}[\dXx]`)

func entitySubject(e *world.Entity) datasources.Subject {
	return datasources.Subject{USCC: e.USCC, OrgCode: e.OrgCode, RegNo: e.RegNo}
}

func checkOrder(t *testing.T, recs []credit.Record) {
	t.Helper()
	for i := 1; i < len(recs); i++ {
		if datasources.Less(datasources.CursorOf(recs[i]), datasources.CursorOf(recs[i-1])) {
			t.Errorf("record %d (%s) comes before record %d (%s)", i, recs[i].Common().DecisionDate, i-1, recs[i-1].Common().DecisionDate)
		}
	}
}

// checkRecord checks what every court record must carry: the case number of
// one of the courts, the court as authority, the severity and status of its
// kind, publication for the lists the law makes public, and a summary
// without an ID number.
func checkRecord(t *testing.T, r credit.Record, want credit.Subject) {
	t.Helper()
	b := r.Common()
	if b.ID == "" || b.Source == nil || b.Source.Code != datasources.Court || b.Ref.Source != datasources.Court {
		t.Errorf("record without id or source: %+v", b)
	}
	if b.Subject != want {
		t.Errorf("%s %v: subject %+v, want %+v", b.Kind, b.Ref, b.Subject, want)
	}
	if b.DecisionNo == nil || !strings.HasPrefix(*b.DecisionNo, "(") || !strings.Contains(*b.DecisionNo, "黑11") {
		t.Errorf("%s: case number %v", b.Kind, b.DecisionNo)
	}
	if b.DecisionDate.IsZero() || b.Authority == nil || b.Summary == "" || !strings.HasPrefix(b.Summary, *b.DecisionNo+" ") {
		t.Errorf("%s: date %v authority %v summary %q", b.Kind, b.DecisionDate, b.Authority, b.Summary)
	}
	// SECURITY: a summary is shown where the ID number may not be.
	if idNumber.MatchString(b.Summary) {
		t.Errorf("%s: summary %q carries an ID number", b.Kind, b.Summary)
	}
	var courtName string
	var ended bool
	wantSev := credit.Serious
	switch rec := r.(type) {
	case *credit.DishonestDebtor:
		courtName, ended = rec.Court, rec.RemovedOn != nil
		if b.Kind != credit.KindDishonestDebtor || rec.Obligation == "" || rec.Behaviour == "" || rec.EnforcementBasis == nil ||
			(rec.Performance != "全部未履行" && rec.Performance != "部分未履行") {
			t.Errorf("dishonest debtor %+v", rec)
		}
		if b.PublishedOn == nil {
			t.Errorf("%v: a dishonest debtor entry must be published", b.Ref)
		}
	case *credit.ConsumptionRestriction:
		courtName, ended = rec.Court, rec.LiftedOn != nil
		wantSev = credit.General
		if b.Kind != credit.KindConsumptionRestriction {
			t.Errorf("restriction of kind %s", b.Kind)
		}
	case *credit.FalseLitigation:
		// The type has no removal date; the status alone tells.
		courtName, ended = rec.Court, b.Status == credit.Expired
		if b.Kind != credit.KindFalseLitigation || rec.Description == "" {
			t.Errorf("false litigation %+v", rec)
		}
		if b.PublishedOn == nil {
			t.Errorf("%v: a false-litigation entry must be published", b.Ref)
		}
	default:
		t.Fatalf("unexpected record type %T", r)
	}
	if *b.Authority != courtName {
		t.Errorf("%s: authority %q, court %q", b.Kind, *b.Authority, courtName)
	}
	if (b.Status == credit.Expired) != ended || (b.Status != credit.Expired && b.Status != credit.Effective) {
		t.Errorf("%s: status %s, ended %v", b.Kind, b.Status, ended)
	}
	if b.Severity == nil || *b.Severity != wantSev {
		t.Errorf("%s: severity %v, want %s", b.Kind, b.Severity, wantSev)
	}
}

func kindsOf(recs []credit.Record) map[credit.Kind][]credit.Ref {
	m := map[credit.Kind][]credit.Ref{}
	for _, r := range recs {
		m[r.Common().Kind] = append(m[r.Common().Kind], r.Common().Ref)
	}
	return m
}

func TestShowcases(t *testing.T) {
	t.Parallel()
	w := world.New(13, 300)
	db := dstest.Open(t, court.Setup, w)
	src := court.NewSource(db)
	ctx := context.Background()

	var subs []datasources.Subject
	for _, e := range w.Entities[:world.ShowcaseCount] {
		subs = append(subs, entitySubject(e))
	}
	got, err := src.Records(ctx, subs, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range w.Entities[:world.ShowcaseCount] {
		recs := got[e.USCC]
		checkOrder(t, recs)
		for _, r := range recs {
			checkRecord(t, r, credit.Subject{USCC: e.USCC})
			c := r.Common()
			if c.Kind == credit.KindDishonestDebtor && c.SubjectName != e.Name {
				t.Errorf("%s: listed as %q, registered as %q", e.USCC, c.SubjectName, e.Name)
			}
			local, mid := court.CourtOf(e.Division), court.Intermediate
			if name := *c.Authority; name != local.Name && name != mid.Name {
				t.Errorf("%s in %s: decided by %s, want %s or %s", e.USCC, e.Division, name, local.Name, mid.Name)
			}
		}
		kinds := kindsOf(recs)
		want := []credit.Kind{credit.KindDishonestDebtor, credit.KindConsumptionRestriction}
		if e.Index == 0 {
			want = append(want, credit.KindFalseLitigation)
		}
		for _, k := range want {
			if len(kinds[k]) == 0 {
				t.Errorf("showcase %d (%s) has no %s; has %v", e.Index, e.USCC, k, kinds)
			}
		}

		// The restriction binds the legal representative, so it is among
		// the representative's own records, which show the person as subject;
		// the organisation's listings are not.
		rep := e.LegalRep.IDNo
		personal, err := src.Records(ctx, []datasources.Subject{{IDNumber: rep}}, datasources.Query{})
		if err != nil {
			t.Fatal(err)
		}
		mine := map[credit.Ref]bool{}
		for _, r := range personal[rep] {
			checkRecord(t, r, credit.Subject{IDNumber: rep})
			mine[r.Common().Ref] = true
		}
		checkOrder(t, personal[rep])
		for _, ref := range kinds[credit.KindConsumptionRestriction] {
			if !mine[ref] {
				t.Errorf("showcase %d: restriction %v is not among its legal representative's records", e.Index, ref)
			}
		}
		for _, k := range []credit.Kind{credit.KindDishonestDebtor, credit.KindFalseLitigation} {
			for _, ref := range kinds[k] {
				if mine[ref] {
					t.Errorf("showcase %d: the organisation's %s %v is among its representative's records", e.Index, k, ref)
				}
			}
		}
	}

	// The first individual is on every list.
	p := w.Individuals[0].IDNo
	personal, err := src.Records(ctx, []datasources.Subject{{IDNumber: p}}, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range personal[p] {
		checkRecord(t, r, credit.Subject{IDNumber: p})
		if name := r.Common().SubjectName; name != w.Individuals[0].Name {
			t.Errorf("individual 0's %s names %q, want %q", r.Common().Kind, name, w.Individuals[0].Name)
		}
	}
	kinds := kindsOf(personal[p])
	for _, k := range []credit.Kind{credit.KindDishonestDebtor, credit.KindConsumptionRestriction, credit.KindFalseLitigation} {
		if len(kinds[k]) == 0 {
			t.Errorf("individual 0 has no %s; has %v", k, kinds)
		}
	}
}

type listRow struct {
	kind       credit.Kind
	id         int64
	party      string
	restricted string
}

// loadLists reads who every list row is about straight from the tables.
func loadLists(t *testing.T, db *sqldb.DB) (rows []listRow, partyType, partyName map[string]string) {
	t.Helper()
	ctx := context.Background()
	q := `SELECT 'DISHONEST_DEBTOR', id, party_id_no, '' FROM dishonest_debtor
		UNION ALL SELECT 'CONSUMPTION_RESTRICTION', id, party_id_no, coalesce(restricted_person_id_no, '') FROM consumption_restriction
		UNION ALL SELECT 'FALSE_LITIGATION', id, party_id_no, '' FROM false_litigation`
	rs, err := db.QueryxContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var r listRow
		if err := rs.Scan(&r.kind, &r.id, &r.party, &r.restricted); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	partyType, partyName = map[string]string{}, map[string]string{}
	ps, err := db.QueryxContext(ctx, `SELECT party_id_no, party_type, name FROM party`)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	for ps.Next() {
		var id, typ, name string
		if err := ps.Scan(&id, &typ, &name); err != nil {
			t.Fatal(err)
		}
		partyType[id], partyName[id] = typ, name
	}
	return rows, partyType, partyName
}

func TestEntitiesAndPersonsStayApart(t *testing.T) {
	t.Parallel()
	w := world.New(17, 800)
	db := dstest.Open(t, court.Setup, w)
	src := court.NewSource(db)
	ctx := context.Background()
	rows, partyType, partyName := loadLists(t, db)

	// What each party should see: an organisation its own rows; a person
	// their own rows and the restrictions that bind them.
	want := map[string]map[credit.Ref]bool{}
	bindsAnother := map[credit.Ref]bool{} // restrictions that name a second person
	add := func(key string, r listRow) {
		if want[key] == nil {
			want[key] = map[credit.Ref]bool{}
		}
		want[key][credit.Ref{Source: datasources.Court, Kind: r.kind, LocalID: r.id}] = true
	}
	for _, r := range rows {
		add(r.party, r)
		if r.restricted != "" {
			bindsAnother[credit.Ref{Source: datasources.Court, Kind: r.kind, LocalID: r.id}] = true
			if partyType[r.restricted] != court.PartyPerson {
				t.Fatalf("restriction %d binds a party of type %q", r.id, partyType[r.restricted])
			}
			add(r.restricted, r)
		}
	}
	var subs, swapped []datasources.Subject
	var persons, orgs int
	for id, typ := range partyType {
		switch typ {
		case court.PartyOrganisation:
			orgs++
			subs = append(subs, datasources.Subject{USCC: id})
			swapped = append(swapped, datasources.Subject{IDNumber: id})
		case court.PartyPerson:
			persons++
			subs = append(subs, datasources.Subject{IDNumber: id})
			swapped = append(swapped, datasources.Subject{USCC: id})
		}
	}
	if orgs < world.ShowcaseCount || persons < world.ShowcaseCount {
		t.Fatalf("seed has %d organisations and %d persons", orgs, persons)
	}

	before := db.Statements()
	got, err := src.Records(ctx, subs, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 2 {
		t.Errorf("entities and persons together cost %d statements, want 2 (one each)", n)
	}
	counts, err := src.Counts(ctx, subs)
	if err != nil {
		t.Fatal(err)
	}
	var all []credit.Ref
	for _, sub := range subs {
		key := sub.Key()
		wantSub := credit.Subject{USCC: sub.USCC, IDNumber: sub.IDNumber}
		gotRefs := map[credit.Ref]bool{}
		for _, r := range got[key] {
			b := r.Common()
			checkRecord(t, r, wantSub)
			gotRefs[b.Ref] = true
			all = append(all, b.Ref)
			// The name, when there is one, is the subject's as the court
			// lists it, never that of the other party of an order.
			if (b.SubjectName == "") != bindsAnother[b.Ref] || (b.SubjectName != "" && b.SubjectName != partyName[key]) {
				t.Errorf("%v: subject name %q for a party named %q", b.Ref, b.SubjectName, partyName[key])
			}
		}
		checkOrder(t, got[key])
		if len(gotRefs) != len(want[key]) || counts[key] != len(want[key]) {
			t.Errorf("%s %s: %d records (count %d), want %d", partyType[key], ident.MaskResidentIDCourt(key), len(gotRefs), counts[key], len(want[key]))
		}
		for ref := range want[key] {
			if !gotRefs[ref] {
				t.Errorf("%s %s: missing %v", partyType[key], ident.MaskResidentIDCourt(key), ref)
			}
		}
	}

	// SECURITY: a person's ID number passed as an entity's code, or a code
	// passed as an ID number, finds nothing.
	cross, err := src.Records(ctx, swapped, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for key, recs := range cross {
		if len(recs) > 0 {
			t.Errorf("the key of a party of type %s, asked as the other kind, returned %d records", partyType[key], len(recs))
		}
	}

	// Fetched by reference, a record's subject comes from the party type,
	// whatever the key's checksum says: entity 2 has a legacy code.
	legacy := w.Entities[2]
	if ident.ValidateUSCC(legacy.USCC) == nil || partyType[legacy.USCC] != court.PartyOrganisation {
		t.Fatalf("world changed: entity 2 should be a listed organisation with a legacy code")
	}
	byRef, err := src.ByRef(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	party := map[credit.Ref]string{}
	for _, r := range rows {
		party[credit.Ref{Source: datasources.Court, Kind: r.kind, LocalID: r.id}] = r.party
	}
	if len(byRef) != len(party) {
		t.Errorf("ByRef found %d of %d rows", len(byRef), len(party))
	}
	for ref, r := range byRef {
		id := party[ref]
		want := credit.Subject{USCC: id}
		if partyType[id] == court.PartyPerson {
			want = credit.Subject{IDNumber: id}
		}
		if r.Common().Subject != want {
			t.Errorf("%v: subject %+v, want the party %s", ref, r.Common().Subject, partyType[id])
		}
	}
}

// SECURITY: a row the hub cannot map must not put the party's key into the
// error, which is logged and may be shown.
func TestUnknownPartyTypeIsAnErrorWithoutTheKey(t *testing.T) {
	t.Parallel()
	const id = "11010519491231002X"
	for _, tab := range court.Tables {
		_, err := tab.Decode([]byte(`{"id":1,"case_no":"(2024)黑1102执1号","party_id_no":"` + id +
			`","party_type":"X","court_name":"黑河市爱辉区人民法院","decided_on":"2024-01-02"}`))
		if err == nil {
			t.Errorf("%s: party type X decoded", tab.Kind)
			continue
		}
		if strings.Contains(err.Error(), id) {
			t.Errorf("%s: error %q carries the ID number", tab.Kind, err)
		}
	}
}

func TestFiftyEntitiesCostOneStatement(t *testing.T) {
	t.Parallel()
	w := world.New(5, 400)
	db := dstest.Open(t, court.Setup, w)
	src := court.NewSource(db)
	ctx := context.Background()

	var subs []datasources.Subject
	for _, e := range w.Entities[:50] {
		subs = append(subs, entitySubject(e))
	}
	before := db.Statements()
	got, err := src.Records(ctx, subs, datasources.Query{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("50 subjects cost %d statements, want 1", n)
	}
	before = db.Statements()
	if _, err := src.Counts(ctx, subs); err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("counting 50 subjects cost %d statements, want 1", n)
	}
	for _, e := range w.Entities[:50] {
		recs := got[e.USCC]
		if len(recs) > 2 {
			t.Errorf("%s: %d records, limit 2", e.USCC, len(recs))
		}
		if e.Showcase && len(recs) == 0 {
			t.Errorf("showcase %s has no court records", e.USCC)
		}
		checkOrder(t, recs)
		for _, r := range recs {
			checkRecord(t, r, credit.Subject{USCC: e.USCC})
		}
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	w := world.New(3, 600)
	a := dstest.Open(t, court.Setup, w)
	b := dstest.Open(t, court.Setup, w)
	ctx := context.Background()
	for _, table := range []string{"party", "dishonest_debtor", "consumption_restriction", "false_litigation"} {
		q := `SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ` + table + ` t`
		var na, nb int
		var sa, sb string
		if err := a.QueryRowxContext(ctx, q).Scan(&na, &sa); err != nil {
			t.Fatal(err)
		}
		if err := b.QueryRowxContext(ctx, q).Scan(&nb, &sb); err != nil {
			t.Fatal(err)
		}
		if na != nb || sa != sb {
			t.Errorf("%s: %d rows (%s) and %d rows (%s) from the same world", table, na, sa, nb, sb)
		}
		if na == 0 {
			t.Errorf("%s: empty after seeding", table)
		}
	}
}
