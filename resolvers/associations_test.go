package resolvers_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/ident"
)

// Industry associations (T29): a department authorises an association for
// an industry; the association registers members of that industry and
// records their self-discipline measures, commitments, training and
// honours; it reads its members' shared records and, of anybody else,
// what the public reads.

const authorizationFields = `id state basis revokeReason industry { code name } department { code } association { id code name }
  history { action from to actorOrg reason }`

const gqlAuthorizeAssociation = `mutation($in: AuthorizeAssociationInput!, $k: String!) {
  authorizeAssociation(input: $in, idempotencyKey: $k) { ` + authorizationFields + ` } }`

const gqlRevokeAssociation = `mutation($id: ID!, $r: String!, $k: String!) {
  revokeAssociationAuthorization(id: $id, reason: $r, idempotencyKey: $k) { ` + authorizationFields + ` } }`

const membershipFields = `id state joinedOn leftOn leftReason industry { code } entity { uscc } association { code name }
  history { action from to actorOrg reason }`

const gqlRegisterMember = `mutation($in: RegisterMemberInput!, $k: String!) { registerMember(input: $in, idempotencyKey: $k) { ` + membershipFields + ` } }`

const gqlEndMembership = `mutation($id: ID!, $d: Date!, $r: String!, $k: String!) {
  endMembership(id: $id, leftOn: $d, reason: $r, idempotencyKey: $k) { ` + membershipFields + ` } }`

const gqlRecordForMember = `mutation($in: MemberRecordInput!, $k: String!) {
  recordForMember(input: $in, idempotencyKey: $k) { recordId kind membership { ` + membershipFields + ` } } }`

const memberRecordFields = `id ... on CreditRecord { kind source { code name } authority publicity status summary decisionNo }
  ... on AssociationDisciplineRecord { association { code name } membershipId measure title }
  ... on AssociationMemberRecord { association { code name } membershipId category title }`

