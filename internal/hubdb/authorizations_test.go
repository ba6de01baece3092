package hubdb_test

import (
	"context"
	"testing"
	"time"

	"credithub/datasources/dstest"
	"credithub/internal/hubdb"
)

// An authorisation is dated in the city's calendar (China Standard Time).
// At 17:00 UTC on 7 December it is already 8 December in the city: an
// authorisation from the 8th is live, one that ended on the 7th is not,
// whether the database or the row decides. (Before, the machine's UTC
// date was compared, and the README's example of an authorisation from
// today failed every evening.)
func TestAuthorizationsAreLiveOnTheCitysDay(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	hub := hubdb.New(db.DB)
	ctx := context.Background()
	evening := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ref, from, to string
		live          bool
	}{
		{"from-the-8th", "2026-12-08", "2026-12-18", true},
		{"to-the-7th", "2026-11-27", "2026-12-07", false},
	} {
		if _, err := db.Exec(`INSERT INTO person_authorization (agency, person_ref, person_masked, purpose, valid_from, valid_to,
			document_no, recorded_by, recorded_org) VALUES ('agency-1', $1, '2301**********0012', 'CREDIT_REPORT', $2, $3, 'D-1', 'x', 'market')`,
			c.ref, c.from, c.to); err != nil {
			t.Fatal(err)
		}
		live, err := hub.Authorizations().Live(ctx, "agency-1", c.ref, "CREDIT_REPORT", evening)
		if err != nil {
			t.Fatal(err)
		}
		among, err := hub.Authorizations().LiveAmong(ctx, "agency-1", []string{c.ref}, "CREDIT_REPORT", evening)
		if err != nil {
			t.Fatal(err)
		}
		row := hubdb.Authorization{ValidFrom: mustDay(t, c.from), ValidTo: mustDay(t, c.to)}
		if live != c.live || among[c.ref] != c.live || row.Live(evening) != c.live {
			t.Errorf("%s (%s to %s) at %s: live %v, among %v, row %v; want %v", c.ref, c.from, c.to, evening, live, among[c.ref], row.Live(evening), c.live)
		}
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
