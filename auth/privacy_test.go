package auth_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"credithub/auth"
	"credithub/datasources/dstest"
	"credithub/internal/app/apptest"
	"credithub/internal/apperr"
	"credithub/internal/ident"
)

func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }

const purposeApproval = "ADMINISTRATIVE_APPROVAL"

// noLeak fails when any of the ID numbers appears in the answer.
func noLeak(t *testing.T, r *apptest.Response, idNos ...string) {
	t.Helper()
	for _, id := range idNos {
		if strings.Contains(string(r.Body), id) || strings.Contains(string(r.Body), id[6:14]) {
			t.Fatalf("the answer leaks ID number %s: %s", ident.MaskResidentID(id), r.Body)
		}
	}
}

// codes returns the error codes of a response.
func codes(r *apptest.Response) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Code())
	}
	return out
}

// SECURITY: a personal field refused to the public and to departments
// without person:read, on every path a query can take to it, with no ID
// number anywhere in the answer.
func TestPersonalFieldsOnEveryPath(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[0]
	var allIDs []string
	for _, en := range h.World.Entities[:40] {
		for _, p := range en.Persons() {
			allIDs = append(allIDs, p.IDNo)
		}
	}
	// The legal representative's opaque id, as the public may see it.
	pid := apptest.Get(h.Query(t, `query($u: ID!) { entity(uscc: $u) { legalRepresentative { id name } } }`,
		map[string]any{"u": e.USCC}), "entity", "legalRepresentative", "id").(string)

	paths := []struct{ name, query string }{
		{"direct", `query($u: ID!) { entity(uscc: $u) { legalRepresentative { idNumber mobile } } }`},
		{"alias", `query($u: ID!) { entity(uscc: $u) { boss: legalRepresentative { secret: idNumber phone: mobile } } }`},
		{"fragment", `query($u: ID!) { entity(uscc: $u) { legalRepresentative { ...P } } } fragment P on Person { idNumber mobile }`},
		{"inline fragment on node", `query($p: ID!) { node(id: $p) { ... on Person { idNumber mobile } } }`},
		{"node via interface fragment", `query($p: ID!) { node(id: $p) { ...N } } fragment N on Node { ... on Person { idNumber } }`},
		{"list of responsible persons", `query($u: ID!) { entity(uscc: $u) { responsiblePersons { person { idNumber mobile } } } }`},
		{"nested connection", `query { entities(first: 40) { edges { node { legalRepresentative { idNumber } responsiblePersons { person { idNumber } } } } } }`},
		{"round trip through roles", `query($u: ID!) { entity(uscc: $u) { legalRepresentative { roles { entity { legalRepresentative { idNumber } } } } } }`},
	}
	callers := map[string]map[string]string{
		"anonymous":                          nil,
		"department without person:read":     apptest.Department(t),
		"public service":                     apptest.As(t, auth.KindPublicService, "portal", purposeApproval),
		"entity itself, without person:read": apptest.As(t, auth.KindEntity, e.USCC, purposeApproval, auth.ScopeEntityRead),
	}
	for cname, headers := range callers {
		for _, p := range paths {
			t.Run(cname+"/"+p.name, func(t *testing.T) {
				r := h.Do(t, p.query, map[string]any{"u": e.USCC, "p": pid}, headers)
				if r.Status != http.StatusOK {
					t.Fatalf("status %d: %s", r.Status, r.Body)
				}
				noLeak(t, r, allIDs...)
				if len(r.Errors) == 0 {
					t.Fatalf("no error on a refused personal field: %s", r.Body)
				}
				for _, er := range r.Errors {
					if er.Code() != "FORBIDDEN" || fmt.Sprint(er.Extensions["requiredScopes"]) != "[person:read]" {
						t.Errorf("error %+v, want FORBIDDEN naming person:read", er)
					}
				}
				// What the public is shown instead: the masked number.
				if strings.Contains(p.query, "legalRepresentative { idNumber mobile }") {
					if got := apptest.Get(r.Data, "entity", "legalRepresentative", "idNumber"); got != ident.MaskResidentID(e.LegalRep.IDNo) {
						t.Errorf("idNumber = %v, want the masked %s", got, ident.MaskResidentID(e.LegalRep.IDNo))
					}
					if got := apptest.Get(r.Data, "entity", "legalRepresentative", "mobile"); got != ident.MaskMobile(e.LegalRep.Mobile) {
						t.Errorf("mobile = %v, want the masked %s", got, ident.MaskMobile(e.LegalRep.Mobile))
					}
				}
			})
		}
		t.Run(cname+"/person by ID number", func(t *testing.T) {
			r := h.Do(t, `query($id: String!) { person(idNumber: $id) { name idNumber } }`, map[string]any{"id": e.LegalRep.IDNo}, headers)
			noLeak(t, r, e.LegalRep.IDNo)
			if apptest.Get(r.Data, "person") != nil || !slices.Contains(codes(r), "FORBIDDEN") {
				t.Fatalf("person(idNumber) answered: %s", r.Body)
			}
		})
	}
}

