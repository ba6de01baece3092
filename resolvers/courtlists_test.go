package resolvers_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"credithub/datasources"
	"credithub/internal/app/apptest"
	"credithub/internal/ident"
	"credithub/internal/scalars"
)

const courtSearch = `query($list: CourtList!, $name: String, $uscc: ID, $masked: String, $first: Int, $after: String) {
  courtListSearch(list: $list, name: $name, uscc: $uscc, maskedIdNumber: $masked, first: $first, after: $after) {
    edges { cursor node { caseNo court partyName partyKind uscc maskedIdNumber legalRepresentative publishedOn obligation performance behaviour description } }
    pageInfo { hasNextPage endCursor }
  }
}`

// courtEntry is one row of the court's lists, read from its database as a
// check independent of the search.
type courtEntry struct {
	ID        int64   `db:"id"`
	CaseNo    string  `db:"case_no"`
	PartyType string  `db:"party_type"`
	PartyKey  string  `db:"party_id_no"`
	PartyName string  `db:"party_name"`
	Published *string `db:"published_on"`
	Removed   *string `db:"removed_on"`
}

// The public searches the court's published lists by name, code and masked
// ID number; sees only what is published and not removed; never an
// unmasked ID number; and cannot confirm a full one (T27).
func TestPublicSearchesTheCourtsLists(t *testing.T) {
	h := apptest.Shared(t, apptest.Options{})
	db := h.DBs[datasources.Court]
	var rows []courtEntry
	if err := db.SelectContext(context.Background(), &rows,
		`SELECT id, case_no, party_type, party_id_no, party_name, published_on::text, removed_on::text FROM dishonest_debtor_v ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	// Every person's ID number the court holds: none may leave unmasked.
	var personIDs []string
	if err := db.SelectContext(context.Background(), &personIDs, `SELECT party_id_no FROM party WHERE party_type = 'P'`); err != nil || len(personIDs) == 0 {
		t.Fatal(err, len(personIDs))
	}
	var person, org, removed *courtEntry
	for i := range rows {
		r := &rows[i]
		switch {
		case r.Removed != nil && r.Published != nil && removed == nil:
			removed = r
		case r.Removed == nil && r.Published != nil && r.PartyType == "P" && person == nil:
			person = r
		case r.Removed == nil && r.Published != nil && r.PartyType == "O" && org == nil:
			org = r
		}
	}
	if person == nil || org == nil || removed == nil {
		t.Fatalf("the seeded court lacks a published person, organisation or removed entry: %v %v %v", person, org, removed)
	}
	search := func(vars map[string]any) *apptest.Response {
		t.Helper()
		if vars["list"] == nil {
			vars["list"] = "DISHONEST_DEBTORS"
		}
		r := h.Do(t, courtSearch, vars, nil)
		for _, id := range personIDs {
			if bytes.Contains(r.Body, []byte(id)) {
				t.Fatalf("ID number %s left unmasked in %s", id, r.Body)
			}
		}
		return r
	}
	cases := func(r *apptest.Response) map[string]map[string]any {
		t.Helper()
		if len(r.Errors) > 0 {
			t.Fatalf("search failed: %s", r.Body)
		}
		out := map[string]map[string]any{}
		for _, e := range apptest.Get(r.Data, "courtListSearch", "edges").([]any) {
			n := apptest.Get(e, "node").(map[string]any)
			out[n["caseNo"].(string)] = n
		}
		return out
	}

	// By masked ID number: the person's entry, masked as published.
	masked := ident.MaskResidentID(person.PartyKey)
	got := cases(search(map[string]any{"masked": masked, "first": 100}))
	n, ok := got[person.CaseNo]
	if !ok || n["maskedIdNumber"] != masked || n["partyKind"] != "PERSON" || n["uscc"] != nil || n["partyName"] != person.PartyName || n["obligation"] == nil {
		t.Fatalf("masked search %s: %v", masked, got)
	}
	for _, e := range got {
		if e["partyKind"] != "PERSON" {
			t.Errorf("a masked ID number found an organisation: %v", e)
		}
	}
	// By name (a part of it), and by code: the organisation's entry with
	// its code and legal representative.
	if got := cases(search(map[string]any{"name": person.PartyName, "first": 100})); got[person.CaseNo] == nil {
		t.Errorf("name search %q missed %s: %v", person.PartyName, person.CaseNo, got)
	}
	got = cases(search(map[string]any{"uscc": org.PartyKey, "first": 100}))
	if n := got[org.CaseNo]; n == nil || n["uscc"] != org.PartyKey || n["partyKind"] != "ORGANISATION" || n["maskedIdNumber"] != nil {
		t.Errorf("code search %s: %v", org.PartyKey, got)
	}
	// What the court removed is gone from the public list.
	var rk string
	if removed.PartyType == "O" {
		got = cases(search(map[string]any{"uscc": removed.PartyKey, "first": 100}))
	} else {
		rk = ident.MaskResidentID(removed.PartyKey)
		got = cases(search(map[string]any{"masked": rk, "first": 100}))
	}
	if got[removed.CaseNo] != nil {
		t.Errorf("removed entry %s still listed", removed.CaseNo)
	}

	// Pages: two of one entry each continue without repeating.
	first := search(map[string]any{"name": "有限公司", "first": 1})
	page1 := cases(first)
	after := apptest.Get(first.Data, "courtListSearch", "pageInfo", "endCursor")
	if apptest.Get(first.Data, "courtListSearch", "pageInfo", "hasNextPage") != true || after == nil {
		t.Fatalf("first page: %s", first.Body)
	}
	page2 := cases(search(map[string]any{"name": "有限公司", "first": 1, "after": after}))
	for k := range page2 {
		if page1[k] != nil {
			t.Errorf("entry %s on both pages", k)
		}
	}
	if len(page2) != 1 {
		t.Errorf("second page: %v", page2)
	}

	// Refusals: each names the argument and why, and says nothing of the
	// lists.
	for name, tc := range map[string]struct {
		vars  map[string]any
		field string
	}{
		"a full ID number as the masked one": {map[string]any{"masked": person.PartyKey}, "maskedIdNumber"},
		"a full ID number as the name":       {map[string]any{"name": person.PartyKey}, "name"},
		"a malformed mask":                   {map[string]any{"masked": "2311**1234"}, "maskedIdNumber"},
		"no key at all":                      {map[string]any{}, "name"},
		"a one-character name":               {map[string]any{"name": "张"}, "name"},
		"a code of the wrong shape":          {map[string]any{"uscc": "91231183627265467"}, "uscc"},
		"another list's cursor":              {map[string]any{"name": "有限公司", "after": after, "list": "FALSE_LITIGATION"}, ""},
	} {
		r := search(tc.vars)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || (tc.field != "" && r.Errors[0].Extensions["field"] != tc.field) || apptest.Get(r.Data, "courtListSearch") != nil {
			t.Errorf("%s: %s", name, r.Body)
		}
	}

	// One statement on the court's database, none elsewhere.
	if s := search(map[string]any{"name": "有限公司"}).Statements(); s[datasources.Court] != 1 || len(s) != 1 {
		t.Errorf("statements %v, want one on the court's database", s)
	}
}

// The search shows what the court publishes as it publishes it: an entry
// not yet published (or published later) is not there, and appears once
// published; the public's searches count against the anonymous rate limit
// like any other public query.
func TestCourtListSearchFollowsTheCourt(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 30, Env: map[string]string{"CREDITHUB_RATE_LIMIT_ANONYMOUS": "3"}})
	db := h.DBs[datasources.Court]
	ctx := context.Background()
	var key, caseNo string
	if err := db.QueryRowxContext(ctx, `SELECT party_id_no, case_no FROM dishonest_debtor_v WHERE party_type = 'O' AND removed_on IS NULL ORDER BY id LIMIT 1`).Scan(&key, &caseNo); err != nil {
		t.Fatal(err)
	}
	found := func() bool {
		t.Helper()
		r := h.Do(t, courtSearch, map[string]any{"list": "DISHONEST_DEBTORS", "uscc": key, "first": 100}, nil)
		if r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("search: %d %s", r.Status, r.Body)
		}
		for _, e := range apptest.Get(r.Data, "courtListSearch", "edges").([]any) {
			if apptest.Get(e, "node", "caseNo") == caseNo {
				return true
			}
		}
		return false
	}
	// The hub's day is China's (scalars.DateOf), not the database's.
	today := scalars.DateOf(time.Now())
	setPublished := func(on any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, `UPDATE dishonest_debtor SET published_on = $1::date WHERE case_no = $2`, on, caseNo); err != nil {
			t.Fatal(err)
		}
	}
	setPublished(nil)
	if found() {
		t.Errorf("%s found before the court published it", caseNo)
	}
	setPublished(scalars.DateOf(time.Now().AddDate(0, 0, 1)).String())
	if found() {
		t.Errorf("%s found before its publication day", caseNo)
	}
	setPublished(today.String())
	if !found() {
		t.Errorf("%s not found once published", caseNo)
	}
	r := h.Do(t, courtSearch, map[string]any{"list": "DISHONEST_DEBTORS", "uscc": key}, nil)
	if r.Status != http.StatusTooManyRequests || len(r.Errors) != 1 || r.Errors[0].Code() != "RATE_LIMITED" || r.Data != nil {
		t.Fatalf("fourth search of the hour: %d %s", r.Status, r.Body)
	}
}
