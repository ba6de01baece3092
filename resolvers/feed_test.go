package resolvers_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/gid"
	"credithub/internal/ident"
)

const feedQuery = `query($since: String, $n: Int) { changes(since: $since, first: $n) { cursor hasMore
  nodes { id cursor at kind action uscc person { idNumber } recordId } } }`

// feedItem is one change as a test compares it.
type feedItem struct {
	ID, Kind, Action, USCC, IDNumber, RecordID string
}

func (f feedItem) String() string {
	who := f.USCC
	if f.IDNumber != "" {
		who = ident.MaskResidentID(f.IDNumber)
	}
	return fmt.Sprintf("%s %s %s", f.Kind, f.Action, who)
}

// feedPage reads one page of the feed as who; it fails the test on any
// error.
func feedPage(t *testing.T, h *apptest.Hub, who map[string]string, since string, n int) ([]feedItem, string, bool, *apptest.Response) {
	t.Helper()
	vars := map[string]any{"n": n}
	if since != "" {
		vars["since"] = since
	}
	r := h.Do(t, feedQuery, vars, who)
	if len(r.Errors) > 0 {
		t.Fatalf("changes: %s", r.Body)
	}
	page := apptest.Get(r.Data, "changes")
	var out []feedItem
	for _, c := range apptest.Get(page, "nodes").([]any) {
		s := func(k string) string { v, _ := apptest.Get(c, k).(string); return v }
		out = append(out, feedItem{ID: s("id"), Kind: s("kind"), Action: s("action"), USCC: s("uscc"), IDNumber: func() string { v, _ := apptest.Get(c, "person", "idNumber").(string); return v }(), RecordID: s("recordId")})
	}
	return out, apptest.Get(page, "cursor").(string), apptest.Get(page, "hasMore").(bool), r
}

// drainFeed reads pages of n until the feed says it is caught up.
func drainFeed(t *testing.T, h *apptest.Hub, who map[string]string, since string, n int) ([]feedItem, string) {
	t.Helper()
	var all []feedItem
	for {
		items, cursor, more, _ := feedPage(t, h, who, since, n)
		all, since = append(all, items...), cursor
		if !more {
			return all, since
		}
	}
}

func feedStrings(items []feedItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.String()
	}
	return out
}

const (
	gqlAuthorise = `mutation($in: RecordAuthorizationInput!) { recordAuthorization(input: $in) { id } }`
	gqlRevoke    = `mutation($id: ID!, $k: String!) { revokeAuthorization(id: $id, idempotencyKey: $k) { id } }`
)

func (h *wfHub) authorise(t *testing.T, idNo, agency string, from, to string) string {
	t.Helper()
	d := h.ok(t, h.dept("credit-office", auth.ScopeAuthorizationEdit), gqlAuthorise, map[string]any{"in": map[string]any{
		"idNumber": idNo, "agency": agency, "purpose": "AUTHORIZED_QUERY", "validFrom": from, "validTo": to,
		"documentNo": "SQ-" + h.key(), "idempotencyKey": h.key()}})
	return apptest.Get(d, "recordAuthorization", "id").(string)
}