// SECURITY: the scope alone is not enough: without a declared purpose from
// the fixed list, personal fields stay masked.
func TestPersonalDataNeedsAPurpose(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[3]
	q := `query($u: ID!) { entity(uscc: $u) { legalRepresentative { name idNumber } } }`
	for _, purpose := range []string{"", "CURIOSITY", "administrative_approval", "ADMINISTRATIVE_APPROVAL, LAW_ENFORCEMENT"} {
		headers := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopePersonRead, auth.ScopeEntityRead)
		if purpose != "" {
			headers[auth.PurposeHeader] = purpose
		}
		r := h.Do(t, q, map[string]any{"u": e.USCC}, headers)
		noLeak(t, r, e.LegalRep.IDNo)
		if !slices.Equal(codes(r), []string{apperr.PurposeRequired}) {
			t.Errorf("purpose %q: errors %v, want PURPOSE_REQUIRED: %s", purpose, codes(r), r.Body)
		}
		if apptest.Get(r.Data, "entity", "legalRepresentative", "name") != e.LegalRep.Name {
			t.Errorf("purpose %q: the public part of the answer is missing", purpose)
		}
	}
}

// A department with person:read and a purpose reads the ID number, and a
// reviewer then finds that read in the query log by the person's number.
func TestPersonalReadIsLoggedFirst(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[4]
	reader := apptest.As(t, auth.KindDepartment, "fire", "LAW_ENFORCEMENT", auth.ScopePersonRead)
	data := h.QueryAs(t, reader, `query CheckLegalRep($u: ID!) { entity(uscc: $u) { legalRepresentative { idNumber } } }`, map[string]any{"u": e.USCC})
	if got := apptest.Get(data, "entity", "legalRepresentative", "idNumber"); got != e.LegalRep.IDNo {
		t.Fatalf("idNumber = %v", got)
	}
	reviewer := apptest.As(t, auth.KindAdmin, "credit-office", "", auth.ScopeAuditRead)
	log := h.QueryAs(t, reviewer, `query($id: String!) { queryLog(filter: {idNumber: $id}) { edges { node {
	  subject org kind purpose operation persons entities fields queryHash rowHash } } } }`, map[string]any{"id": e.LegalRep.IDNo})
	edges := apptest.Get(log, "queryLog", "edges").([]any)
	found := false
	for _, edge := range edges {
		n := apptest.Get(edge, "node")
		if apptest.Get(n, "operation") == "CheckLegalRep" {
			found = true
			if apptest.Get(n, "org") != "fire" || apptest.Get(n, "purpose") != "LAW_ENFORCEMENT" || apptest.Get(n, "kind") != "department" {
				t.Errorf("log row %v", n)
			}
			if fmt.Sprint(apptest.Get(n, "persons")) != fmt.Sprint([]any{ident.MaskResidentID(e.LegalRep.IDNo)}) {
				t.Errorf("persons = %v", apptest.Get(n, "persons"))
			}
			if fmt.Sprint(apptest.Get(n, "fields")) != "[Person.idNumber]" {
				t.Errorf("fields = %v", apptest.Get(n, "fields"))
			}
		}
	}
	if !found {
		t.Fatalf("no log row for the read: %v", edges)
	}
	// The log itself is closed to everyone without audit:read.
	r := h.Do(t, `{ queryLog { edges { node { subject } } } }`, nil, reader)
	if apptest.Get(r.Data, "queryLog") != nil || !slices.Contains(codes(r), "FORBIDDEN") {
		t.Fatalf("queryLog without audit:read: %s", r.Body)
	}
}

