package resolvers_test

import (
	"fmt"
	"strings"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
)

const reportsOnItQuery = `query($u: ID!, $n: Int, $after: String) { entity(uscc: $u) { reportsOnIt(first: $n, after: $after) {
  edges { cursor node { number issuerKind issuerOrg purpose issuedAt } }
  pageInfo { hasNextPage endCursor } } } }`

// Reports issued on an entity (issue #15): the entity itself lists them as
// the hub stored them, one report a page, one hub statement a page; a
// supervising department sees the same. Not parallel: the reports on the
// entity are this test's.
func TestReportsOnItSelfService(t *testing.T) {
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[len(h.World.Entities)-5]
	dept := apptest.As(t, auth.KindDepartment, "procurement-centre", "", auth.ScopeReportIssue, auth.ScopeEntityRead)
	agency := apptest.As(t, auth.KindAgency, "agency-001", "", auth.ScopeReportIssue)
	h.QueryAs(t, dept, creditReportQuery, map[string]any{"u": e.USCC, "p": "PUBLIC_PROCUREMENT"})
	h.QueryAs(t, agency, creditReportQuery, map[string]any{"u": e.USCC, "p": "AGENCY_SERVICE"})
	h.QueryAs(t, dept, creditReportQuery, map[string]any{"u": e.USCC, "p": "BIDDING"})

	var rows []struct {
		Number   string `db:"number"`
		Purpose  string `db:"purpose"`
		IssuedTo string `db:"issued_to"`
	}
	if err := h.DBs["hub"].Select(&rows, `SELECT number, purpose, issued_to FROM credit_report
		WHERE uscc = $1 ORDER BY issued_at DESC, number DESC`, e.USCC); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range rows {
		kind, org, _ := strings.Cut(r.IssuedTo, ":")
		want = append(want, fmt.Sprintf("%s %s %s %s", r.Number, kind, org, r.Purpose))
	}
	if len(want) < 3 {
		t.Fatalf("%d reports on %s, want at least 3", len(want), e.USCC)
	}
	read := func(who map[string]string) []string {
		var out []string
		var after any
		for {
			r := h.Do(t, reportsOnItQuery, map[string]any{"u": e.USCC, "n": 1, "after": after}, who)
			if len(r.Errors) > 0 {
				t.Fatalf("reportsOnIt: %s", r.Body)
			}
			if got := r.Statements()["hub"]; got != 1 {
				t.Errorf("a page of reportsOnIt cost %d hub statements, want 1 (%v)", got, r.Statements())
			}
			conn := apptest.Get(r.Data, "entity", "reportsOnIt")
			for _, x := range apptest.Get(conn, "edges").([]any) {
				n := apptest.Get(x, "node")
				out = append(out, fmt.Sprintf("%s %s %s %s", apptest.Get(n, "number"), apptest.Get(n, "issuerKind"),
					apptest.Get(n, "issuerOrg"), apptest.Get(n, "purpose")))
			}
			if apptest.Get(conn, "pageInfo", "hasNextPage") != true {
				return out
			}
			after = apptest.Get(conn, "pageInfo", "endCursor")
		}
	}
	if got := read(apptest.As(t, auth.KindEntity, e.USCC, "")); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the entity's reports:\n got %v\nwant %v", got, want)
	}
	if got := read(apptest.Department(t)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("a department's view:\n got %v\nwant %v", got, want)
	}
	// A cursor of another kind is bad input, not a page.
	r := h.Do(t, reportsOnItQuery, map[string]any{"u": e.USCC, "n": 1, "after": "eA"}, apptest.As(t, auth.KindEntity, e.USCC, ""))
	if len(r.Errors) == 0 || r.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Errorf("bad cursor: %s", r.Body)
	}
}