// associationCode is the code of a test association: a social
// organisation registered by civil affairs, distinct from the seed's.
func associationCode(t *testing.T, n int) string {
	t.Helper()
	c, err := ident.MakeUSCC('5', '1', "231100", fmt.Sprintf("MJT%06d", n))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// asAssociation is the association code signed in as itself, with its
// scopes (none given: both).
func asAssociation(t *testing.T, code string, scopes ...string) map[string]string {
	if len(scopes) == 0 {
		scopes = auth.AssociationScopes
	}
	return apptest.As(t, auth.KindAssociation, code, "", scopes...)
}

// authorizer is a department with association:authorize and the read
// scopes.
func authorizer(t *testing.T, dept string) map[string]string {
	return apptest.As(t, auth.KindDepartment, dept, "", auth.ScopeAssociationAuthorize, auth.ScopeEntityRead, auth.ScopeRecordRead)
}

func authorizeInput(code, name, industry string) map[string]any {
	return map[string]any{"association": code, "name": name, "industry": industry,
		"basis": "《若干措施》第二十九项：授权协会协助开展本行业信用建设和信用监管"}
}

// associationRows counts what the associations' mutations write, to show
// that a refusal wrote nothing.
func (h *orHub) associationRows(t *testing.T) string {
	t.Helper()
	var a, z, m, r, w int
	if err := h.DBs["hub"].QueryRow(`SELECT (SELECT count(*) FROM association), (SELECT count(*) FROM association_authorization),
		(SELECT count(*) FROM association_member), (SELECT count(*) FROM hub_record), (SELECT count(*) FROM workflow_history)`).Scan(&a, &z, &m, &r, &w); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(a, z, m, r, w)
}

// seenIDs are the IDs of an entity's records as who sees them, sorted.
func (h *orHub) seenIDs(t *testing.T, who map[string]string, uscc string) []string {
	t.Helper()
	var ids []string
	for id := range h.records(t, who, uscc) {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// memberView is what an association should see of a member's records:
// public and shared ones in force, of the department's view.
func (h *orHub) memberView(t *testing.T, uscc string) []string {
	t.Helper()
	var ids []string
	for id, r := range h.records(t, apptest.Department(t), uscc) {
		if (r["publicity"] == "PUBLIC" || r["publicity"] == "SHARED") &&
			!slices.Contains([]any{"EXPIRED", "REPAIRED", "REVOKED", "SCHEDULED"}, r["status"]) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// sharedRecord is one of an entity's shared records in force, as a
// department sees them ("" when it has none).
func (h *orHub) sharedRecord(t *testing.T, uscc string) string {
	t.Helper()
	for id, r := range h.records(t, apptest.Department(t), uscc) {
		if r["publicity"] == "SHARED" && r["status"] == "EFFECTIVE" {
			return id
		}
	}
	return ""
}

// assocWorld is the entities the association tests act on: two members
// of industry X, a third entity of X with shared records that never
// joins, and an entity of another industry.
type assocWorld struct {
	industry                         string
	member, expelled, nonMember, out int // world indexes
}

func (h *orHub) assocWorld(t *testing.T) assocWorld {
	t.Helper()
	byIndustry, shared := map[string][]int{}, map[int]bool{}
	for i, e := range h.World.Entities {
		if i < 4 || e.IndustryCode == "" || e.LegacyUSCC || e.LegacyKeys {
			continue // the first are the other tests'; legacy codes are the registry's business
		}
		byIndustry[e.IndustryCode] = append(byIndustry[e.IndustryCode], i)
		shared[i] = h.sharedRecord(t, e.USCC) != ""
	}
	var codes []string
	for c := range byIndustry {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, x := range codes {
		in := byIndustry[x]
		// The non-member has a shared record for the association to try.
		k := slices.IndexFunc(in, func(i int) bool { return shared[i] })
		if len(in) < 3 || k < 0 {
			continue
		}
		non := in[k]
		in = slices.Delete(slices.Clone(in), k, k+1)
		for _, y := range codes {
			if y != x {
				return assocWorld{industry: x, member: in[0], expelled: in[1], nonMember: non, out: byIndustry[y][0]}
			}
		}
	}
	t.Fatalf("the world has no industry with three entities, one with shared records, and another: %v %v", byIndustry, shared)
	return assocWorld{}
}

// TestAssociations runs the associations' tests, in order, on one hub of
// their own: each step builds on the one before.
func TestAssociations(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	w := h.assocWorld(t)
	code := associationCode(t, 1)
	s := &assocState{code: code, w: w}
	for _, step := range []struct {
		name string
		test func(*testing.T, *orHub, *assocState)
	}{
		{"authorize", testAuthorizeAssociation},
		{"authorize refusals", testAuthorizeAssociationRefusals},
		{"register members", testRegisterMembers},
		{"register refusals", testRegisterMemberRefusals},
		{"record for members", testRecordForMember},
		{"record refusals", testRecordForMemberRefusals},
		{"reads members only", testAssociationReads},
		{"expel", testExpelMember},
		{"revoked", testRevokedAuthorization},
		{"tokens", testAssociationTokens},
		{"lists", testAssociationLists},
	} {
		if !t.Run(step.name, func(t *testing.T) { step.test(t, h, s) }) {
			t.Fatalf("%s failed; the later steps rest on it", step.name)
		}
	}
}

// assocState is what the steps leave to the next.
type assocState struct {
	code            string
	w               assocWorld
	authorizationID string
	membershipID    string // the member's
	expelledID      string // the expelled member's membership
	recordIDs       map[string]string
}

// A department authorises an association for an industry: the hub knows
// the association from then on; its history says who did it; a retry
// answers the same and writes nothing.
func testAuthorizeAssociation(t *testing.T, h *orHub, s *assocState) {
	in, key := authorizeInput(s.code, "黑河市测试行业协会", s.w.industry), orKey()
	a := apptest.Get(h.call(t, authorizer(t, "market"), gqlAuthorizeAssociation, map[string]any{"in": in, "k": key}), "authorizeAssociation").(map[string]any)
	if a["state"] != "GRANTED" || apptest.Get(a, "industry", "code") != s.w.industry || apptest.Get(a, "industry", "name") == s.w.industry ||
		apptest.Get(a, "department", "code") != "market" || apptest.Get(a, "association", "code") != s.code ||
		apptest.Get(a, "association", "name") != "黑河市测试行业协会" ||
		fmt.Sprintf("%v %v %v", apptest.Get(a, "history", 0, "action"), apptest.Get(a, "history", 0, "to"), apptest.Get(a, "history", 0, "actorOrg")) != "authorize GRANTED market" {
		t.Fatalf("authorised: %v", a)
	}
	s.authorizationID = a["id"].(string)
	rows := h.associationRows(t)
	again := apptest.Get(h.call(t, authorizer(t, "market"), gqlAuthorizeAssociation, map[string]any{"in": in, "k": key}), "authorizeAssociation", "id")
	if again != a["id"] || h.associationRows(t) != rows {
		t.Fatalf("a retry answered %v, rows %s (were %s)", again, h.associationRows(t), rows)
	}
	// The public reads the association, its authorisation and by id.
	pub := h.Do(t, `query($c: ID!, $id: ID!) { association(code: $c) { id code name authorizations { id state department { code } } }
	  node(id: $id) { ... on AssociationAuthorization { id state industry { code } } } }`, map[string]any{"c": s.code, "id": a["id"]}, nil)
	if len(pub.Errors) > 0 || apptest.Get(pub.Data, "association", "authorizations", 0, "id") != a["id"] ||
		apptest.Get(pub.Data, "node", "state") != "GRANTED" {
		t.Fatalf("the public reads: %s", pub.Body)
	}
	if n := h.Do(t, `query($id: ID!) { node(id: $id) { ... on Association { code name } } }`,
		map[string]any{"id": apptest.Get(pub.Data, "association", "id")}, nil); len(n.Errors) > 0 || apptest.Get(n.Data, "node", "code") != s.code {
		t.Fatalf("the association by id: %s", n.Body)
	}
}

// SECURITY: only a department authorises, with association:authorize,
// a well-formed association code for a GB/T 4754 section; the same live
// authorisation twice and another name for a known association are
// conflicts. Nothing is written by a refusal.
func testAuthorizeAssociationRefusals(t *testing.T, h *orHub, s *assocState) {
	rows := h.associationRows(t)
	other := associationCode(t, 2)
	vars := func(in map[string]any) map[string]any { return map[string]any{"in": in, "k": orKey()} }
	good := authorizeInput(other, "黑河市另一行业协会", s.w.industry)
	// The wrong callers, each with the scope it may hold.
	for name, who := range map[string]map[string]string{
		"the public":                nil,
		"an association":            asAssociation(t, s.code),
		"the credit office":         apptest.As(t, auth.KindAdmin, "credit-office", "", auth.Scopes...),
		"an entity":                 apptest.As(t, auth.KindEntity, h.World.Entities[s.w.member].USCC, "", auth.EntitySelfScopes...),
		"a department without it":   apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeListWrite, auth.ScopeRecordRead),
		"an agency":                 apptest.As(t, auth.KindAgency, "agency-001", "", auth.ScopeEntityRead),
		"a public-service platform": apptest.As(t, auth.KindPublicService, "portal", "", auth.ScopeEntityRead),
	} {
		r := h.Do(t, gqlAuthorizeAssociation, vars(good), who)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || r.Data["authorizeAssociation"] != nil {
			t.Errorf("%s authorised: %s", name, r.Body)
		}
	}
	for _, tc := range []struct {
		name, field string
		in          map[string]any
	}{
		{"an enterprise's code", "input.association", authorizeInput(h.World.Entities[s.w.member].USCC, "冒名协会", s.w.industry)},
		{"garbage", "input.association", authorizeInput("'; DROP TABLE association; --", "冒名协会", s.w.industry)},
		{"no such industry", "input.industry", authorizeInput(other, "黑河市另一行业协会", "Z")},
		{"two industries", "input.industry", authorizeInput(other, "黑河市另一行业协会", "EF")},
		{"no name", "input.name", authorizeInput(other, "  ", s.w.industry)},
		{"no basis", "input.basis", map[string]any{"association": other, "name": "黑河市另一行业协会", "industry": s.w.industry, "basis": ""}},
	} {
		if e := h.fail(t, authorizer(t, "market"), "BAD_USER_INPUT", gqlAuthorizeAssociation, vars(tc.in)); e.Extensions["field"] != tc.field {
			t.Errorf("%s: %v", tc.name, e)
		}
	}
	h.fail(t, authorizer(t, "market"), "CONFLICT", gqlAuthorizeAssociation, vars(authorizeInput(s.code, "黑河市测试行业协会", s.w.industry)))
	if e := h.fail(t, authorizer(t, "housing"), "CONFLICT", gqlAuthorizeAssociation, vars(authorizeInput(s.code, "改名协会", s.w.industry))); e.Extensions["field"] != "input.name" {
		t.Errorf("another name: %v", e)
	}
	if got := h.associationRows(t); got != rows {
		t.Fatalf("refusals wrote rows: %s, were %s", got, rows)
	}
}

// The association registers entities of its authorised industry as its
// members; the public reads the membership, on the entity too.
func testRegisterMembers(t *testing.T, h *orHub, s *assocState) {
	joined := time.Now().AddDate(-1, 0, 0).Format(time.DateOnly)
	for i, idx := range []int{s.w.member, s.w.expelled} {
		e := h.World.Entities[idx]
		in, key := map[string]any{"uscc": e.USCC, "joinedOn": joined}, orKey()
		m := apptest.Get(h.call(t, asAssociation(t, s.code), gqlRegisterMember, map[string]any{"in": in, "k": key}), "registerMember").(map[string]any)
		if m["state"] != "MEMBER" || m["joinedOn"] != joined || m["leftOn"] != nil || apptest.Get(m, "entity", "uscc") != e.USCC ||
			apptest.Get(m, "industry", "code") != s.w.industry || apptest.Get(m, "association", "code") != s.code ||
			fmt.Sprintf("%v %v %v", apptest.Get(m, "history", 0, "action"), apptest.Get(m, "history", 0, "to"), apptest.Get(m, "history", 0, "actorOrg")) != "register MEMBER "+s.code {
			t.Fatalf("registered %v", m)
		}
		rows := h.associationRows(t)
		if again := apptest.Get(h.call(t, asAssociation(t, s.code), gqlRegisterMember, map[string]any{"in": in, "k": key}), "registerMember", "id"); again != m["id"] || h.associationRows(t) != rows {
			t.Fatalf("a retry answered %v, rows %s (were %s)", again, h.associationRows(t), rows)
		}
		if i == 0 {
			s.membershipID = m["id"].(string)
		} else {
			s.expelledID = m["id"].(string)
		}
		pub := h.Do(t, `query($u: ID!) { entity(uscc: $u) { memberships { id state association { code } } } }`, map[string]any{"u": e.USCC}, nil)
		if len(pub.Errors) > 0 || !strings.Contains(string(pub.Body), m["id"].(string)) {
			t.Fatalf("the public reads the entity's memberships: %s", pub.Body)
		}
	}
}

// SECURITY: only the association itself, with association:members,
// registers; only entities of an industry it is authorised for, the
// registry knows, once at a time, from a day not to come. A well-formed
// code no department authorised registers nobody. Nothing is written by a
// refusal.
func testRegisterMemberRefusals(t *testing.T, h *orHub, s *assocState) {
	rows := h.associationRows(t)
	joined := time.Now().AddDate(0, -1, 0).Format(time.DateOnly)
	in := func(idx int) map[string]any {
		return map[string]any{"in": map[string]any{"uscc": h.World.Entities[idx].USCC, "joinedOn": joined}, "k": orKey()}
	}
	// Outside its authorised industry.
	if e := h.fail(t, asAssociation(t, s.code), "FORBIDDEN", gqlRegisterMember, in(s.w.out)); e.Extensions["industry"] != h.World.Entities[s.w.out].IndustryCode {
		t.Errorf("outside the industry: %v", e)
	}
	// Twice.
	if e := h.fail(t, asAssociation(t, s.code), "CONFLICT", gqlRegisterMember, in(s.w.member)); e.Extensions["field"] != "input.uscc" {
		t.Errorf("twice: %v", e)
	}
	// An association no department authorised: a well-formed code, a valid token.
	h.fail(t, asAssociation(t, associationCode(t, 99)), "FORBIDDEN", gqlRegisterMember, in(s.w.nonMember))
	// The wrong scope, the wrong callers.
	if e := h.fail(t, asAssociation(t, s.code, auth.ScopeAssociationRecord), "FORBIDDEN", gqlRegisterMember, in(s.w.nonMember)); fmt.Sprint(e.Extensions["requiredScopes"]) != "[association:members]" {
		t.Errorf("without association:members: %v", e)
	}
	for name, who := range map[string]map[string]string{
		"a department":      apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeAssociationMembers, auth.ScopeAssociationAuthorize),
		"the credit office": apptest.As(t, auth.KindAdmin, "credit-office", "", auth.Scopes...),
		"the entity itself": apptest.As(t, auth.KindEntity, h.World.Entities[s.w.nonMember].USCC, "", auth.ScopeAssociationMembers),
	} {
		if e := h.fail(t, who, "FORBIDDEN", gqlRegisterMember, in(s.w.nonMember)); e.Extensions["allowedCallers"] == nil {
			t.Errorf("%s: %v", name, e)
		}
	}
	// Bad arguments.
	future := map[string]any{"in": map[string]any{"uscc": h.World.Entities[s.w.nonMember].USCC, "joinedOn": time.Now().AddDate(0, 0, 3).Format(time.DateOnly)}, "k": orKey()}
	if e := h.fail(t, asAssociation(t, s.code), "BAD_USER_INPUT", gqlRegisterMember, future); e.Extensions["field"] != "input.joinedOn" {
		t.Errorf("a day to come: %v", e)
	}
	unknown, _ := ident.MakeUSCC('9', '1', "231102", "MA0TEXT01")
	h.fail(t, asAssociation(t, s.code), "NOT_FOUND", gqlRegisterMember, map[string]any{"in": map[string]any{"uscc": unknown, "joinedOn": joined}, "k": orKey()})
	if e := h.fail(t, asAssociation(t, s.code), "BAD_USER_INPUT", gqlRegisterMember, map[string]any{"in": map[string]any{"uscc": "91110000600037341N", "joinedOn": joined}, "k": orKey()}); e.Extensions["field"] != "input.uscc" {
		t.Errorf("a bad code: %v", e)
	}
	if got := h.associationRows(t); got != rows {
		t.Fatalf("refusals wrote rows: %s, were %s", got, rows)
	}
}

// The association records a member's self-discipline measure, commitment,
// training and honour: records of the member whose source is the
// associations and whose authority is the association, as open as the
// catalogue says (the measure shared, the rest public).
func testRecordForMember(t *testing.T, h *orHub, s *assocState) {
	e := h.World.Entities[s.w.member]
	decided := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)
	s.recordIDs = map[string]string{}
	for _, tc := range []struct {
		category, measure, kind, publicity string
	}{
		{"SELF_DISCIPLINE", "PUBLIC_CENSURE", "ASSOCIATION_DISCIPLINE", "SHARED"},
		{"COMMITMENT", "", "ASSOCIATION_RECORD", "PUBLIC"},
		{"TRAINING", "", "ASSOCIATION_RECORD", "PUBLIC"},
		{"HONOUR", "", "ASSOCIATION_RECORD", "PUBLIC"},
	} {
		in := map[string]any{"uscc": e.USCC, "category": tc.category, "title": "测试" + tc.category, "decisionNo": "黑协自律〔2026〕1号", "decisionDate": decided}
		if tc.measure != "" {
			in["measure"] = tc.measure
		}
		key := orKey()
		got := apptest.Get(h.call(t, asAssociation(t, s.code), gqlRecordForMember, map[string]any{"in": in, "k": key}), "recordForMember").(map[string]any)
		if got["kind"] != tc.kind || apptest.Get(got, "membership", "state") != "MEMBER" || apptest.Get(got, "membership", "id") != s.membershipID {
			t.Fatalf("%s recorded %v", tc.category, got)
		}
		id := got["recordId"].(string)
		s.recordIDs[tc.category] = id
		rows := h.associationRows(t)
		if again := apptest.Get(h.call(t, asAssociation(t, s.code), gqlRecordForMember, map[string]any{"in": in, "k": key}), "recordForMember", "recordId"); again != id || h.associationRows(t) != rows {
			t.Fatalf("a retry answered %v, rows %s (were %s)", again, h.associationRows(t), rows)
		}
		// The department reads it as the member's record, from the associations.
		rec := apptest.Get(h.call(t, apptest.Department(t), `query($id: ID!) { node(id: $id) { `+memberRecordFields+` } }`, map[string]any{"id": id}), "node").(map[string]any)
		if rec["kind"] != tc.kind || apptest.Get(rec, "source", "code") != "association" || rec["authority"] != "黑河市测试行业协会" ||
			rec["publicity"] != tc.publicity || rec["status"] != "EFFECTIVE" || apptest.Get(rec, "association", "code") != s.code ||
			rec["membershipId"] != s.membershipID || rec["title"] != "测试"+tc.category {
			t.Fatalf("%s as the department reads it: %v", tc.category, rec)
		}
		if tc.measure != "" && (rec["measure"] != tc.measure || !strings.Contains(rec["summary"].(string), "公开谴责")) {
			t.Fatalf("the measure: %v", rec)
		}
		if tc.measure == "" && rec["category"] != tc.category {
			t.Fatalf("the category: %v", rec)
		}
		// The public reads the public ones, and not the measure.
		pub := h.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, nil)
		if tc.publicity == "PUBLIC" && (len(pub.Errors) > 0 || apptest.Get(pub.Data, "node", "id") != id) {
			t.Errorf("the public reads %s: %s", tc.category, pub.Body)
		}
		if tc.publicity == "SHARED" && (len(pub.Errors) != 1 || pub.Errors[0].Code() != "FORBIDDEN" || apptest.Get(pub.Data, "node") != nil) {
			t.Errorf("the public reads the measure: %s", pub.Body)
		}
	}
	// All four are among the member's records, and in the membership's history.
	recs := h.records(t, apptest.Department(t), e.USCC)
	for c, id := range s.recordIDs {
		if recs[id] == nil || apptest.Get(recs[id], "source", "code") != "association" {
			t.Errorf("%s is not among the member's records", c)
		}
	}
	// They are in the member's credit report, as the department sees them.
	_, report := issueReport(t, h.Hub, apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeReportIssue, auth.ScopeEntityRead, auth.ScopeRecordRead),
		e.USCC, "BIDDING")
	var kinds []string
	for _, r := range report.Records {
		if strings.HasPrefix(r.Kind, "ASSOCIATION_") {
			kinds = append(kinds, r.Kind+" "+r.Publicity)
		}
	}
	// (the member may be a seeded association's member too)
	if !slices.Contains(kinds, "ASSOCIATION_DISCIPLINE SHARED") || len(slices.DeleteFunc(slices.Clone(kinds), func(k string) bool { return k != "ASSOCIATION_RECORD PUBLIC" })) < 3 {
		t.Errorf("the credit report holds %v", kinds)
	}
	// And in the agencies' change feed, each as it was added.
	feed := h.call(t, apptest.As(t, auth.KindAgency, "agency-assoc", "", auth.ScopeEntityRead, auth.ScopeRecordRead), feedQuery, map[string]any{"n": 100})
	added := 0
	for _, n := range apptest.Get(feed, "changes", "nodes").([]any) {
		for _, id := range s.recordIDs {
			if apptest.Get(n, "recordId") == id && apptest.Get(n, "action") == "ADDED" && apptest.Get(n, "uscc") == e.USCC {
				added++
			}
		}
	}
	if added != len(s.recordIDs) {
		t.Errorf("%d of the %d records are in the change feed: %v", added, len(s.recordIDs), feed)
	}
	hist := h.call(t, nil, `query($id: ID!) { node(id: $id) { ... on Membership { history { action to } } } }`, map[string]any{"id": s.membershipID})
	if n := len(apptest.Get(hist, "node", "history").([]any)); n != 5 {
		t.Errorf("the membership's history: %v", hist)
	}
}

// SECURITY: the association records for its own members only, in an
// industry it is authorised for, with association:record; a measure only
// for a self-discipline record and always for one; a department's or an
// entity's token records nothing. Nothing is written by a refusal.
func testRecordForMemberRefusals(t *testing.T, h *orHub, s *assocState) {
	rows := h.associationRows(t)
	decided := time.Now().AddDate(0, 0, -2).Format(time.DateOnly)
	rec := func(idx int, category string, measure any) map[string]any {
		in := map[string]any{"uscc": h.World.Entities[idx].USCC, "category": category, "title": "越权记录", "decisionDate": decided}
		if measure != nil {
			in["measure"] = measure
		}
		return map[string]any{"in": in, "k": orKey()}
	}
	for name, idx := range map[string]int{"a non-member of its industry": s.w.nonMember, "an entity of another industry": s.w.out} {
		if e := h.fail(t, asAssociation(t, s.code), "FORBIDDEN", gqlRecordForMember, rec(idx, "SELF_DISCIPLINE", "PUBLIC_CENSURE")); e.Extensions["field"] != "input.uscc" {
			t.Errorf("%s: %v", name, e)
		}
	}
	// Another association, authorised for the same industry, for this one's member.
	other := associationCode(t, 3)
	h.call(t, authorizer(t, "housing"), gqlAuthorizeAssociation, map[string]any{"in": authorizeInput(other, "黑河市第三行业协会", s.w.industry), "k": orKey()})
	rows = h.associationRows(t)
	h.fail(t, asAssociation(t, other), "FORBIDDEN", gqlRecordForMember, rec(s.w.member, "HONOUR", nil))
	if e := h.fail(t, asAssociation(t, s.code, auth.ScopeAssociationMembers), "FORBIDDEN", gqlRecordForMember, rec(s.w.member, "HONOUR", nil)); fmt.Sprint(e.Extensions["requiredScopes"]) != "[association:record]" {
		t.Errorf("without association:record: %v", e)
	}
	for name, who := range map[string]map[string]string{
		"a department":      apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeAssociationRecord),
		"the member itself": apptest.As(t, auth.KindEntity, h.World.Entities[s.w.member].USCC, "", auth.ScopeAssociationRecord),
	} {
		if e := h.fail(t, who, "FORBIDDEN", gqlRecordForMember, rec(s.w.member, "HONOUR", nil)); e.Extensions["allowedCallers"] == nil {
			t.Errorf("%s: %v", name, e)
		}
	}
	for _, tc := range []struct {
		name, field, category string
		measure               any
	}{
		{"a measure without its category", "input.measure", "HONOUR", "WARNING"},
		{"a self-discipline record without its measure", "input.measure", "SELF_DISCIPLINE", nil},
	} {
		if e := h.fail(t, asAssociation(t, s.code), "BAD_USER_INPUT", gqlRecordForMember, rec(s.w.member, tc.category, tc.measure)); e.Extensions["field"] != tc.field {
			t.Errorf("%s: %v", tc.name, e)
		}
	}
	before := rec(s.w.member, "TRAINING", nil)
	before["in"].(map[string]any)["decisionDate"] = time.Now().AddDate(-2, 0, 0).Format(time.DateOnly)
	if e := h.fail(t, asAssociation(t, s.code), "BAD_USER_INPUT", gqlRecordForMember, before); e.Extensions["field"] != "input.decisionDate" {
		t.Errorf("a record from before the member joined: %v", e)
	}
	if got := h.associationRows(t); got != rows {
		t.Fatalf("refusals wrote rows: %s, were %s", got, rows)
	}
}

