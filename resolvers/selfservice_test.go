package resolvers_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/scalars"
	"credithub/internal/workday"
)

const ownReportMutation = `mutation($p: OwnReportPurpose!, $k: String!) { requestOwnCreditReport(purpose: $p, idempotencyKey: $k) {
  number uscc purpose issuedAt issuedTo content contentSha256 signature keyId publicKey } }`

const deadlinesQuery = `query($u: ID!, $within: Int) { entity(uscc: $u) { deadlines(withinWorkingDays: $within) {
  kind objectId uscc department { code } state awaiting dueDate workingDaysLeft overdue detail } } }`

// An entity signed in as itself obtains its own signed credit report for
// a stated purpose: on its own code, without its grade or anyone's ID
// number, verifiable like every report, listed among the reports issued on
// it; a retry under the same key gets the same report.
func TestOwnCreditReport(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[len(h.World.Entities)-7]
	self := apptest.As(t, auth.KindEntity, e.USCC, "", auth.ScopeReportRequest)
	key := fmt.Sprintf("own-%d", time.Now().UnixNano())

	r := h.Do(t, ownReportMutation, map[string]any{"p": "BIDDING", "k": key}, self)
	if len(r.Errors) > 0 {
		t.Fatalf("requestOwnCreditReport: %s", r.Body)
	}
	rep := apptest.Get(r.Data, "requestOwnCreditReport").(map[string]any)
	if rep["uscc"] != e.USCC || rep["purpose"] != "BIDDING" || rep["issuedTo"] != "entity:"+e.USCC {
		t.Fatalf("the report: %v", rep)
	}
	var c reportContent
	if err := json.Unmarshal([]byte(rep["content"].(string)), &c); err != nil {
		t.Fatal(err)
	}
	if c.Entity.USCC != e.USCC || c.Purpose != "BIDDING" || c.Grade != nil || c.Scope.Grade || c.Scope.PersonalData {
		t.Errorf("an entity's own report says entity %s purpose %s grade %v personal %v; want its own, no grade, no personal data",
			c.Entity.USCC, c.Purpose, c.Grade, c.Scope.PersonalData)
	}
	if !slices.Contains(c.Scope.Publicities, "SHARED") {
		t.Errorf("an entity's own report covers %v, want its shared records too", c.Scope.Publicities)
	}
	for _, p := range c.ResponsiblePersons {
		if !strings.Contains(p.IDNumber, "*") {
			t.Errorf("an entity's own report carries a full ID number: %+v", p)
		}
	}

	// Genuine, by the hub's verification (the same check `credithub
	// report verify` runs offline).
	v := h.Query(t, `query($in: VerifyReportInput!) { verifyCreditReport(input: $in) { genuine issuedByHub reason } }`,
		map[string]any{"in": map[string]any{"number": rep["number"], "issuedAt": rep["issuedAt"], "content": rep["content"], "signature": rep["signature"]}})
	if apptest.Get(v, "verifyCreditReport", "genuine") != true || apptest.Get(v, "verifyCreditReport", "issuedByHub") != true {
		t.Fatalf("verifyCreditReport: %v", v)
	}

	// A retry gets the same report; a new key a new one.
	again := apptest.Get(h.QueryAs(t, self, ownReportMutation, map[string]any{"p": "BIDDING", "k": key}), "requestOwnCreditReport", "number")
	if again != rep["number"] {
		t.Errorf("a retry under the same key issued %v, want %v", again, rep["number"])
	}
	other := apptest.Get(h.QueryAs(t, self, ownReportMutation, map[string]any{"p": "MARKET_ACCESS", "k": key + "-2"}), "requestOwnCreditReport", "number")
	if other == rep["number"] {
		t.Error("a new key gave the first report back")
	}

	// Listed among the reports issued on it, as issued to itself.
	d := h.QueryAs(t, apptest.As(t, auth.KindEntity, e.USCC, ""), `query($u: ID!) { entity(uscc: $u) { reportsOnIt(first: 100) {
		edges { node { number issuerKind issuerOrg purpose } } } } }`, map[string]any{"u": e.USCC})
	var listed []string
	for _, edge := range apptest.Get(d, "entity", "reportsOnIt", "edges").([]any) {
		n := apptest.Get(edge, "node")
		listed = append(listed, fmt.Sprintf("%s %s %s %s", apptest.Get(n, "number"), apptest.Get(n, "issuerKind"), apptest.Get(n, "issuerOrg"), apptest.Get(n, "purpose")))
	}
	for _, want := range []string{fmt.Sprintf("%s entity %s BIDDING", rep["number"], e.USCC), fmt.Sprintf("%s entity %s MARKET_ACCESS", other, e.USCC)} {
		if !slices.Contains(listed, want) {
			t.Errorf("reportsOnIt lists %v, want %q among them", listed, want)
		}
	}
}