// SECURITY: an agency reads a person's data only under that person's live
// written authorisation for that purpose: none, expired, other purpose,
// revoked — each refused.
func TestAgencyNeedsALiveAuthorisation(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[5]
	id := e.LegalRep.IDNo
	agency := apptest.As(t, auth.KindAgency, "agency-007", "AUTHORIZED_QUERY", auth.ScopePersonRead, auth.ScopeEntityRead)
	q := `query($u: ID!) { entity(uscc: $u) { legalRepresentative { idNumber } } }`
	read := func() *apptest.Response { return h.Do(t, q, map[string]any{"u": e.USCC}, agency) }

	r := read()
	noLeak(t, r, id)
	if !slices.Equal(codes(r), []string{apperr.AuthorizationRequired}) {
		t.Fatalf("no authorisation: %s", r.Body)
	}
	recorder := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeAuthorizationEdit)
	record := func(purpose, from, to, key string) string {
		data := h.QueryAs(t, recorder, `mutation($in: RecordAuthorizationInput!) { recordAuthorization(input: $in) { id live person } }`,
			map[string]any{"in": map[string]any{"idNumber": id, "agency": "agency-007", "purpose": purpose, "validFrom": from,
				"validTo": to, "documentNo": "SQ-" + key, "idempotencyKey": key}})
		if p := apptest.Get(data, "recordAuthorization", "person"); p != ident.MaskResidentID(id) {
			t.Fatalf("authorisation shows person %v", p)
		}
		return apptest.Get(data, "recordAuthorization", "id").(string)
	}
	record("AUTHORIZED_QUERY", "2025-01-01", "2025-06-30", "expired-one")
	record("LAW_ENFORCEMENT", "2026-01-01", "2026-12-31", "other-purpose")
	if r := read(); !slices.Equal(codes(r), []string{apperr.AuthorizationRequired}) {
		t.Fatalf("expired or other-purpose authorisations let the agency read: %s", r.Body)
	}
	live := record("AUTHORIZED_QUERY", "2026-06-01", "2027-05-31", "live-one")
	if got := apptest.Get(h.QueryAs(t, agency, q, map[string]any{"u": e.USCC}), "entity", "legalRepresentative", "idNumber"); got != id {
		t.Fatalf("with a live authorisation: idNumber = %v", got)
	}
	// Another agency with the same scopes gets nothing from it.
	other := apptest.As(t, auth.KindAgency, "agency-008", "AUTHORIZED_QUERY", auth.ScopePersonRead)
	if r := h.Do(t, q, map[string]any{"u": e.USCC}, other); !slices.Equal(codes(r), []string{apperr.AuthorizationRequired}) {
		t.Fatalf("another agency read under agency-007's authorisation: %s", r.Body)
	}
	// Revoked: refused again. Revoking twice is an invalid transition.
	rev := `mutation($id: ID!, $k: String!) { revokeAuthorization(id: $id, idempotencyKey: $k) { live revokedAt } }`
	data := h.QueryAs(t, recorder, rev, map[string]any{"id": live, "k": "revoke-1"})
	if apptest.Get(data, "revokeAuthorization", "live") != false {
		t.Fatalf("revoked authorisation still live: %v", data)
	}
	if r := read(); !slices.Equal(codes(r), []string{apperr.AuthorizationRequired}) {
		t.Fatalf("a revoked authorisation let the agency read: %s", r.Body)
	}
	// The same idempotency key returns the first answer; a new key is refused.
	again := h.QueryAs(t, recorder, rev, map[string]any{"id": live, "k": "revoke-1"})
	if fmt.Sprint(again) != fmt.Sprint(data) {
		t.Errorf("retry with the same key: %v, first %v", again, data)
	}
	r = h.Do(t, rev, map[string]any{"id": live, "k": "revoke-2"}, recorder)
	if !slices.Equal(codes(r), []string{"INVALID_TRANSITION"}) {
		t.Errorf("revoking twice: %s", r.Body)
	}
	// Without the scope, no authorisations are recorded.
	r = h.Do(t, `mutation { revokeAuthorization(id: "x", idempotencyKey: "k") { live } }`, nil, apptest.Department(t))
	if !slices.Equal(codes(r), []string{"FORBIDDEN"}) {
		t.Errorf("revoke without authorization:write: %s", r.Body)
	}
}

