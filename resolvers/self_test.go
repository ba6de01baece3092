package resolvers_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/lib/pq"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/apperr"
	"credithub/internal/gid"
	"credithub/internal/ident"
)

// selfPerson is a person of the synthetic world with personal records.
type selfPerson struct {
	idNo string
	// records are the IDs of the person's records a department with
	// person:read sees, newest first; personal one of them PERSONAL.
	records  []string
	personal string
}

const selfRecordsQuery = `query($id: String!) { person(idNumber: $id) { records(first: 100) { edges { node { id publicity } } } } }`

// selfPersons finds n persons of the world with a personal record, as a
// department with person:read sees them.
func selfPersons(t *testing.T, h *apptest.Hub, n int) []selfPerson {
	t.Helper()
	reader := apptest.As(t, auth.KindDepartment, "market", "LAW_ENFORCEMENT", auth.ScopePersonRead, auth.ScopeRecordRead)
	var people []string
	for _, p := range h.World.Individuals {
		people = append(people, p.IDNo)
	}
	for _, e := range h.World.Entities {
		for _, p := range e.Persons() {
			people = append(people, p.IDNo)
		}
	}
	var out []selfPerson
	seen := map[string]bool{}
	for _, id := range people {
		if seen[id] {
			continue
		}
		seen[id] = true
		data := h.QueryAs(t, reader, selfRecordsQuery, map[string]any{"id": id})
		p := selfPerson{idNo: id}
		edges, _ := apptest.Get(data, "person", "records", "edges").([]any)
		for _, e := range edges {
			rid := apptest.Get(e, "node", "id").(string)
			p.records = append(p.records, rid)
			if apptest.Get(e, "node", "publicity") == "PERSONAL" && p.personal == "" {
				p.personal = rid
			}
		}
		if p.personal != "" {
			out = append(out, p)
			if len(out) == n {
				return out
			}
		}
	}
	t.Fatalf("the synthetic world has %d persons with a personal record, want %d", len(out), n)
	return nil
}

// selfLogRow is a query-log row as the tests read it.
type selfLogRow struct {
	Kind    string         `db:"kind"`
	Org     string         `db:"org"`
	Purpose string         `db:"purpose"`
	Persons pq.StringArray `db:"persons"`
	Fields  pq.StringArray `db:"fields"`
}