// SECURITY: the association reads its member's public and shared records
// in force, and of anybody else exactly what the public reads — through
// entity, aliases, fragments, entityByKey, a search, and node(id), which
// refuses a non-member's shared record naming why.
func testAssociationReads(t *testing.T, h *orHub, s *assocState) {
	member, non := h.World.Entities[s.w.member], h.World.Entities[s.w.nonMember]
	as := asAssociation(t, s.code)
	if got, want := h.seenIDs(t, as, member.USCC), h.memberView(t, member.USCC); !slices.Equal(got, want) || !slices.Contains(got, s.recordIDs["SELF_DISCIPLINE"]) {
		t.Fatalf("the association sees of its member %v, want %v", got, want)
	}
	public := h.seenIDs(t, nil, non.USCC)
	if got := h.seenIDs(t, as, non.USCC); !slices.Equal(got, public) {
		t.Fatalf("the association sees of a non-member %v, the public %v", got, public)
	}
	shared := h.sharedRecord(t, non.USCC)
	r := h.Do(t, `query($id: ID!) { node(id: $id) { id ... on CreditRecord { summary } } }`, map[string]any{"id": shared}, as)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || apptest.Get(r.Data, "node") != nil || !strings.Contains(r.Errors[0].Message, "own members") {
		t.Fatalf("node of a non-member's shared record: %s", r.Body)
	}
	// Aliases and fragments: the member's and the non-member's records in one query.
	q := `query($m: ID!, $n: ID!) { m: entity(uscc: $m) { ...recs } n: entity(uscc: $n) { ...recs }
	  k: entityByKey(key: $k) { entity { records(first: 100) { edges { node { id } } } } } }
	  fragment recs on MarketEntity { records(first: 100) { edges { node { id ... on CreditRecord { publicity } } } } }`
	q = strings.Replace(q, "query($m: ID!, $n: ID!)", "query($m: ID!, $n: ID!, $k: ID!)", 1)
	ans := h.Do(t, q, map[string]any{"m": member.USCC, "n": non.USCC, "k": non.OrgCode}, as)
	if len(ans.Errors) > 0 {
		t.Fatalf("aliases: %s", ans.Body)
	}
	ids := func(path ...any) []string {
		var out []string
		edges, _ := apptest.Get(ans.Data, path...).([]any)
		for _, e := range edges {
			out = append(out, apptest.Get(e, "node", "id").(string))
		}
		sort.Strings(out)
		return out
	}
	if got := ids("n", "records", "edges"); !slices.Equal(got, public) {
		t.Errorf("the non-member through an alias and a fragment: %v, the public %v", got, public)
	}
	if got := ids("k", "entity", "records", "edges"); !slices.Equal(got, public) {
		t.Errorf("the non-member by its organisation code: %v, the public %v", got, public)
	}
	if got := ids("m", "records", "edges"); !slices.Equal(got, h.memberView(t, member.USCC)) {
		t.Errorf("the member beside it: %v", got)
	}
	// A search that finds both: each as above.
	search := h.Do(t, `query($n: String!) { entities(filter: {nameContains: $n}, first: 50) { edges { node { uscc records(first: 100) { edges { node { id } } } } } } }`,
		map[string]any{"n": non.Name}, as)
	if len(search.Errors) > 0 {
		t.Fatalf("search: %s", search.Body)
	}
	found := false
	for _, e := range apptest.Get(search.Data, "entities", "edges").([]any) {
		if apptest.Get(e, "node", "uscc") != non.USCC {
			continue
		}
		found = true
		var got []string
		for _, r := range apptest.Get(e, "node", "records", "edges").([]any) {
			got = append(got, apptest.Get(r, "node", "id").(string))
		}
		sort.Strings(got)
		if !slices.Equal(got, public) {
			t.Errorf("the non-member in a search: %v, the public %v", got, public)
		}
	}
	if !found {
		t.Errorf("the search did not find %s: %s", non.Name, search.Body)
	}
	// The members' other shared data (the grade) stays the departments'.
	if g := h.Do(t, `query($m: ID!) { entity(uscc: $m) { rating { grade } } }`, map[string]any{"m": member.USCC}, as); len(g.Errors) != 1 ||
		g.Errors[0].Code() != "FORBIDDEN" || apptest.Get(g.Data, "entity", "rating") != nil {
		t.Errorf("the association read its member's grade: %s", g.Body)
	}
	// One statement for the members, however many entities the answer has
	// (and one for the hub's own records of the batch, as for anyone).
	if n := ans.Statements()["hub"]; n > 3 {
		t.Errorf("the association's reads cost %d hub statements: %v", n, ans.Statements())
	}
}

