package resolvers_test

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"credithub/auth"
	"credithub/dev/world"
	"credithub/internal/app/apptest"
)

// A market ban restricts from its start to its end, on the entity and on
// the persons it names, everywhere a record counts (credit checks, the
// records' public view); the bans job records its start and ends it on its
// end date, once, whichever instance or how many runs get there; a
// permanent ban never ends (T21). Days pass on an injected clock.
func TestBansStartAndEnd(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	var offset atomic.Int64 // days from now
	clock := func() time.Time { return time.Now().AddDate(0, 0, int(offset.Load())) }
	h.Loaders.Now, h.Workflows.Now = clock, clock
	at := func(days int) { offset.Store(int64(days)) }

	lister := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	checker := h.dept("market", auth.ScopeEntityRead, auth.ScopeRecordRead)
	personReader := apptest.As(t, auth.KindDepartment, "market", "LAW_ENFORCEMENT", auth.ScopePersonRead, auth.ScopeRecordRead, auth.ScopeEntityRead)
	// Two entities on no list, so that only these bans restrict them, with
	// records a ban may rest on.
	var unlisted []*world.Entity
	for _, e := range wfPlainEntities(h.World) {
		if len(apptest.Get(h.ok(t, checker, `query($u: ID!) { listEntries(filter: {uscc: $u}) { edges { node { id } } } }`,
			map[string]any{"u": e.USCC}), "listEntries", "edges").([]any)) == 0 && !restrictedNow(t, h, checker, e.USCC) && len(h.recordsOf(t, e.USCC)) > 0 {
			unlisted = append(unlisted, e)
		}
		if len(unlisted) == 2 {
			break
		}
	}
	if len(unlisted) < 2 {
		t.Fatalf("%d entities of the world are on no list", len(unlisted))
	}
	banned, forGood := unlisted[0], unlisted[1]
	enter := func(uscc string, extra map[string]any) string {
		t.Helper()
		recs := h.recordsOf(t, uscc)
		if len(recs) == 0 {
			t.Fatalf("entity %s has no record to rest a ban on", uscc)
		}
		in := wfListing("MARKET_BAN", uscc, recs[:1], extra)
		return wfStr(apptest.Get(h.ok(t, lister, gqlEnterListing, map[string]any{"k": h.key(), "in": in}), "enterListing", "id"))
	}
	entry := enter(banned.USCC, map[string]any{"banStart": wfDays(2), "banEnd": wfDays(10), "bannedRoles": []string{"LEGAL_REPRESENTATIVE"}})
	permanent := enter(forGood.USCC, map[string]any{"banStart": wfDays(0), "permanent": true, "domain": "食品生产"})

	// What a department asking before a market-access approval sees, and
	// what the ban's records say, on the entity and on its legal
	// representative (and not on its principal).
	restricted := func(uscc string) bool { t.Helper(); return restrictedNow(t, h, checker, uscc) }
	banStatus := func(as map[string]string, q string, vars map[string]any, path ...any) []string {
		t.Helper()
		var out []string
		for _, e := range apptest.Get(h.ok(t, as, q, vars), path...).([]any) {
			if n := apptest.Get(e, "node").(map[string]any); n["listType"] == "MARKET_BAN" {
				out = append(out, n["status"].(string))
			}
		}
		return out
	}
	const recordsQ = `{ edges { node { ... on ListingRecord { listType status banStart banEnd } } } }`
	entityStatus := func(as map[string]string) []string {
		return banStatus(as, `query($u: ID!) { entity(uscc: $u) { records(first: 50, filter: {kinds: [LISTING]}) `+recordsQ+` } }`,
			map[string]any{"u": banned.USCC}, "entity", "records", "edges")
	}
	personStatus := func(idNo string) []string {
		return banStatus(personReader, `query($id: String!) { person(idNumber: $id) { records(first: 50, filter: {kinds: [LISTING]}) `+recordsQ+` } }`,
			map[string]any{"id": idNo}, "person", "records", "edges")
	}
	historyOf := func(entry string) []string {
		t.Helper()
		var out []string
		for _, e := range apptest.Get(h.ok(t, checker, `query($id: ID!) { node(id: $id) { ... on ListEntry { state removalReason history { action } } } }`,
			map[string]any{"id": entry}), "node", "history").([]any) {
			out = append(out, apptest.Get(e, "action").(string))
		}
		return out
	}
	history := func() []string { t.Helper(); return historyOf(entry) }
	// The job also starts and ends the seeded city's bans as their days
	// come (and its runner may take a turn meanwhile): what it did is read
	// in these two entries' histories.
	runBans := func() {
		t.Helper()
		if _, err := h.Workflows.RunBans(t.Context(), 0); err != nil {
			t.Fatal(err)
		}
	}
	step := func(day int, wantRestricted bool, wantStatus string) {
		t.Helper()
		at(day)
		if got := restricted(banned.USCC); got != wantRestricted {
			t.Errorf("day %d: M-MKT-01 applies %v, want %v", day, got, wantRestricted)
		}
		if got := entityStatus(checker); !slices.Equal(got, []string{wantStatus}) {
			t.Errorf("day %d: the entity's ban record %v, want %s", day, got, wantStatus)
		}
		if got := personStatus(banned.LegalRep.IDNo); !slices.Equal(got, []string{wantStatus}) {
			t.Errorf("day %d: the legal representative's ban record %v, want %s", day, got, wantStatus)
		}
		if got := personStatus(banned.Principal.IDNo); len(got) != 0 {
			t.Errorf("day %d: the principal, whom the ban does not name, has %v", day, got)
		}
		// The public sees a ban only while it is in force.
		if got, want := len(entityStatus(nil)), map[bool]int{true: 1, false: 0}[wantStatus == "EFFECTIVE"]; got != want {
			t.Errorf("day %d: the public sees %d ban records, want %d", day, got, want)
		}
	}

	// Before its first day: decided, not yet restricting.
	step(0, false, "SCHEDULED")
	runBans()
	if got := historyOf(permanent); !slices.Equal(got, []string{"enter", "startBan"}) {
		t.Errorf("day 0: the permanent ban's history %v, want it started today", got)
	}
	if got := history(); !slices.Equal(got, []string{"enter"}) {
		t.Errorf("day 0: the ban starting in two days has history %v", got)
	}
	if !restricted(forGood.USCC) {
		t.Error("day 0: the permanent ban does not restrict")
	}
	// From its first day, before and after the job records it.
	step(2, true, "EFFECTIVE")
	runBans()
	runBans()
	if got := history(); !slices.Equal(got, []string{"enter", "startBan"}) {
		t.Errorf("day 2: history %v", got)
	}
	step(9, true, "EFFECTIVE")
	// On its end date it no longer restricts, before the job runs; then
	// the job ends it once although three runs race for it.
	step(10, false, "EXPIRED")
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.Workflows.RunBans(t.Context(), 0); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := h.count(t, `SELECT count(*) FROM (SELECT object_id FROM workflow_history WHERE workflow = 'listing' AND action IN ('startBan', 'endBan')
		GROUP BY object_id, action HAVING count(*) > 1) twice`); n != 0 {
		t.Errorf("%d bans started or ended twice", n)
	}
	if got := history(); !slices.Equal(got, []string{"enter", "startBan", "endBan"}) {
		t.Errorf("day 10: history %v", got)
	}
	d := h.ok(t, checker, `query($id: ID!) { node(id: $id) { ... on ListEntry { state removalReason removedOn } } }`, map[string]any{"id": entry})
	if apptest.Get(d, "node", "state") != "REMOVED" || apptest.Get(d, "node", "removalReason") != "EXPIRED" {
		t.Errorf("day 10: the entry %v", d)
	}
	step(11, false, "EXPIRED")
	// The agencies' feed (T30) heard of each step once, racing runs or not:
	// the listing entered, started and removed, its records (the entity's
	// and the legal representative's) added, changed on the first day and
	// on the last.
	var feed []string
	if err := h.DBs["hub"].Select(&feed, `SELECT kind || ' ' || action FROM feed_change
		WHERE (kind = 'LISTING' AND object_id = $1) OR record_id IN (SELECT record_id FROM feed_change WHERE kind = 'RECORD' AND action = 'ADDED'
			AND xid = (SELECT xid FROM feed_change WHERE kind = 'LISTING' AND action = 'ENTERED' AND object_id = $1))
		ORDER BY xid, id`, authID(t, entry)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"LISTING ENTERED", "RECORD ADDED", "RECORD ADDED", "LISTING STARTED", "RECORD CHANGED", "RECORD CHANGED",
		"LISTING REMOVED", "RECORD CHANGED", "RECORD CHANGED"}; !slices.Equal(feed, want) {
		t.Errorf("the feed's changes of the ban:\n got %v\nwant %v", feed, want)
	}
	// A permanent ban never ends.
	at(20000)
	runBans()
	if got := historyOf(permanent); !slices.Equal(got, []string{"enter", "startBan"}) || !restricted(forGood.USCC) {
		t.Errorf("in 55 years: the permanent ban's history %v; it restricts: %v", got, restricted(forGood.USCC))
	}
}

// bannedRoles is for bans only.
func TestBannedRolesNeedABan(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	lister := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	in := wfListing("JOINT_PUNISHMENT", wfPlainEntities(h.World)[0].USCC, []string{}, map[string]any{"bannedRoles": []string{"PRINCIPAL"}})
	if e := h.refused(t, "BAD_USER_INPUT", lister, gqlEnterListing, map[string]any{"k": h.key(), "in": in}); e.Extensions["field"] != "input.bannedRoles" {
		t.Errorf("bannedRoles on a joint-punishment listing: %v", e)
	}
}

// restrictedNow reports whether M-MKT-01 (限制担任企业法定代表人…) applies to
// the entity uscc in a market-access check.
func restrictedNow(t *testing.T, h *wfHub, as map[string]string, uscc string) bool {
	t.Helper()
	d := h.ok(t, as, `query($u: ID!) { creditCheck(uscc: $u, scenario: MARKET_ACCESS) { measures { measure { code } } } }`, map[string]any{"u": uscc})
	for _, m := range apptest.Get(d, "creditCheck", "measures").([]any) {
		if apptest.Get(m, "measure", "code") == "M-MKT-01" {
			return true
		}
	}
	return false
}