func selfLog(t *testing.T, h *apptest.Hub) []selfLogRow {
	t.Helper()
	var rows []selfLogRow
	if err := h.DBs["hub"].Select(&rows, `SELECT kind, org, purpose, persons, fields FROM query_log ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return rows
}

// refused runs q as who and checks that it is refused with code (at least
// one error, every one of that code) and that the answer carries none of
// the secrets.
func refused(t *testing.T, h *apptest.Hub, who map[string]string, code, q string, vars map[string]any, secrets ...string) *apptest.Response {
	t.Helper()
	r := h.Do(t, q, vars, who)
	if len(r.Errors) == 0 {
		t.Fatalf("not refused: %s", r.Body)
	}
	for _, e := range r.Errors {
		if e.Code() != code {
			t.Fatalf("want %s, got: %s", code, r.Body)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(string(r.Body), s) {
			t.Fatalf("the answer carries %q: %s", s, r.Body)
		}
	}
	return r
}

// Issue #15: a person signed in as themselves (token kind person) sees
// their own records, who read their data, their authorisations — which
// they revoke — and their objections, which they file; every such read is
// in the query log, purpose DATA_SUBJECT; and nothing of anybody else
// however they ask.
func TestPersonOwnData(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Entities: 60})
	ps := selfPersons(t, h, 2)
	me, other := ps[0], ps[1]
	asMe := h.AsPerson(t, me.idNo, "")
	// What must never reach me: the other's number, masked or not, the
	// part a mask leaves out, and the other's keyed reference.
	otherSecrets := []string{other.idNo, other.idNo[6:14], ident.MaskResidentID(other.idNo), h.Sealer.Ref(other.idNo)}

	t.Run("records", func(t *testing.T) {
		before := len(selfLog(t, h))
		r := h.Do(t, `{ me { id idNumber person { idNumber } records(first: 100) { complete edges { node { id publicity } } } } }`, nil, asMe)
		if len(r.Errors) > 0 {
			t.Fatalf("me: %s", r.Body)
		}
		if apptest.Get(r.Data, "me", "idNumber") != me.idNo || apptest.Get(r.Data, "me", "id") != h.Sealer.Person(me.idNo) ||
			apptest.Get(r.Data, "me", "person", "idNumber") != me.idNo {
			t.Errorf("me is not me: %s", r.Body)
		}
		// Exactly the records a department with person:read sees.
		var got []string
		for _, e := range apptest.Get(r.Data, "me", "records", "edges").([]any) {
			got = append(got, apptest.Get(e, "node", "id").(string))
		}
		if !slices.Equal(got, me.records) || !slices.Contains(got, me.personal) {
			t.Errorf("my records:\n got %v\nwant %v (with personal %s)", got, me.records, me.personal)
		}
		// The same records through person(idNumber:) and node(id), as me.
		data := h.QueryAs(t, asMe, selfRecordsQuery, map[string]any{"id": me.idNo})
		if n := len(apptest.Get(data, "person", "records", "edges").([]any)); n != len(me.records) {
			t.Errorf("person(idNumber: mine) shows %d records, want %d", n, len(me.records))
		}
		data = h.QueryAs(t, asMe, `query($id: ID!) { node(id: $id) { id ... on CreditRecord { publicity summary } } }`, map[string]any{"id": me.personal})
		if apptest.Get(data, "node", "publicity") != "PERSONAL" || apptest.Get(data, "node", "summary") == nil {
			t.Errorf("node(id) of my personal record: %v", data)
		}
		// Logged before it left, as my own read.
		rows := selfLog(t, h)
		if len(rows) != before+3 {
			t.Fatalf("%d log rows for 3 reads", len(rows)-before)
		}
		row := rows[before]
		if row.Kind != "person" || row.Org != h.Sealer.Person(me.idNo) || row.Purpose != "DATA_SUBJECT" ||
			!slices.Equal(row.Persons, []string{h.Sealer.Ref(me.idNo)}) || !slices.Contains(row.Fields, "PersonSelf.records") {
			t.Errorf("the log row of my read: %+v", row)
		}
	})

	t.Run("purpose", func(t *testing.T) {
		// I read as my data's subject: DATA_SUBJECT, or nothing.
		h.QueryAs(t, h.AsPerson(t, me.idNo, "DATA_SUBJECT"), `{ me { idNumber } }`, nil)
		r := refused(t, h, h.AsPerson(t, me.idNo, "LAW_ENFORCEMENT"), apperr.PurposeRequired, `{ me { idNumber } }`, nil, me.idNo)
		if fmt.Sprint(r.Errors[0].Extensions["acceptedPurposes"]) != "[DATA_SUBJECT]" {
			t.Errorf("the refusal does not name DATA_SUBJECT: %s", r.Body)
		}
		// Nobody else declares it.
		refused(t, h, apptest.As(t, auth.KindDepartment, "market", "DATA_SUBJECT", auth.ScopePersonRead),
			apperr.PurposeRequired, `query($id: String!) { person(idNumber: $id) { idNumber } }`, map[string]any{"id": me.idNo})
	})

	// SECURITY: a person reads nothing of another person, on any path:
	// node, person(idNumber:), aliases, fragments, another's objects, the
	// reviewers' lists; and no log row about the other is written.
	t.Run("others", func(t *testing.T) {
		before := len(selfLog(t, h))
		otherPID := h.Sealer.Person(other.idNo)
		vars := map[string]any{"rec": other.personal, "id": other.idNo, "pid": otherPID}
		for name, q := range map[string]string{
			"node of another's record":     `query($rec: ID!) { node(id: $rec) { id ... on CreditRecord { summary publicity } } }`,
			"aliased node":                 `query($rec: ID!) { mine: node(id: $rec) { ...R } } fragment R on CreditRecord { summary decisionNo }`,
			"person(idNumber:) of another": `query($id: String!) { person(idNumber: $id) { name idNumber records { edges { node { id } } } } }`,
			"aliases and fragments":        `query($id: String!) { me: person(idNumber: $id) { ...P } } fragment P on Person { idNumber mobile }`,
			"another's authorisations":     `query($id: String!) { authorizations(idNumber: $id) { agency person } }`,
			"the query log":                `query($id: String!) { queryLog(filter: {idNumber: $id}) { edges { node { org purpose } } } }`,
			"the objections list":          `{ objections { edges { node { id reason } } } }`,
		} {
			t.Run(name, func(t *testing.T) {
				r := refused(t, h, asMe, apperr.Forbidden, q, vars, otherSecrets...)
				if strings.Contains(string(r.Body), "requiredScopes") && strings.Contains(name, "node") {
					// No scope would let a person in; none is suggested.
					t.Errorf("the refusal suggests a scope: %s", r.Body)
				}
			})
		}
		// Another person's node: the public's view, the number masked, no
		// personal record.
		r := h.Do(t, `query($pid: ID!) { node(id: $pid) { ... on Person { idNumber mobile records(first: 100) { edges { node { id publicity } } } } } }`, vars, asMe)
		for _, s := range otherSecrets[:2] {
			if strings.Contains(string(r.Body), s) {
				t.Fatalf("node(id) of another person leaks %s: %s", s, r.Body)
			}
		}
		if strings.Contains(string(r.Body), `"PERSONAL"`) || strings.Contains(string(r.Body), other.personal) {
			t.Errorf("node(id) of another person shows a personal record: %s", r.Body)
		}
		after := selfLog(t, h)
		for _, row := range after[before:] {
			if slices.Contains(row.Persons, h.Sealer.Ref(other.idNo)) {
				t.Errorf("a log row about the other person was written: %+v", row)
			}
		}
		// The other's objections and authorisations, named by their ids.
		dept := apptest.As(t, auth.KindDepartment, "market", "OBJECTION_HANDLING", auth.ScopeObjectionFile, auth.ScopePersonRead, auth.ScopeRecordRead)
		o := h.QueryAs(t, dept, `mutation($r: ID!) { fileObjection(recordId: $r, reason: "身份被冒用", idempotencyKey: "self-other-1") { id } }`, map[string]any{"r": other.personal})
		oid := apptest.Get(o, "fileObjection", "id").(string)
		refused(t, h, asMe, apperr.Forbidden, `query($id: ID!) { node(id: $id) { ... on Objection { reason record { id } } } }`, map[string]any{"id": oid}, "冒用")
	})

	// SECURITY: a token that is not this hub's person — the raw number in
	// org, another person's ID sealed with another key, another's sealed ID
	// signed by a key the hub does not trust, a read scope — is a 401 and
	// reads nothing.
	t.Run("forged tokens", func(t *testing.T) {
		other, _ := gid.NewSealer([]byte(strings.Repeat("z", 32)))
		_, foreignKey, _ := ed25519.GenerateKey(rand.Reader)
		forged := jwt.NewWithClaims(jwt.SigningMethodEdDSA, auth.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Issuer: auth.DevIssuer, Subject: "me", Audience: jwt.ClaimStrings{auth.DevAudience},
				ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour)), IssuedAt: jwt.NewNumericDate(time.Now())},
			Org: h.Sealer.Person(me.idNo), Kind: auth.KindPerson,
		})
		forged.Header["kid"] = auth.DevKeyID
		badSig, _ := forged.SignedString(foreignKey)
		rawOrg := jwt.NewWithClaims(jwt.SigningMethodEdDSA, auth.Claims{
			RegisteredClaims: forged.Claims.(auth.Claims).RegisteredClaims, Org: me.idNo, Kind: auth.KindPerson})
		for name, tc := range map[string]struct{ token, reason string }{
			"raw ID number":           {signedDev(t, rawOrg), auth.ReasonClaims},
			"sealed with another key": {apptest.Token(t, auth.KindPerson, other.Person(me.idNo)), auth.ReasonClaims},
			"signed by another key":   {badSig, auth.ReasonSignature},
		} {
			t.Run(name, func(t *testing.T) {
				r := h.Do(t, `{ me { idNumber records { edges { node { id } } } } }`, nil, map[string]string{"Authorization": "Bearer " + tc.token})
				if r.Status != http.StatusUnauthorized || len(r.Errors) != 1 || r.Errors[0].Extensions["reason"] != tc.reason ||
					strings.Contains(string(r.Body), me.idNo) {
					t.Errorf("status %d: %s", r.Status, r.Body)
				}
			})
		}
		if _, err := auth.MintDev(auth.DevToken{Kind: auth.KindPerson, Org: h.Sealer.Person(me.idNo), Scopes: []string{auth.ScopePersonRead}}); err == nil {
			t.Error("a person token with person:read was minted")
		}
	})

	t.Run("access log", func(t *testing.T) {
		// A department reads me and the other in one request; an agency I
		// did not authorise is refused and leaves no row.
		dept := apptest.As(t, auth.KindDepartment, "fire", "LAW_ENFORCEMENT", auth.ScopePersonRead)
		h.QueryAs(t, dept, `query FireCheck($a: String!, $b: String!) { a: person(idNumber: $a) { idNumber } b: person(idNumber: $b) { idNumber } }`,
			map[string]any{"a": me.idNo, "b": other.idNo})
		const logQuery = `query($others: Boolean, $n: Int, $after: String) { me { accessLog(byOthers: $others, first: $n, after: $after) {
		  edges { cursor node { at who kind organisation purpose operation fields } } pageInfo { hasNextPage endCursor } } } }`
		before := len(selfLog(t, h))
		r := h.Do(t, logQuery, map[string]any{"n": 50}, asMe)
		if len(r.Errors) > 0 {
			t.Fatalf("accessLog: %s", r.Body)
		}
		for _, s := range otherSecrets {
			if strings.Contains(string(r.Body), s) {
				t.Fatalf("my access log carries the other person (%s): %s", s, r.Body)
			}
		}
		// One statement reads the page (the log row of this read is
		// written after the count).
		if got := r.Statements()["hub"]; got != 1 {
			t.Errorf("a page of accessLog cost %d hub statements, want 1: %v", got, r.Statements())
		}
		edges := apptest.Get(r.Data, "me", "accessLog", "edges").([]any)
		newest := apptest.Get(edges[0], "node").(map[string]any)
		if newest["kind"] != "department" || newest["organisation"] != "fire" || newest["purpose"] != "LAW_ENFORCEMENT" ||
			newest["operation"] != "FireCheck" || newest["who"] != "department:fire" || !slices.Contains(newest["fields"].([]any), any("Person.idNumber")) {
			t.Errorf("the department's read as I see it: %v", newest)
		}
		var mine int
		for _, e := range edges {
			if apptest.Get(e, "node", "kind") == "person" {
				mine++
				if apptest.Get(e, "node", "purpose") != "DATA_SUBJECT" || apptest.Get(e, "node", "organisation") != h.Sealer.Person(me.idNo) {
					t.Errorf("my own read as I see it: %v", e)
				}
			}
		}
		if mine == 0 {
			t.Error("my own reads are not in my access log")
		}
		// Reading my log wrote exactly one row, which the next read lists
		// first; it did not list itself.
		rows := selfLog(t, h)
		if len(rows) != before+1 || !slices.Contains(rows[before].Fields, "PersonSelf.accessLog") || rows[before].Kind != "person" {
			t.Fatalf("reading my log wrote %d rows: %+v", len(rows)-before, rows[before:])
		}
		again := h.QueryAs(t, asMe, logQuery, map[string]any{"n": 1})
		if n := apptest.Get(again, "me", "accessLog", "edges", 0, "node"); apptest.Get(n, "kind") != "person" ||
			!strings.Contains(fmt.Sprint(apptest.Get(n, "fields")), "PersonSelf.accessLog") {
			t.Errorf("the newest entry is not my previous read of the log: %v", n)
		}
		// Pages, newest first, and byOthers leaves my own reads out.
		var all []string
		var after any
		for {
			data := h.QueryAs(t, asMe, logQuery, map[string]any{"n": 2, "after": after, "others": true})
			conn := apptest.Get(data, "me", "accessLog")
			for _, e := range apptest.Get(conn, "edges").([]any) {
				if apptest.Get(e, "node", "kind") == "person" {
					t.Errorf("byOthers lists my own read: %v", e)
				}
				all = append(all, fmt.Sprint(apptest.Get(e, "node", "at")))
			}
			if apptest.Get(conn, "pageInfo", "hasNextPage") != true {
				break
			}
			after = apptest.Get(conn, "pageInfo", "endCursor")
		}
		var others int
		for _, row := range selfLog(t, h) {
			if slices.Contains(row.Persons, h.Sealer.Ref(me.idNo)) && row.Kind != "person" {
				others++
			}
		}
		if len(all) != others || others == 0 {
			t.Errorf("byOthers pages list %d reads, the log holds %d by others", len(all), others)
		}
		if !slices.IsSortedFunc(all, func(a, b string) int { return strings.Compare(b, a) }) {
			t.Errorf("not newest first: %v", all)
		}
		refused(t, h, asMe, apperr.BadUserInput, logQuery, map[string]any{"after": "bm9wZQ"})
	})

	t.Run("authorisations", func(t *testing.T) {
		dept := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeAuthorizationEdit)
		const rec = `mutation($in: RecordAuthorizationInput!) { recordAuthorization(input: $in) { id } }`
		var ids []string
		for i, who := range []string{me.idNo, me.idNo, other.idNo} {
			d := h.QueryAs(t, dept, rec, map[string]any{"in": map[string]any{"idNumber": who, "agency": fmt.Sprintf("agency-self-%d", i),
				"purpose": "AUTHORIZED_QUERY", "validFrom": wfToday().String(), "validTo": wfDays(30),
				"documentNo": fmt.Sprintf("SQ-self-%d", i), "idempotencyKey": fmt.Sprintf("self-authz-%d", i)}})
			ids = append(ids, apptest.Get(d, "recordAuthorization", "id").(string))
		}
		list := h.QueryAs(t, asMe, `{ me { authorizations { id agency live revokedAt } } }`, nil)
		var got []string
		for _, a := range apptest.Get(list, "me", "authorizations").([]any) {
			got = append(got, apptest.Get(a, "id").(string))
		}
		if fmt.Sprint(got) != fmt.Sprint([]string{ids[1], ids[0]}) {
			t.Errorf("my authorisations: %v, want %v", got, []string{ids[1], ids[0]})
		}
		const revoke = `mutation($id: ID!, $k: String!) { revokeMyAuthorization(id: $id, idempotencyKey: $k) { id live revokedAt } }`
		d := h.QueryAs(t, asMe, revoke, map[string]any{"id": ids[0], "k": "self-revoke-1"})
		if apptest.Get(d, "revokeMyAuthorization", "live") != false || apptest.Get(d, "revokeMyAuthorization", "revokedAt") == nil {
			t.Errorf("revoked: %v", d)
		}
		// The agency's read under it is refused from now on.
		agency := apptest.As(t, auth.KindAgency, "agency-self-0", "AUTHORIZED_QUERY", auth.ScopePersonRead)
		refused(t, h, agency, apperr.AuthorizationRequired, `query($id: String!) { person(idNumber: $id) { idNumber } }`, map[string]any{"id": me.idNo}, me.idNo)
		// A retry is the first answer; a second revocation is refused.
		if again := h.QueryAs(t, asMe, revoke, map[string]any{"id": ids[0], "k": "self-revoke-1"}); fmt.Sprint(again) != fmt.Sprint(d) {
			t.Errorf("retry: %v, first: %v", again, d)
		}
		refused(t, h, asMe, apperr.InvalidTransition, revoke, map[string]any{"id": ids[0], "k": "self-revoke-2"})
		// SECURITY: another's authorisation is the same NOT_FOUND as one
		// that does not exist, and stays live.
		theirs := refused(t, h, asMe, apperr.NotFound, revoke, map[string]any{"id": ids[2], "k": "self-revoke-3"}, otherSecrets...)
		none := refused(t, h, asMe, apperr.NotFound, revoke, map[string]any{"id": gid.Encode("PersonAuthorization", "999999"), "k": "self-revoke-4"})
		if theirs.Errors[0].Message != none.Errors[0].Message {
			t.Errorf("another's authorisation and none answer differently: %q, %q", theirs.Errors[0].Message, none.Errors[0].Message)
		}
		var live bool
		if err := h.DBs["hub"].Get(&live, `SELECT revoked_at IS NULL FROM person_authorization WHERE document_no = 'SQ-self-2'`); err != nil || !live {
			t.Errorf("the other's authorisation: live %v, %v", live, err)
		}
		// SECURITY: only a person revokes this way, and only with the scope.
		refused(t, h, h.AsPerson(t, me.idNo, "", auth.ScopeObjectionFile), apperr.Forbidden, revoke, map[string]any{"id": ids[1], "k": "self-revoke-5"})
		office := apptest.As(t, auth.KindAdmin, "credit-office", "", auth.Scopes...)
		refused(t, h, office, apperr.Forbidden, revoke, map[string]any{"id": ids[1], "k": "self-revoke-6"})
		if err := h.DBs["hub"].Get(&live, `SELECT revoked_at IS NULL FROM person_authorization WHERE document_no = 'SQ-self-1'`); err != nil || !live {
			t.Errorf("a refused revocation revoked: live %v, %v", live, err)
		}
	})

	t.Run("objections", func(t *testing.T) {
		const file = `mutation($r: ID!, $k: String!) { fileObjection(recordId: $r, reason: "该记录不是我的", idempotencyKey: $k) { id state filedBy record { id status } } }`
		// SECURITY: another's record and no record are the same refusal,
		// and write nothing.
		var before int
		h.DBs["hub"].Get(&before, `SELECT count(*) FROM objection`)
		theirs := refused(t, h, asMe, apperr.BadUserInput, file, map[string]any{"r": other.personal, "k": "self-obj-1"}, otherSecrets...)
		none := refused(t, h, asMe, apperr.BadUserInput, file, map[string]any{"r": gid.Encode(gid.TypeRecord, "court:CONSUMPTION_RESTRICTION:987654"), "k": "self-obj-2"})
		if theirs.Errors[0].Message != none.Errors[0].Message {
			t.Errorf("another's record and none answer differently: %q, %q", theirs.Errors[0].Message, none.Errors[0].Message)
		}
		refused(t, h, h.AsPerson(t, me.idNo, "", auth.ScopeAuthorizationRevoke), apperr.Forbidden, file, map[string]any{"r": me.personal, "k": "self-obj-3"})
		var after int
		h.DBs["hub"].Get(&after, `SELECT count(*) FROM objection`)
		if after != before {
			t.Fatalf("refused filings wrote %d objections", after-before)
		}
		d := h.QueryAs(t, asMe, file, map[string]any{"r": me.personal, "k": "self-obj-4"})
		o := apptest.Get(d, "fileObjection")
		if apptest.Get(o, "state") != "FILED" || apptest.Get(o, "record", "status") != "UNDER_OBJECTION" || apptest.Get(o, "filedBy") != h.Sealer.Person(me.idNo) {
			t.Errorf("filed: %v", o)
		}
		list := h.QueryAs(t, asMe, `{ me { objections { id state reason record { id } } } }`, nil)
		objs := apptest.Get(list, "me", "objections").([]any)
		if len(objs) != 1 || apptest.Get(objs[0], "id") != apptest.Get(o, "id") || apptest.Get(objs[0], "record", "id") != me.personal {
			t.Errorf("my objections: %v", objs)
		}
		h.QueryAs(t, asMe, `query($id: ID!) { node(id: $id) { ... on Objection { reason state } } }`, map[string]any{"id": apptest.Get(o, "id")})
		// SECURITY: the other person does not see mine.
		refused(t, h, h.AsPerson(t, other.idNo, ""), apperr.Forbidden, `query($id: ID!) { node(id: $id) { ... on Objection { reason } } }`,
			map[string]any{"id": apptest.Get(o, "id")}, "该记录不是我的", me.idNo)
	})

	// SECURITY: me answers a person only, whatever another caller holds.
	t.Run("me is for persons", func(t *testing.T) {
		for name, who := range map[string]map[string]string{
			"public":        nil,
			"credit office": apptest.As(t, auth.KindAdmin, "credit-office", "LAW_ENFORCEMENT", auth.Scopes...),
			"department":    apptest.As(t, auth.KindDepartment, "market", "LAW_ENFORCEMENT", auth.ReadScopes...),
			"agency":        apptest.As(t, auth.KindAgency, "agency-self-1", "AUTHORIZED_QUERY", auth.ReadScopes...),
			"entity":        apptest.As(t, auth.KindEntity, h.World.Entities[0].USCC, "", auth.ReadScopes...),
		} {
			t.Run(name, func(t *testing.T) {
				r := refused(t, h, who, apperr.Forbidden, `{ me { idNumber records { edges { node { id } } } accessLog { edges { node { who } } } } }`, nil)
				if r.Data["me"] != nil {
					t.Errorf("me = %v", r.Data["me"])
				}
			})
		}
	})
}

// signedDev signs a token with the development key, derived from its
// public string as anybody can: what a development hub trusts.
func signedDev(t *testing.T, tok *jwt.Token) string {
	t.Helper()
	seed := sha256.Sum256([]byte("credithub development signing key: never trusted in production"))
	tok.Header["kid"] = auth.DevKeyID
	s, err := tok.SignedString(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