// Expelling a member (取消会员资格) records the measure and ends the
// membership on its day: the association sees of it what the public sees,
// and records nothing more for it.
func testExpelMember(t *testing.T, h *orHub, s *assocState) {
	e := h.World.Entities[s.w.expelled]
	as := asAssociation(t, s.code)
	decided := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	in := map[string]any{"uscc": e.USCC, "category": "SELF_DISCIPLINE", "measure": "MEMBERSHIP_REVOKED", "title": "严重违反协会章程", "decisionDate": decided}
	got := apptest.Get(h.call(t, as, gqlRecordForMember, map[string]any{"in": in, "k": orKey()}), "recordForMember").(map[string]any)
	m := got["membership"].(map[string]any)
	if m["id"] != s.expelledID || m["state"] != "LEFT" || m["leftOn"] != decided || got["kind"] != "ASSOCIATION_DISCIPLINE" ||
		apptest.Get(m, "history", 1, "action") != "expel" || apptest.Get(m, "history", 1, "to") != "LEFT" {
		t.Fatalf("expelled: %v", got)
	}
	if got, public := h.seenIDs(t, as, e.USCC), h.seenIDs(t, nil, e.USCC); !slices.Equal(got, public) {
		t.Errorf("the association sees of a former member %v, the public %v", got, public)
	}
	h.fail(t, as, "FORBIDDEN", gqlRecordForMember, map[string]any{"in": map[string]any{"uscc": e.USCC, "category": "HONOUR", "title": "事后表彰", "decisionDate": decided}, "k": orKey()})
	h.fail(t, as, "INVALID_TRANSITION", gqlEndMembership, map[string]any{"id": s.expelledID, "d": decided, "r": "再次退会", "k": orKey()})
	// The record stays the member's, for the departments.
	if recs := h.records(t, apptest.Department(t), e.USCC); recs[got["recordId"].(string)] == nil {
		t.Error("the expulsion is not among the former member's records")
	}
	// Another association may not end this one's memberships.
	h.fail(t, asAssociation(t, associationCode(t, 3)), "FORBIDDEN", gqlEndMembership, map[string]any{"id": s.membershipID, "d": decided, "r": "冒名退会", "k": orKey()})
}