// T30: what an agency's feed carries. Every entity's changes as its
// scopes show them; a person's only under the person's live authorisation
// for the declared purpose, from when it was recorded; after it is
// revoked or has expired, that change and nothing more about the person;
// the department's new records once the follower took them in. A page
// that carries a person's data is in the query log before it leaves.
func TestChangeFeed(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	ents, recs := h.listable(t, 3)
	p, q := ents[0].LegalRep, ents[1].LegalRep
	agency := apptest.As(t, auth.KindAgency, "agency-feed", "AUTHORIZED_QUERY", auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopePersonRead)
	public := apptest.As(t, auth.KindAgency, "agency-public", "")
	lister := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)

	start, cursor, more, _ := feedPage(t, h.Hub, agency, "", 10)
	if len(start) != 0 || more {
		t.Fatalf("a new hub's feed: %v (more %v); the seeded history is not in it", feedStrings(start), more)
	}
	authP := h.authorise(t, p.IDNo, "agency-feed", wfToday().String(), wfDays(30))
	enter := func(i int) string {
		d := h.ok(t, lister, gqlEnterListing, map[string]any{"in": wfListing("JOINT_PUNISHMENT", ents[i].USCC, recs[i][:1], nil), "k": h.key()})
		return apptest.Get(d, "enterListing", "id").(string)
	}
	entry0 := enter(0)

	got, cursor := drainFeed(t, h.Hub, agency, cursor, 2)
	want := []string{
		"AUTHORIZATION GRANTED ",
		"LISTING ENTERED " + ents[0].USCC,
		"RECORD ADDED " + ents[0].USCC,
		"RECORD ADDED " + ident.MaskResidentID(p.IDNo),
	}
	if !slices.Equal(feedStrings(got), want) {
		t.Fatalf("the agency's feed after an authorisation and a listing:\n got %v\nwant %v", feedStrings(got), want)
	}
	// The page that carried p's ID number was logged, naming p.
	if n := h.count(t, `SELECT count(*) FROM query_log WHERE org = 'agency-feed' AND $1 = ANY(persons_masked) AND 'ChangePerson.idNumber' = ANY(fields)`,
		ident.MaskResidentID(p.IDNo)); n == 0 {
		t.Error("no query-log row for the page that carried a person's ID number")
	}
	// SECURITY: an agency without scopes sees the public changes only: no
	// person's, no other agency's authorisation.
	pub, _ := drainFeed(t, h.Hub, public, "", 50)
	if want := []string{"LISTING ENTERED " + ents[0].USCC, "RECORD ADDED " + ents[0].USCC}; !slices.Equal(feedStrings(pub), want) {
		t.Errorf("the public agency's feed:\n got %v\nwant %v", feedStrings(pub), want)
	}

	// SECURITY: revoked — the REVOKED change, then nothing more about p,
	// while the entity's changes go on.
	h.ok(t, h.dept("credit-office", auth.ScopeAuthorizationEdit), gqlRevoke, map[string]any{"id": authP, "k": h.key()})
	h.ok(t, lister, gqlRemoveListing, map[string]any{"id": entry0, "r": "REVOKED", "k": h.key()})
	enter(0)
	got, cursor = drainFeed(t, h.Hub, agency, cursor, 3)
	want = []string{
		"AUTHORIZATION REVOKED ",
		"LISTING REMOVED " + ents[0].USCC,
		"RECORD CHANGED " + ents[0].USCC,
		"LISTING ENTERED " + ents[0].USCC,
		"RECORD ADDED " + ents[0].USCC,
	}
	if !slices.Equal(feedStrings(got), want) {
		t.Fatalf("after the revocation:\n got %v\nwant %v", feedStrings(got), want)
	}

	// SECURITY: expired — a change of q written while the authorisation
	// was live but read after its last day passed does not flow; the
	// follower notes the end once.
	authQ := h.authorise(t, q.IDNo, "agency-feed", wfToday().String(), wfDays(30))
	enter(1)
	h.exec(t, `UPDATE person_authorization SET valid_from = current_date - 10, valid_to = current_date - 1 WHERE agency = 'agency-feed' AND id = $1`,
		authID(t, authQ))
	for range 2 {
		if _, err := h.Follower.Tick(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	got, cursor = drainFeed(t, h.Hub, agency, cursor, 100)
	want = []string{
		"AUTHORIZATION GRANTED ",
		"LISTING ENTERED " + ents[1].USCC,
		"RECORD ADDED " + ents[1].USCC,
		"AUTHORIZATION EXPIRED ",
	}
	if !slices.Equal(feedStrings(got), want) {
		t.Fatalf("after the expiry:\n got %v\nwant %v", feedStrings(got), want)
	}

	// A department's new record, once the follower took it in.
	market := openDB(t, h.Prefix+"dept_market")
	insertPenalty(t, market, ents[2].USCC, "", "20000.00")
	if _, err := h.Follower.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	got, _ = drainFeed(t, h.Hub, agency, cursor, 100)
	if want := []string{"RECORD ADDED " + ents[2].USCC}; !slices.Equal(feedStrings(got), want) {
		t.Fatalf("after a department's new penalty:\n got %v\nwant %v", feedStrings(got), want)
	}
}

// authID is the row id of an authorisation's global ID.
func authID(t *testing.T, id string) string {
	t.Helper()
	_, payload, err := gid.Decode(id)
	if err != nil {
		t.Fatal(err)
	}
	return payload
}

// T30: the feed's cursor resumes exactly — no change skipped, none twice —
// while departments write listings and authorisations from another hub
// instance, side by side, and across a restart of the instance the agency
// reads from (a new instance on the same databases takes its cursor).
func TestChangeFeedNoGapAcrossRestartWithConcurrentWriters(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	writer := h.Variant(t, nil)
	ents, recs := h.listable(t, 6)
	const agencyOrg = "agency-restart"
	agency := apptest.As(t, auth.KindAgency, agencyOrg, "", auth.ScopeEntityRead, auth.ScopeRecordRead)
	lister := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	office := h.dept("credit-office", auth.ScopeAuthorizationEdit)

	const rounds = 6
	var wg sync.WaitGroup
	failures := make(chan string, 100)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do := func(headers map[string]string, q string, vars map[string]any) map[string]any {
				r := writer.Do(t, q, vars, headers)
				if len(r.Errors) > 0 {
					failures <- string(r.Body)
					return nil
				}
				return r.Data
			}
			for i := range rounds {
				if w == 3 {
					// Authorisations of the agency: granted and revoked.
					d := do(office, gqlAuthorise, map[string]any{"in": map[string]any{
						"idNumber": ents[i].Principal.IDNo, "agency": agencyOrg, "purpose": "AUTHORIZED_QUERY",
						"validFrom": wfToday().String(), "validTo": wfDays(10), "documentNo": "SQ-" + h.key(), "idempotencyKey": h.key()}})
					if d != nil && i%2 == 0 {
						do(office, gqlRevoke, map[string]any{"id": apptest.Get(d, "recordAuthorization", "id"), "k": h.key()})
					}
					continue
				}
				e := 2*w + i%2
				d := do(lister, gqlEnterListing, map[string]any{"in": wfListing("JOINT_PUNISHMENT", ents[e].USCC, recs[e][:1], nil), "k": h.key()})
				if d != nil {
					do(lister, gqlRemoveListing, map[string]any{"id": apptest.Get(d, "enterListing", "id"), "r": "EXPIRED", "k": h.key()})
				}
			}
		}()
	}
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()

	reader := h.Hub
	var got []feedItem
	cursor, restarted := "", false
	var want []string
	var deadline time.Time
	for {
		items, next, more, _ := feedPage(t, reader, agency, cursor, 3)
		got, cursor = append(got, items...), next
		if !restarted && len(got) >= 12 {
			// The instance the agency reads from stops; a new one on the
			// same databases takes the agency's cursor.
			if err := h.App.Close(); err != nil {
				t.Fatal(err)
			}
			reader, restarted = h.Variant(t, nil), true
		}
		if deadline.IsZero() {
			select {
			case <-stopped:
				deadline = time.Now().Add(30 * time.Second)
				if err := writer.DBs["hub"].Select(&want, `SELECT id::text FROM feed_change
					WHERE (kind = 'AUTHORIZATION' AND agency = $1) OR (kind <> 'AUTHORIZATION' AND person_ref = '')
					ORDER BY xid, feed_change.id`, agencyOrg); err != nil {
					t.Fatal(err)
				}
			default:
			}
		}
		if !deadline.IsZero() && ((len(got) >= len(want) && !more) || time.Now().After(deadline)) {
			break
		}
	}
	close(failures)
	for f := range failures {
		t.Fatalf("a writer failed: %s", f)
	}
	if !restarted {
		t.Fatalf("the feed gave %d changes: too few to restart in the middle", len(got))
	}
	ids := make([]string, len(got))
	for i, it := range got {
		ids[i] = it.ID
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("the agency read %d changes, the feed holds %d for it:\n got %v\nwant %v", len(ids), len(want), ids, want)
	}
	t.Logf("%d changes read once each, in order, across a restart, while 4 writers wrote", len(ids))
}