// SECURITY: records follow the catalogue's openness: the public sees public
// records inside their publicity period, and nothing of shared ones by any
// path (list, filter, node, counts); an entity sees its own shared records
// and not another's.
func TestRecordsFollowTheirOpenness(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e, other := h.World.Entities[0], h.World.Entities[6]
	q := `query($u: ID!, $f: RecordFilter) { entity(uscc: $u) { records(first: 100, filter: $f) {
	  edges { node { id kind publicity status } } } } }`
	list := func(headers map[string]string, uscc string, f map[string]any) []any {
		return apptest.Get(h.QueryAs(t, headers, q, map[string]any{"u": uscc, "f": f}), "entity", "records", "edges").([]any)
	}
	dept := list(apptest.Department(t), e.USCC, nil)
	var wantPublic []string
	var sharedID string
	for _, edge := range dept {
		n := apptest.Get(edge, "node")
		st := apptest.Get(n, "status")
		if apptest.Get(n, "publicity") == "PUBLIC" && st != "EXPIRED" && st != "REPAIRED" && st != "REVOKED" {
			wantPublic = append(wantPublic, apptest.Get(n, "id").(string))
		}
		if apptest.Get(n, "publicity") == "SHARED" {
			sharedID = apptest.Get(n, "id").(string)
		}
	}
	if sharedID == "" || len(wantPublic) == 0 {
		t.Fatalf("showcase entity lacks public or shared records: %v", dept)
	}
	anon := list(nil, e.USCC, nil)
	var gotPublic []string
	for _, edge := range anon {
		gotPublic = append(gotPublic, apptest.Get(edge, "node", "id").(string))
	}
	if !slices.Equal(gotPublic, wantPublic) {
		t.Errorf("the public sees %d records, want exactly the %d public ones in their period", len(gotPublic), len(wantPublic))
	}
	if n := len(list(nil, e.USCC, map[string]any{"publicity": []string{"SHARED"}})); n != 0 {
		t.Errorf("a publicity filter showed the public %d shared records", n)
	}
	// A kind filter shows the public no shared record: environmental
	// ratings are shared; complaints only those handled (T10).
	if n := len(list(nil, e.USCC, map[string]any{"kinds": []string{"ENVIRONMENTAL_CREDIT_RATING"}})); n != 0 {
		t.Errorf("a kind filter showed the public %d environmental ratings", n)
	}
	for _, edge := range list(nil, e.USCC, map[string]any{"kinds": []string{"COMPLAINT"}}) {
		if apptest.Get(edge, "node", "publicity") != "PUBLIC" {
			t.Errorf("a kind filter showed the public a complaint being handled: %v", edge)
		}
	}
	r := h.Do(t, `query($id: ID!) { node(id: $id) { id ... on ConsumerComplaint { summary } ... on CreditRecord { summary } } }`,
		map[string]any{"id": sharedID}, nil)
	if apptest.Get(r.Data, "node") != nil || !slices.Contains(codes(r), "FORBIDDEN") {
		t.Errorf("node() of a shared record for the public: %s", r.Body)
	}
	r = h.Do(t, `query($u: ID!) { entity(uscc: $u) { sources { department { code } ok recordCount } } }`, map[string]any{"u": e.USCC}, nil)
	if !slices.Contains(codes(r), "FORBIDDEN") || strings.Contains(string(r.Body), `"recordCount":1`) {
		t.Errorf("record counts for the public: %s", r.Body)
	}
	// The entity itself sees its shared records, not another entity's.
	self := apptest.As(t, auth.KindEntity, e.USCC, "")
	if len(list(self, e.USCC, nil)) != len(dept) {
		t.Errorf("the entity sees %d of its %d records", len(list(self, e.USCC, nil)), len(dept))
	}
	for _, edge := range list(self, other.USCC, nil) {
		if apptest.Get(edge, "node", "publicity") != "PUBLIC" {
			t.Errorf("an entity sees another's %v record", apptest.Get(edge, "node", "kind"))
		}
	}
}