// SECURITY: only the department that granted an authorisation revokes it;
// once revoked, the association registers nobody of the industry, records
// for none of its members and reads of them what the public reads; a
// second revocation is an invalid transition.
func testRevokedAuthorization(t *testing.T, h *orHub, s *assocState) {
	vars := map[string]any{"id": s.authorizationID, "r": "协会未按要求报送会员信用信息", "k": orKey()}
	if e := h.fail(t, authorizer(t, "housing"), "FORBIDDEN", gqlRevokeAssociation, vars); e.Extensions["owner"] != "market" {
		t.Errorf("another department revoked: %v", e)
	}
	h.fail(t, asAssociation(t, s.code), "FORBIDDEN", gqlRevokeAssociation, map[string]any{"id": s.authorizationID, "r": "自行撤销", "k": orKey()})
	a := apptest.Get(h.call(t, authorizer(t, "market"), gqlRevokeAssociation, vars), "revokeAssociationAuthorization").(map[string]any)
	if a["state"] != "REVOKED" || a["revokeReason"] != vars["r"] || apptest.Get(a, "history", 1, "action") != "revoke" {
		t.Fatalf("revoked: %v", a)
	}
	h.fail(t, authorizer(t, "market"), "INVALID_TRANSITION", gqlRevokeAssociation, map[string]any{"id": s.authorizationID, "r": "再次撤销", "k": orKey()})
	member := h.World.Entities[s.w.member]
	as := asAssociation(t, s.code)
	if got, public := h.seenIDs(t, as, member.USCC), h.seenIDs(t, nil, member.USCC); !slices.Equal(got, public) {
		t.Errorf("after the revocation the association sees %v of its member, the public %v", got, public)
	}
	decided := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	if e := h.fail(t, as, "FORBIDDEN", gqlRecordForMember, map[string]any{"in": map[string]any{"uscc": member.USCC, "category": "HONOUR", "title": "撤销后表彰", "decisionDate": decided}, "k": orKey()}); e.Extensions["industry"] != s.w.industry {
		t.Errorf("recording after the revocation: %v", e)
	}
	h.fail(t, as, "FORBIDDEN", gqlRegisterMember, map[string]any{"in": map[string]any{"uscc": h.World.Entities[s.w.nonMember].USCC, "joinedOn": decided}, "k": orKey()})
	// Leaving stays possible: the registry is the association's.
	m := apptest.Get(h.call(t, as, gqlEndMembership, map[string]any{"id": s.membershipID, "d": decided, "r": "会员主动退会", "k": orKey()}), "endMembership").(map[string]any)
	if m["state"] != "LEFT" || m["leftReason"] != "会员主动退会" {
		t.Errorf("left: %v", m)
	}
	// A new authorisation for the industry restores nothing the registry ended.
	h.call(t, authorizer(t, "market"), gqlAuthorizeAssociation, map[string]any{"in": authorizeInput(s.code, "黑河市测试行业协会", s.w.industry), "k": orKey()})
	if got, public := h.seenIDs(t, as, member.USCC), h.seenIDs(t, nil, member.USCC); !slices.Equal(got, public) {
		t.Errorf("a former member under a new authorisation: %v, the public %v", got, public)
	}
}