// SECURITY: only an entity, for itself, obtains its own report: the scope
// is needed, another kind of caller is refused before anything is issued,
// a purpose outside the list is refused, and no argument can name another
// entity.
func TestOwnCreditReportRefusals(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[len(h.World.Entities)-8]
	count := func() int {
		var n int
		if err := h.DBs["hub"].Get(&n, `SELECT count(*) FROM credit_report`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	refused := func(name string, who map[string]string, vars map[string]any, query, code string) {
		t.Helper()
		r := h.Do(t, query, vars, who)
		if len(r.Errors) == 0 || r.Errors[0].Code() != code || apptest.Get(r.Data, "requestOwnCreditReport") != nil {
			t.Errorf("%s: want %s and no report, got %s", name, code, r.Body)
		}
	}
	vars := map[string]any{"p": "BIDDING", "k": "refused-1"}
	refused("an entity without report:request", apptest.As(t, auth.KindEntity, e.USCC, "", auth.ReadScopes...), vars, ownReportMutation, "FORBIDDEN")
	refused("a department with report:request", apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeReportRequest, auth.ScopeEntityRead), vars, ownReportMutation, "FORBIDDEN")
	refused("an agency with report:request", apptest.As(t, auth.KindAgency, "AG-1", "", auth.ScopeReportRequest, auth.ScopeReportIssue), vars, ownReportMutation, "FORBIDDEN")
	refused("the public", nil, vars, ownReportMutation, "FORBIDDEN")
	refused("an agency's purpose", apptest.As(t, auth.KindEntity, e.USCC, "", auth.ScopeReportRequest),
		map[string]any{"p": "AGENCY_SERVICE", "k": "refused-2"}, ownReportMutation, "GRAPHQL_VALIDATION_FAILED")
	refused("naming another entity", apptest.As(t, auth.KindEntity, e.USCC, "", auth.ScopeReportRequest), nil,
		fmt.Sprintf(`mutation { requestOwnCreditReport(purpose: BIDDING, uscc: %q, idempotencyKey: "refused-3") { number } }`, h.World.Entities[0].USCC),
		"GRAPHQL_VALIDATION_FAILED")
	refused("an entity the registry does not hold", apptest.As(t, auth.KindEntity, "91230000MA1BXXXX0N", "", auth.ScopeReportRequest), vars, ownReportMutation, "NOT_FOUND")
	if n := count(); n != before {
		t.Errorf("refused requests issued %d reports", n-before)
	}
}

// One worklist of an entity's deadlines: its commitment (no date, last),
// its listing's rectification, its objection and its repair application,
// soonest first, each with the working days left on the official calendar
// and whose move it is; withinWorkingDays keeps the near ones. One
// statement, for the entity itself and for a department.
func TestEntityDeadlines(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	rep := h.pick(t, h.repairable(t))
	e := rep.USCC
	obj := h.pick(t, func(r orRecord) bool { return r.USCC == e && orPublicEffective(r) })
	self := orEntity(t, e)

	repair := h.applied(t, rep, true)["id"].(string)
	objection := h.file(t, obj)["id"].(string)
	h.call(t, orOffice(t), orCheck, map[string]any{"id": objection, "k": orKey()})
	commitment := apptest.Get(h.call(t, self, `mutation($u: ID!, $k: String!) { signCommitment(input: {itemCode: "MA-001", uscc: $u,
		content: "本企业承诺登记材料真实有效"}, idempotencyKey: $k) { id } }`, map[string]any{"u": e, "k": orKey()}), "signCommitment", "id")
	cal, today := workday.Default(), scalars.DateOf(time.Now())
	rectifyBy := scalars.DateOf(cal.AddWorkingDays(today.Time(), 3))
	lister := apptest.As(t, auth.KindDepartment, rep.Source, "", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	entry := apptest.Get(h.call(t, lister, `mutation($in: EnterListingInput!, $k: String!) { enterListing(input: $in, idempotencyKey: $k) { id } }`,
		map[string]any{"k": orKey(), "in": map[string]any{"listType": "JOINT_PUNISHMENT", "uscc": e, "basis": "《严重违法失信名单管理办法》第二条",
			"linkedRecordIds": []string{rep.ID}, "rectifyBy": rectifyBy.String()}}), "enterListing", "id")

	var due struct {
		RepairAccept  time.Time `db:"accept_due"`
		ObjectionDecs time.Time `db:"decision_due"`
	}
	if err := h.DBs["hub"].Get(&due, `SELECT (SELECT accept_due FROM repair WHERE record_id = $1) AS accept_due,
		(SELECT decision_due FROM objection WHERE record_id = $2) AS decision_due`, rep.ID, obj.ID); err != nil {
		t.Fatal(err)
	}
	left := func(d time.Time) string {
		return fmt.Sprint(cal.WorkingDaysBetween(today.Time(), scalars.DateOf(d).Time()))
	}
	want := []string{
		fmt.Sprintf("OBJECTION %s %s CHECKED DEPARTMENT %s %s", objection, obj.Source, scalars.DateOf(due.ObjectionDecs), left(due.ObjectionDecs)),
		fmt.Sprintf("RECTIFICATION %s %s LISTED ENTITY %s 3", entry, rep.Source, rectifyBy),
		fmt.Sprintf("REPAIR %s %s APPLIED DEPARTMENT %s %s", repair, rep.Source, scalars.DateOf(due.RepairAccept), left(due.RepairAccept)),
		fmt.Sprintf("COMMITMENT %s market SIGNED ENTITY <nil> <nil>", commitment),
	}
	mine := []string{objection, entry.(string), repair, commitment.(string)}
	list := func(who map[string]string, within any) []string {
		t.Helper()
		r := h.Do(t, deadlinesQuery, map[string]any{"u": e, "within": within}, who)
		if len(r.Errors) > 0 {
			t.Fatalf("deadlines: %s", r.Body)
		}
		if got := r.Statements()["hub"]; got != 1 {
			t.Errorf("the deadlines cost %d hub statements, want 1 (%v)", got, r.Statements())
		}
		// The entity's seeded workflows are in the list too: every item is
		// its own, soonest first (the undated last), overdue exactly when
		// its days left are negative; the test's own come out in order.
		var out []string
		last := ""
		for i, d := range asList(apptest.Get(r.Data, "entity", "deadlines")) {
			due, _ := apptest.Get(d, "dueDate").(string)
			days, dated := apptest.Get(d, "workingDaysLeft").(float64)
			if apptest.Get(d, "uscc") != e || (due == "") == dated || apptest.Get(d, "overdue") != (dated && days < 0) {
				t.Errorf("deadline %d: %v", i, d)
			}
			if due != "" && last == "~" || due != "" && due < last {
				t.Errorf("deadline %d (due %s) after one due %s", i, due, last)
			}
			if last = due; due == "" {
				last = "~"
			}
			if !slices.Contains(mine, apptest.Get(d, "objectId").(string)) {
				continue
			}
			out = append(out, fmt.Sprintf("%s %s %s %s %s %v %v", apptest.Get(d, "kind"), apptest.Get(d, "objectId"), apptest.Get(d, "department", "code"),
				apptest.Get(d, "state"), apptest.Get(d, "awaiting"), apptest.Get(d, "dueDate"), apptest.Get(d, "workingDaysLeft")))
		}
		return out
	}
	// Soonest first: the objection's decision (2 working days), the
	// rectification (3), the repair's answer (10), the commitment.
	for name, who := range map[string]map[string]string{"the entity": self, "a department": apptest.Department(t)} {
		if got := list(who, nil); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s's worklist:\n got %s\nwant %s", name, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
	}
	if got := list(self, 3); strings.Join(got, "\n") != strings.Join(want[:2], "\n") {
		t.Errorf("within 3 working days:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want[:2], "\n     "))
	}
	r := h.Do(t, deadlinesQuery, map[string]any{"u": e, "within": 61}, self)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "withinWorkingDays" {
		t.Errorf("withinWorkingDays 61: %s", r.Body)
	}
}

// SECURITY: an entity reads its own checks, reports and deadlines and
// nobody else's, however it reaches another entity — by its code, node,
// aliases, named or inline fragments, a list — whatever read scopes its
// token carries; the answer holds nothing of the other entity's. An agency
// and the public read none of them.
func TestEntitySelfServiceRefusals(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	me, other := h.World.Entities[len(h.World.Entities)-9], h.World.Entities[len(h.World.Entities)-10]
	dept := apptest.Department(t)
	h.QueryAs(t, dept, checkQuery, map[string]any{"u": other.USCC, "s": "BIDDING"})
	h.QueryAs(t, apptest.As(t, auth.KindAgency, "AG-9", "", auth.ScopeReportIssue), creditReportQuery,
		map[string]any{"u": other.USCC, "p": "AGENCY_SERVICE"})
	otherID := apptest.Get(h.QueryAs(t, dept, `query($u: ID!) { entity(uscc: $u) { id } }`, map[string]any{"u": other.USCC}), "entity", "id")
	const fields = `checksOnIt { edges { node { checkId askedBy { code } } } } reportsOnIt { edges { node { number issuerOrg } } } deadlines { kind objectId }`
	secret := []string{"checkId", "askedBy", "number", "issuerOrg", "objectId", "AG-9"}

	for _, scopes := range [][]string{nil, auth.ReadScopes, auth.Scopes} {
		self := apptest.As(t, auth.KindEntity, me.USCC, "", scopes...)
		byCode, byID := map[string]any{"u": other.USCC}, map[string]any{"id": otherID}
		for name, q := range map[string]struct {
			query string
			vars  map[string]any
		}{
			"entity(uscc)":    {`query($u: ID!) { entity(uscc: $u) { ` + fields + ` } }`, byCode},
			"node":            {`query($id: ID!) { node(id: $id) { ... on MarketEntity { ` + fields + ` } } }`, byID},
			"named fragment":  {`query($u: ID!) { entity(uscc: $u) { ...F } } fragment F on MarketEntity { ` + fields + ` }`, byCode},
			"inline fragment": {`query($id: ID!) { node(id: $id) { ... on Node { ... on MarketEntity { ` + fields + ` } } } }`, byID},
			"aliases": {`query($u: ID!) { a: entity(uscc: $u) { c: checksOnIt { edges { node { checkId } } } }
				b: entity(uscc: $u) { d: deadlines { objectId } r: reportsOnIt { edges { node { number } } } } }`, byCode},
		} {
			r := h.Do(t, q.query, q.vars, self)
			if len(r.Errors) < 3 {
				t.Errorf("%s with %v: want three refusals, got %s", name, scopes, r.Body)
			}
			for _, err := range r.Errors {
				if err.Code() != "FORBIDDEN" {
					t.Errorf("%s with %v: %s, want FORBIDDEN: %s", name, scopes, err.Code(), r.Body)
				}
			}
			for _, s := range secret {
				if strings.Contains(string(r.Body), s) && !strings.Contains(string(r.Body), `"path"`) {
					t.Errorf("%s with %v: the answer names %s: %s", name, scopes, s, r.Body)
				}
			}
			data, _ := json.Marshal(r.Data)
			for _, s := range []string{"edges", "kind", "objectId", "AG-9"} {
				if strings.Contains(string(data), s) {
					t.Errorf("%s with %v: the data holds %s: %s", name, scopes, s, data)
				}
			}
		}
		// A list of entities: its own rows answer, every other is refused.
		r := h.Do(t, `{ entities(first: 5) { edges { node { uscc deadlines { objectId } } } } }`, nil, self)
		for _, edge := range asList(apptest.Get(r.Data, "entities", "edges")) {
			if u := apptest.Get(edge, "node", "uscc"); u != me.USCC && apptest.Get(edge, "node") != nil {
				t.Errorf("entities: another entity's row answered: %v", edge)
			}
		}
	}
	for name, who := range map[string]map[string]string{
		"an agency with every scope": apptest.As(t, auth.KindAgency, "AG-9", "", auth.Scopes...),
		"the public":                 nil,
	} {
		r := h.Do(t, `query($u: ID!) { entity(uscc: $u) { `+fields+` } }`, map[string]any{"u": other.USCC}, who)
		if len(r.Errors) != 3 || apptest.Get(r.Data, "entity", "deadlines") != nil {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	// A department reads an entity's deadlines with record:read, as it
	// reads its objections and repairs.
	r := h.Do(t, deadlinesQuery, map[string]any{"u": other.USCC}, apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead))
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || fmt.Sprint(r.Errors[0].Extensions["requiredScopes"]) != "[record:read]" {
		t.Errorf("a department without record:read: %s", r.Body)
	}
}

// Who checked an entity and the reports issued on it name the department
// (or agency) and the scenario or purpose, never the asking user nor an
// agency's client: the types have no field for them, and the answer holds
// no subject of the tokens that asked.
func TestChecksAndReportsOnItNameNoClient(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	e := h.World.Entities[len(h.World.Entities)-11]
	asker := map[string]string{"Authorization": "Bearer " + mintWithSubject(t, auth.KindDepartment, "market", "clerk-zhang-wei", auth.ScopeEntityRead)}
	h.QueryAs(t, asker, checkQuery, map[string]any{"u": e.USCC, "s": "BIDDING"})
	agency := map[string]string{"Authorization": "Bearer " + mintWithSubject(t, auth.KindAgency, "AG-7", "client-bank-of-heihe", auth.ScopeReportIssue)}
	h.QueryAs(t, agency, creditReportQuery, map[string]any{"u": e.USCC, "p": "AGENCY_SERVICE"})

	for typ, want := range map[string][]string{
		"CheckOnEntity":  {"askedBy", "checkId", "checkedAt", "complete", "measuresFound", "scenario"},
		"ReportOnEntity": {"issuedAt", "issuerKind", "issuerOrg", "number", "purpose"},
	} {
		d := h.Query(t, `query($t: String!) { __type(name: $t) { fields { name } } }`, map[string]any{"t": typ})
		var got []string
		for _, f := range apptest.Get(d, "__type", "fields").([]any) {
			got = append(got, apptest.Get(f, "name").(string))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s has fields %v, want exactly %v", typ, got, want)
		}
	}
	r := h.Do(t, `query($u: ID!) { entity(uscc: $u) {
		checksOnIt { edges { node { checkId askedBy { code name } scenario } } }
		reportsOnIt { edges { node { number issuerKind issuerOrg purpose } } } } }`,
		map[string]any{"u": e.USCC}, apptest.As(t, auth.KindEntity, e.USCC, ""))
	if len(r.Errors) > 0 {
		t.Fatal(string(r.Body))
	}
	if s := string(r.Body); strings.Contains(s, "clerk-zhang-wei") || strings.Contains(s, "client-bank-of-heihe") ||
		!strings.Contains(s, `"code":"market"`) || !strings.Contains(s, `"scenario":"BIDDING"`) || !strings.Contains(s, `"issuerOrg":"AG-7"`) {
		t.Errorf("checksOnIt and reportsOnIt as the entity: %s", s)
	}
}

// mintWithSubject mints a development token whose sub is subject.
func mintWithSubject(t *testing.T, kind auth.Kind, org, subject string, scopes ...string) string {
	t.Helper()
	tok, err := auth.MintDev(auth.DevToken{Kind: kind, Org: org, Subject: subject, Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