// A natural person's court records: the lists the law makes public are
// public; a consumption restriction is personal, shown only with
// person:read and a purpose, and logged.
func TestPersonsCourtRecords(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	p := h.World.Individuals[0]
	reader := apptest.As(t, auth.KindDepartment, "court", "LAW_ENFORCEMENT", auth.ScopePersonRead, auth.ScopeRecordRead)
	q := `query($id: String!) { person(idNumber: $id) { id name records(first: 50) { edges { node { kind publicity } } } } }`
	data := h.QueryAs(t, reader, q, map[string]any{"id": p.IDNo})
	if apptest.Get(data, "person", "name") != p.Name {
		t.Fatalf("person = %v", apptest.Get(data, "person"))
	}
	kinds := map[string]bool{}
	for _, edge := range apptest.Get(data, "person", "records", "edges").([]any) {
		kinds[apptest.Get(edge, "node", "kind").(string)] = true
	}
	for _, k := range []string{"DISHONEST_DEBTOR", "CONSUMPTION_RESTRICTION", "FALSE_LITIGATION"} {
		if !kinds[k] {
			t.Errorf("the person's %s is missing for an authorised reader: %v", k, kinds)
		}
	}
	pid := apptest.Get(data, "person", "id").(string)
	qn := `query($p: ID!) { node(id: $p) { ... on Person { name records(first: 50) { edges { node { kind publicity } } } } } }`
	r := h.Do(t, qn, map[string]any{"p": pid}, nil)
	noLeak(t, r, p.IDNo)
	for _, edge := range apptest.Get(r.Data, "node", "records", "edges").([]any) {
		if apptest.Get(edge, "node", "publicity") != "PUBLIC" {
			t.Errorf("the public sees a person's %v", apptest.Get(edge, "node", "kind"))
		}
	}
	if len(apptest.Get(r.Data, "node", "records", "edges").([]any)) == 0 {
		t.Errorf("the public does not see the court's public lists: %s", r.Body)
	}
}

// SECURITY: hostile arguments are refused as input, never run.
func TestHostileArguments(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	reader := apptest.As(t, auth.KindDepartment, "market", purposeApproval, auth.ScopePersonRead)
	for _, id := range []string{"1' OR '1'='1", "11010519491231002X' --", strings.Repeat("9", 10000), "１１０１０５１９４９１２３１００２Ｘ"} {
		r := h.Do(t, `query($id: String!) { person(idNumber: $id) { name } }`, map[string]any{"id": id}, reader)
		if !slices.Equal(codes(r), []string{"BAD_USER_INPUT"}) || len(r.Body) > 2000 {
			t.Errorf("%.20q: %s", id, r.Body)
		}
	}
}

func openAdmin(t *testing.T, dbname string) *sql.DB {
	t.Helper()
	u := dstest.ServerURL()
	if dbname != "" {
		u = strings.Replace(u, "/postgres?", "/"+dbname+"?", 1)
	}
	db, err := sql.Open("postgres", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// SECURITY: when the log row cannot be committed, the personal parts of
// the answer are withheld and the rest goes out.
func TestNoLogNoPersonalData(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60})
	e := h.World.Entities[0]
	hubDB := h.Prefix + "credithub"
	admin := openAdmin(t, "")
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+hubDB+` ALLOW_CONNECTIONS false`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), `ALTER DATABASE `+hubDB+` ALLOW_CONNECTIONS true`)
	})
	if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, hubDB); err != nil {
		t.Fatal(err)
	}
	reader := apptest.As(t, auth.KindDepartment, "market", purposeApproval, auth.ScopePersonRead)
	r := h.Do(t, `query($u: ID!) { entity(uscc: $u) { name legalRepresentative { name idNumber mobile } } }`, map[string]any{"u": e.USCC}, reader)
	noLeak(t, r, e.LegalRep.IDNo)
	if strings.Contains(string(r.Body), e.LegalRep.Mobile) {
		t.Fatalf("mobile leaked without a log row: %s", r.Body)
	}
	if !slices.Contains(codes(r), "QUERY_LOG_UNAVAILABLE") {
		t.Fatalf("no QUERY_LOG_UNAVAILABLE error: %s", r.Body)
	}
	if apptest.Get(r.Data, "entity", "name") != e.Name || apptest.Get(r.Data, "entity", "legalRepresentative", "name") != e.LegalRep.Name {
		t.Fatalf("the non-personal part of the answer is missing: %s", r.Body)
	}
}