// SECURITY: association tokens with a forged org or a scope beyond their
// own are refused before anything runs (401, naming the claim); an
// association's token cannot carry a department's or an agency's scopes,
// so their mutations refuse it for want of one.
func testAssociationTokens(t *testing.T, h *orHub, s *assocState) {
	now := time.Now()
	sign := func(org, scope string) map[string]string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, auth.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Issuer: auth.DevIssuer, Subject: "a", Audience: jwt.ClaimStrings{auth.DevAudience},
				ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), IssuedAt: jwt.NewNumericDate(now)},
			Kind: auth.KindAssociation, Org: org, Scope: scope})
		return map[string]string{"Authorization": "Bearer " + signedDev(t, tok)}
	}
	for name, tc := range map[string]struct{ org, scope, claim string }{
		"garbage org":          {"'; DROP TABLE association_member; --", "association:record", "org"},
		"an enterprise's code": {h.World.Entities[s.w.member].USCC, "association:record", "org"},
		"a read scope":         {s.code, "association:record record:read", "scope"},
		"a department's scope": {s.code, "association:authorize", "scope"},
		"personal data":        {s.code, "person:read", "scope"},
	} {
		r := h.Do(t, `{ associations { edges { node { code } } } }`, nil, sign(tc.org, tc.scope))
		if r.Status != http.StatusUnauthorized || len(r.Errors) != 1 || r.Errors[0].Code() != "UNAUTHENTICATED" || r.Errors[0].Extensions["claim"] != tc.claim {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	// A department's mutation: refused for want of its scope, which an
	// association cannot hold.
	r := h.Do(t, `mutation($in: EnterListingInput!, $k: String!) { enterListing(input: $in, idempotencyKey: $k) { id } }`,
		map[string]any{"in": map[string]any{"uscc": h.World.Entities[s.w.member].USCC, "listType": "KEY_ATTENTION", "domain": "finance",
			"basis": "越权列入", "linkedRecordIds": []string{s.recordIDs["SELF_DISCIPLINE"]}}, "k": orKey()},
		asAssociation(t, s.code))
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || fmt.Sprint(r.Errors[0].Extensions["requiredScopes"]) != "[list:write]" || apptest.Get(r.Data, "enterListing") != nil {
		t.Errorf("an association entered a listing: %s", r.Body)
	}
	// An agency's mutation: likewise.
	r = h.Do(t, `mutation($in: SubmitFindingInput!, $k: String!) { submitFinding(input: $in, idempotencyKey: $k) { id } }`,
		map[string]any{"in": map[string]any{"kind": "MONITORING", "uscc": h.World.Entities[s.w.nonMember].USCC, "department": "market",
			"summary": "越权报送", "evidence": "无"}, "k": orKey()}, asAssociation(t, s.code))
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || fmt.Sprint(r.Errors[0].Extensions["requiredScopes"]) != "[finding:submit]" {
		t.Errorf("an association submitted a finding: %s", r.Body)
	}
}

// The lists: associations by code, an association's authorisations and
// members, each page one statement; a malformed code is refused.
func testAssociationLists(t *testing.T, h *orHub, s *assocState) {
	r := h.Do(t, `{ associations(first: 50) { edges { cursor node { code name } } pageInfo { hasNextPage } } }`, nil, nil)
	if len(r.Errors) > 0 || r.Statements()["hub"] != 1 || !strings.Contains(string(r.Body), s.code) {
		t.Fatalf("associations cost %v: %s", r.Statements(), r.Body)
	}
	r = h.Do(t, `query($c: ID!) { association(code: $c) { members(first: 1) { edges { node { id state } } pageInfo { hasNextPage endCursor } } } }`,
		map[string]any{"c": s.code}, nil)
	if len(r.Errors) > 0 || apptest.Get(r.Data, "association", "members", "pageInfo", "hasNextPage") != true {
		t.Fatalf("members: %s", r.Body)
	}
	next := h.Do(t, `query($c: ID!, $a: String) { association(code: $c) { members(first: 5, after: $a, state: LEFT) { edges { node { id state history { action } } } } } }`,
		map[string]any{"c": s.code, "a": apptest.Get(r.Data, "association", "members", "pageInfo", "endCursor")}, nil)
	if len(next.Errors) > 0 || next.Statements()["hub"] > 3 {
		t.Fatalf("the next page cost %v: %s", next.Statements(), next.Body)
	}
	for _, e := range apptest.Get(next.Data, "association", "members", "edges").([]any) {
		if apptest.Get(e, "node", "state") != "LEFT" {
			t.Errorf("state LEFT listed %v", e)
		}
	}
	h.fail(t, nil, "BAD_USER_INPUT", `{ association(code: "91110000600037341L") { code } }`, nil)
	if n := h.Do(t, fmt.Sprintf(`{ association(code: %q) { code } }`, associationCode(t, 98)), nil, nil); len(n.Errors) > 0 || apptest.Get(n.Data, "association") != nil {
		t.Errorf("an association no department authorised: %s", n.Body)
	}
}
