package market_test

import (
	"context"
	"testing"

	"credithub/datasources"
	"credithub/datasources/dstest"
	"credithub/datasources/market"
	"credithub/dev/world"
	"credithub/internal/credit"
)

func TestRecordsIncludeRowsFiledUnderRegistrationNumbers(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, market.Setup, w)
	src := market.NewSource(db)
	ctx := context.Background()

	// Entity 1 is an old entity whose records were never re-keyed.
	e := w.Entities[1]
	if e.RegNo == "" || !e.LegacyKeys {
		t.Fatalf("world changed: entity 1 should be a legacy-keyed entity, got %+v", e)
	}
	sub := datasources.Subject{USCC: e.USCC, OrgCode: e.OrgCode, RegNo: e.RegNo}
	got, err := src.Records(ctx, []datasources.Subject{sub}, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	recs := got[e.USCC]
	var legacy int
	for _, r := range recs {
		b := r.Common()
		if b.LegacyKey != nil && *b.LegacyKey == e.RegNo {
			legacy++
		}
		if b.Subject.USCC != e.USCC {
			t.Errorf("record %s subject = %q, want %q", b.ID, b.Subject.USCC, e.USCC)
		}
	}
	if legacy == 0 {
		t.Fatalf("no record of %s came back through its registration number; got %d records", e.USCC, len(recs))
	}
	// Without the registration number, those rows are not found.
	bare, err := src.Records(ctx, []datasources.Subject{{USCC: e.USCC}}, datasources.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(bare[e.USCC]) != len(recs)-legacy {
		t.Fatalf("by code alone: %d records, want %d", len(bare[e.USCC]), len(recs)-legacy)
	}

	// Records are newest first and a limit applies per subject.
	var subs []datasources.Subject
	for _, e := range w.Entities[:50] {
		subs = append(subs, datasources.Subject{USCC: e.USCC, OrgCode: e.OrgCode, RegNo: e.RegNo})
	}
	before := db.Statements()
	page, err := src.Records(ctx, subs, datasources.Query{Limit: 2, Kinds: datasources.KindSetOf(credit.KindPenalty, credit.KindLicence)})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("50 subjects cost %d statements, want 1", n)
	}
	for uscc, rs := range page {
		if len(rs) > 2 {
			t.Errorf("%s: %d records, limit 2", uscc, len(rs))
		}
		for i := 1; i < len(rs); i++ {
			if datasources.Less(datasources.CursorOf(rs[i]), datasources.CursorOf(rs[i-1])) {
				t.Errorf("%s: records out of order", uscc)
			}
		}
		for _, r := range rs {
			if k := r.Common().Kind; k != credit.KindPenalty && k != credit.KindLicence {
				t.Errorf("kind filter let %s through", k)
			}
		}
	}
}