// SECURITY: the log refuses edits and deletions, and an edit made behind
// its back (triggers disabled by a superuser) is found by audit verify.
func TestQueryLogIsAppendOnlyAndTamperEvident(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60})
	reader := apptest.As(t, auth.KindDepartment, "market", purposeApproval, auth.ScopePersonRead)
	for _, e := range h.World.Entities[:3] {
		h.QueryAs(t, reader, `query($u: ID!) { entity(uscc: $u) { legalRepresentative { idNumber } } }`, map[string]any{"u": e.USCC})
	}
	ql := h.QueryLog
	ctx := context.Background()
	if v, err := ql.Verify(ctx, time.Time{}); err != nil || v.Rows != 3 {
		t.Fatalf("Verify = %d, %v; want 3 rows intact", v.Rows, err)
	}
	db := openAdmin(t, h.Prefix+"credithub")
	for _, stmt := range []string{`UPDATE query_log SET purpose = 'LAW_ENFORCEMENT' WHERE id = 2`, `DELETE FROM query_log WHERE id = 3`, `TRUNCATE query_log`} {
		if _, err := db.ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE query_log DISABLE TRIGGER query_log_no_update;
		UPDATE query_log SET purpose = 'LAW_ENFORCEMENT' WHERE id = 2;
		ALTER TABLE query_log ENABLE TRIGGER query_log_no_update`); err != nil {
		t.Fatal(err)
	}
	v, err := ql.Verify(ctx, time.Time{})
	var broken *auth.Broken
	if !errorsAs(err, &broken) || broken.ID != 2 || v.Rows != 1 {
		t.Fatalf("Verify after an edit = %d, %v; want row 2 broken", v.Rows, err)
	}
}

// SECURITY: while the log cannot be written in time (its head held by
// another session past the answer's wait), the answer leaves without the
// personal data; the row written once the head is free is logged and not
// answered, never the other way round, and the log still verifies.
func TestNoLogNoPersonalDataWhileTheLogIsStuck(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60})
	e := h.World.Entities[0]
	ctx := context.Background()
	admin := openAdmin(t, h.Prefix+"credithub")
	tx, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT * FROM query_log_head FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	reader := apptest.As(t, auth.KindDepartment, "market", purposeApproval, auth.ScopePersonRead)
	q := `query($u: ID!) { entity(uscc: $u) { name legalRepresentative { name idNumber } } }`
	r := h.Do(t, q, map[string]any{"u": e.USCC}, reader)
	_ = tx.Rollback()
	noLeak(t, r, e.LegalRep.IDNo)
	if !slices.Contains(codes(r), "QUERY_LOG_UNAVAILABLE") || apptest.Get(r.Data, "entity", "name") != e.Name {
		t.Fatalf("answer while the log's head is held: %s", r.Body)
	}
	r = h.Do(t, q, map[string]any{"u": e.USCC}, reader)
	if apptest.Get(r.Data, "entity", "legalRepresentative", "idNumber") != e.LegalRep.IDNo {
		t.Fatalf("answer once the head is free: %s", r.Body)
	}
	if v, err := h.QueryLog.Verify(ctx, time.Time{}); err != nil || v.Rows < 1 {
		t.Fatalf("Verify = %+v, %v", v, err)
	}
}

// Two hub instances over the same databases answer personal reads at
// once: every answer that carried an ID number has its row, in one chain
// that verifies with no gap and no fork.
func TestQueryLogAcrossInstances(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60})
	hubs := []*apptest.Hub{h, h.Variant(t, nil)}
	reader := apptest.As(t, auth.KindDepartment, "market", purposeApproval, auth.ScopePersonRead)
	q := `query($u: ID!) { entity(uscc: $u) { legalRepresentative { idNumber } } }`
	const clients, each = 8, 6
	var wg sync.WaitGroup
	failures := make(chan string, clients*each)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				e := h.World.Entities[(c*each+i)%len(h.World.Entities)]
				r := hubs[(c+i)%2].Do(t, q, map[string]any{"u": e.USCC}, reader)
				if apptest.Get(r.Data, "entity", "legalRepresentative", "idNumber") != e.LegalRep.IDNo {
					failures <- string(r.Body)
				}
			}
		}()
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Fatalf("a personal read failed: %s", f)
	}
	v, err := h.QueryLog.Verify(context.Background(), time.Time{})
	if err != nil || v.Rows != clients*each || v.LastID != clients*each {
		t.Fatalf("Verify = %+v, %v; want %d rows intact", v, err, clients*each)
	}
}