const feedFullQuery = `query($since: String, $n: Int) { changes(since: $since, first: $n) { cursor hasMore nodes {
  id cursor at kind action uscc recordId
  person { id idNumber }
  entity { uscc name }
  record { id kind summary status publicity }
  listEntry { id listType state }
  objection { id state recordId }
  repair { id state }
  authorization { id person live revokedAt } } } }`

// T30: a page of the feed costs the same statements whatever its size —
// one on the hub for the changes, one for each kind of object its changes
// show, one for the persons' authorisations; one per department whose
// records are on it — and a page that carries personal data is logged.
// SECURITY: only agencies read it; a cursor that was changed, forged,
// issued to another agency or for another purpose is BAD_CURSOR naming
// since; replaying a cursor returns the same page.
func TestChangeFeedStatementsAndCursors(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	ents, recs := h.listable(t, 4)
	const org = "agency-pages"
	agency := apptest.As(t, auth.KindAgency, org, "AUTHORIZED_QUERY", auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopePersonRead)
	lister := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	for i := range 2 {
		h.authorise(t, ents[i].LegalRep.IDNo, org, wfToday().String(), wfDays(30))
	}
	for i := range 4 {
		h.ok(t, lister, gqlEnterListing, map[string]any{"in": wfListing("JOINT_PUNISHMENT", ents[i].USCC, recs[i][:1], nil), "k": h.key()})
	}
	for i := range 2 {
		h.ok(t, apptest.As(t, auth.KindEntity, ents[i].USCC, "", auth.EntitySelfScopes...),
			`mutation($r: ID!, $k: String!) { fileObjection(recordId: $r, reason: "该处罚已被复议撤销", idempotencyKey: $k) { id } }`,
			map[string]any{"r": recs[i][len(recs[i])-1], "k": h.key()})
	}
	market := openDB(t, h.Prefix+"dept_market")
	for i := 2; i < 4; i++ {
		insertPenalty(t, market, ents[i].USCC, "", "30000.00")
	}
	if _, err := h.Follower.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}

	read := func(n int) (ids []string, worst map[string]int) {
		worst = map[string]int{}
		since := ""
		for {
			vars := map[string]any{"n": n}
			if since != "" {
				vars["since"] = since
			}
			r := h.Do(t, feedFullQuery, vars, agency)
			if len(r.Errors) > 0 {
				t.Fatalf("changes: %s", r.Body)
			}
			for db, k := range r.Statements() {
				worst[db] = max(worst[db], k)
			}
			page := apptest.Get(r.Data, "changes")
			for _, c := range apptest.Get(page, "nodes").([]any) {
				ids = append(ids, apptest.Get(c, "id").(string))
				if k := apptest.Get(c, "kind"); (k == "RECORD" || k == "OBJECTION") && apptest.Get(c, "record", "id") != apptest.Get(c, "recordId") {
					t.Errorf("change %v: record %v, recordId %v", apptest.Get(c, "id"), apptest.Get(c, "record"), apptest.Get(c, "recordId"))
				}
				if apptest.Get(c, "kind") == "OBJECTION" && apptest.Get(c, "objection", "state") != "FILED" {
					t.Errorf("an objection's change shows %v", apptest.Get(c, "objection"))
				}
				if apptest.Get(c, "kind") == "LISTING" && apptest.Get(c, "listEntry", "state") != "LISTED" {
					t.Errorf("a listing's change shows %v", apptest.Get(c, "listEntry"))
				}
			}
			since = apptest.Get(page, "cursor").(string)
			if apptest.Get(page, "hasMore") != true {
				return ids, worst
			}
		}
	}
	small, smallCost := read(4)
	whole, wholeCost := read(100)
	if !slices.Equal(small, whole) || len(whole) < 16 {
		t.Fatalf("pages of 4 gave %v, one page %v", small, whole)
	}
	t.Logf("%d changes; statements of a page of 4 at most %v, of one page of %d %v", len(whole), smallCost, len(whole), wholeCost)
	if wholeCost["hub"] > 6 || wholeCost["market"] > 2 {
		t.Errorf("a page of %d changes cost %v statements: want at most 6 on the hub, 2 on the market's", len(whole), wholeCost)
	}
	for db, k := range smallCost {
		if k > wholeCost[db] {
			t.Errorf("a page of 4 cost %d statements on %s, one of %d only %d", k, db, len(whole), wholeCost[db])
		}
	}
	if n := h.count(t, `SELECT count(*) FROM query_log WHERE org = $1 AND operation = '(anonymous)' AND 'ChangePerson.idNumber' = ANY(fields)`, org); n == 0 {
		t.Error("no page of the feed was logged, though pages carried persons' ID numbers")
	}

	// Replaying a cursor: the same page.
	_, c1, _, _ := feedPage(t, h.Hub, agency, "", 3)
	first, _, _, _ := feedPage(t, h.Hub, agency, c1, 5)
	again, _, _, _ := feedPage(t, h.Hub, agency, c1, 5)
	if !slices.Equal(first, again) || len(first) != 5 {
		t.Errorf("a cursor replayed: %v, then %v", feedStrings(first), feedStrings(again))
	}

	// SECURITY: the feed is an agency's.
	for name, who := range map[string]map[string]string{
		"public":     nil,
		"entity":     apptest.As(t, auth.KindEntity, ents[0].USCC, "", auth.ReadScopes...),
		"department": apptest.As(t, auth.KindDepartment, "market", "AUTHORIZED_QUERY", auth.ReadScopes...),
	} {
		r := h.Do(t, feedQuery, nil, who)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "changes") != nil {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	// SECURITY: cursors it was not given.
	tampered := []byte(c1)
	if i := len(tampered) - 25; tampered[i] == 'A' {
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	for name, c := range map[string]struct {
		who           map[string]string
		since, reason string
		cursorPurpose any
	}{
		"tampered":         {agency, string(tampered), "NOT_ISSUED", nil},
		"forged":           {agency, "c1.AAAAAAAAAAEAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAA", "NOT_ISSUED", nil},
		"another agency's": {apptest.As(t, auth.KindAgency, "agency-other", "AUTHORIZED_QUERY", auth.ScopePersonRead), c1, "NOT_ISSUED", nil},
		"another purpose":  {apptest.As(t, auth.KindAgency, org, "LAW_ENFORCEMENT", auth.ScopePersonRead), c1, "OTHER_PURPOSE", "AUTHORIZED_QUERY"},
		"no purpose":       {apptest.As(t, auth.KindAgency, org, ""), c1, "OTHER_PURPOSE", "AUTHORIZED_QUERY"},
		"a list cursor":    {agency, "YXJyYXljb25uZWN0aW9uOjE=", "MALFORMED", nil},
	} {
		r := h.Do(t, feedQuery, map[string]any{"since": c.since}, c.who)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_CURSOR" || r.Errors[0].Extensions["field"] != "since" ||
			r.Errors[0].Extensions["reason"] != c.reason || r.Errors[0].Extensions["cursorPurpose"] != c.cursorPurpose ||
			apptest.Get(r.Data, "changes") != nil {
			t.Errorf("%s cursor: %s", name, r.Body)
		}
	}
	for _, n := range []int{0, 101} {
		r := h.Do(t, feedQuery, map[string]any{"n": n}, agency)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "QUERY_TOO_COMPLEX" || r.Errors[0].Extensions["limit"] != "first" {
			t.Errorf("first: %d: %s", n, r.Body)
		}
	}
}