// SECURITY: another entity (whatever its scopes, however it reaches the
// entity), an agency (even the one that had a report issued) and the
// public do not see the reports issued on an entity.
func TestReportsOnItRefusals(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e, other := h.World.Entities[len(h.World.Entities)-6], h.World.Entities[len(h.World.Entities)-7]
	agencyIssuer := apptest.As(t, auth.KindAgency, "agency-001", "", auth.ScopeReportIssue, auth.ScopeEntityRead)
	h.QueryAs(t, agencyIssuer, creditReportQuery, map[string]any{"u": other.USCC, "p": "AGENCY_SERVICE"})
	otherID := apptest.Get(h.QueryAs(t, apptest.Department(t), `query($u: ID!) { entity(uscc: $u) { id } }`, map[string]any{"u": other.USCC}), "entity", "id")
	check := func(name string, r *apptest.Response, path ...any) {
		t.Helper()
		if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, path...) != nil {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	for _, scopes := range [][]string{nil, auth.ReadScopes} {
		self := apptest.As(t, auth.KindEntity, e.USCC, "", scopes...)
		check(fmt.Sprintf("entity(uscc: other) with %v", scopes), h.Do(t, reportsOnItQuery, map[string]any{"u": other.USCC}, self), "entity", "reportsOnIt")
		check("node(id: other)", h.Do(t, `query($id: ID!) { node(id: $id) { ... on MarketEntity { reportsOnIt { edges { node { number } } } } } }`,
			map[string]any{"id": otherID}, self), "node", "reportsOnIt")
		r := h.Do(t, `query($me: ID!, $u: ID!) { mine: entity(uscc: $me) { reportsOnIt { edges { node { number } } } }
			theirs: entity(uscc: $u) { reportsOnIt { edges { node { number } } } } }`,
			map[string]any{"me": e.USCC, "u": other.USCC}, self)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "theirs", "reportsOnIt") != nil ||
			apptest.Get(r.Data, "mine", "reportsOnIt") == nil {
			t.Errorf("aliases: %s", r.Body)
		}
	}
	check("the issuing agency", h.Do(t, reportsOnItQuery, map[string]any{"u": other.USCC}, agencyIssuer), "entity", "reportsOnIt")
	check("public", h.Do(t, reportsOnItQuery, map[string]any{"u": other.USCC}, nil), "entity", "reportsOnIt")
}

const issuedReportsQuery = `query($n: Int, $after: String) { issuedReports(first: $n, after: $after) {
  edges { cursor node { number uscc purpose issuedAt } } pageInfo { hasNextPage endCursor } } }`

// T30: an agency lists the reports issued to it — its token's org only, as
// the hub stored them — one a page, one hub statement a page; nobody else
// lists reports this way.
func TestIssuedReports(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	ents := h.World.Entities[len(h.World.Entities)-12:]
	for i, org := range []string{"agency-issued-a", "agency-issued-b", "agency-issued-a", "agency-issued-a"} {
		h.QueryAs(t, apptest.As(t, auth.KindAgency, org, "", auth.ScopeReportIssue), creditReportQuery,
			map[string]any{"u": ents[i].USCC, "p": "AGENCY_SERVICE"})
	}
	for _, org := range []string{"agency-issued-a", "agency-issued-b"} {
		var rows []struct {
			Number string `db:"number"`
			USCC   string `db:"uscc"`
		}
		if err := h.DBs["hub"].Select(&rows, `SELECT number, uscc FROM credit_report WHERE issued_to = $1
			ORDER BY issued_at DESC, number DESC`, "agency:"+org); err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for _, r := range rows {
			want = append(want, r.Number+" "+r.USCC)
		}
		who := apptest.As(t, auth.KindAgency, org, "", append(auth.ReadScopes, auth.ScopeReportIssue)...)
		var after any
		for {
			r := h.Do(t, issuedReportsQuery, map[string]any{"n": 1, "after": after}, who)
			if len(r.Errors) > 0 {
				t.Fatalf("issuedReports: %s", r.Body)
			}
			if n := r.Statements()["hub"]; n != 1 {
				t.Errorf("a page of issuedReports cost %d hub statements, want 1 (%v)", n, r.Statements())
			}
			conn := apptest.Get(r.Data, "issuedReports")
			for _, e := range apptest.Get(conn, "edges").([]any) {
				got = append(got, fmt.Sprintf("%s %s", apptest.Get(e, "node", "number"), apptest.Get(e, "node", "uscc")))
			}
			if apptest.Get(conn, "pageInfo", "hasNextPage") != true {
				break
			}
			after = apptest.Get(conn, "pageInfo", "endCursor")
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(want) == 0 {
			t.Errorf("%s's reports:\n got %v\nwant %v", org, got, want)
		}
	}
	// SECURITY: the public, an entity and a department (even the one that
	// issued reports) do not list reports this way.
	for name, who := range map[string]map[string]string{
		"public":     nil,
		"entity":     apptest.As(t, auth.KindEntity, ents[0].USCC, "", auth.ReadScopes...),
		"department": apptest.As(t, auth.KindDepartment, "procurement-centre", "", append(auth.ReadScopes, auth.ScopeReportIssue)...),
	} {
		r := h.Do(t, issuedReportsQuery, nil, who)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" || r.Data["issuedReports"] != nil {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
}
