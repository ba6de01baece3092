package resolvers_test

// End-to-end tests of the listing workflow (workflow/listing.go), over
// HTTP against a hub with its own databases.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/workflow"
)

func wfRef(source, kind string, id int64) credit.Ref {
	return credit.Ref{Source: source, Kind: credit.Kind(kind), LocalID: id}
}

func TestListingWorkflow(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	ents, recs := h.listable(t, 3)
	e := ents[0]
	market := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	enter := func(t *testing.T, in map[string]any) map[string]any {
		t.Helper()
		return h.ok(t, market, gqlEnterListing, map[string]any{"in": in, "k": h.key()})["enterListing"].(map[string]any)
	}

	t.Run("joint punishment: entered, overdue, interviewed, revoked", func(t *testing.T) {
		le := enter(t, wfListing("JOINT_PUNISHMENT", e.USCC, recs[0][:1], map[string]any{"rectifyBy": wfToday().String()}))
		id := wfStr(le["id"])
		if le["state"] != "LISTED" || apptest.Get(le, "department", "code") != "market" || le["enteredOn"] != wfToday().String() ||
			fmt.Sprint(le["linkedRecordIds"]) != fmt.Sprint([]any{recs[0][0]}) || le["rectificationOverdue"] != false {
			t.Fatalf("entered: %v", le)
		}
		if got := h.history(t, workflow.WorkflowListing, id, workflow.TypeListEntry); !slices.Equal(got, []string{"enter →LISTED department:market@market 依据行政处罚决定认定"}) {
			t.Fatalf("history %q", got)
		}
		// The entity's public record …
		d := h.Query(t, `query($u: ID!) { entity(uscc: $u) { records(filter: {kinds: [LISTING]}) { edges { node { id kind status ... on ListingRecord { listType listEntryId role } } } } } }`,
			map[string]any{"u": e.USCC})
		var entityRecord map[string]any
		for _, ed := range apptest.Get(d, "entity", "records", "edges").([]any) {
			if apptest.Get(ed, "node", "listEntryId") == id {
				entityRecord = apptest.Get(ed, "node").(map[string]any)
			}
		}
		if entityRecord == nil || entityRecord["listType"] != "JOINT_PUNISHMENT" || entityRecord["role"] != nil {
			t.Fatalf("no listing record among the entity's records: %v", d)
		}
		// … and the personal records of its legal representative, principal
		// and actual controller (T22), read with person:read and a purpose.
		reader := apptest.As(t, auth.KindDepartment, "market", wfPurpose, auth.ScopePersonRead)
		for _, p := range []struct {
			idNo, role string
		}{{e.LegalRep.IDNo, "LEGAL_REPRESENTATIVE"}, {e.Principal.IDNo, "PRINCIPAL"}, {e.Controller.IDNo, "ACTUAL_CONTROLLER"}} {
			d := h.ok(t, reader, `query($id: String!) { person(idNumber: $id) { records(filter: {kinds: [LISTING]}) {
				edges { node { kind publicity status ... on ListingRecord { listType listEntryId role } } } } } }`, map[string]any{"id": p.idNo})
			var found int
			for _, ed := range apptest.Get(d, "person", "records", "edges").([]any) {
				n := apptest.Get(ed, "node").(map[string]any)
				if n["listEntryId"] == id {
					found++
					if n["publicity"] != "PERSONAL" || n["listType"] != "JOINT_PUNISHMENT" || n["role"] != p.role || n["status"] != "EFFECTIVE" {
						t.Errorf("personal listing record of the %s: %v", p.role, n)
					}
				}
			}
			if found != 1 {
				t.Errorf("the %s's records hold the listing %d times, want once: %v", p.role, found, d)
			}
		}
		// SECURITY: without person:read the personal records stay closed.
		r := h.Do(t, `query($id: String!) { person(idNumber: $id) { records { edges { node { kind } } } } }`, map[string]any{"id": e.LegalRep.IDNo}, apptest.Department(t))
		if strings.Contains(string(r.Body), "LISTING") {
			t.Fatalf("a department without person:read sees the personal listing: %s", r.Body)
		}

		// No interview before the deadline passed.
		h.invalid(t, "LISTED", "interview", market, gqlRecordInterview, map[string]any{"id": id, "on": wfToday().String(), "k": h.key()})
		// Time passes: the deadline was three days ago.
		n, _ := workflow.DecodeID(workflow.TypeListEntry, id)
		h.exec(t, `UPDATE list_entry SET rectify_by = $2::date WHERE id = $1`, n, wfDays(-3))
		d = h.ok(t, market, `query($u: ID!) { listEntries(filter: {uscc: $u, rectificationOverdue: true}) { edges { node { id rectificationOverdue } } } }`,
			map[string]any{"u": e.USCC})
		if node := wfFind(apptest.Get(d, "listEntries", "edges"), id); node == nil || node["rectificationOverdue"] != true {
			t.Fatalf("overdue listings: %v", d)
		}
		// 谁认定、谁约谈: only the identifying department interviews.
		h.forbidden(t, "", h.dept("environment", auth.ScopeListWrite), gqlRecordInterview, map[string]any{"id": id, "on": wfToday().String(), "k": h.key()})
		h.forbidden(t, auth.ScopeListWrite, h.dept("market", auth.ScopeEntityRead), gqlRecordInterview, map[string]any{"id": id, "on": wfToday().String(), "k": h.key()})
		if e := h.refused(t, "BAD_USER_INPUT", market, gqlRecordInterview, map[string]any{"id": id, "on": wfDays(1), "k": h.key()}); e.Extensions["field"] != "heldOn" {
			t.Fatalf("an interview tomorrow: %v", e)
		}
		iv := h.ok(t, market, gqlRecordInterview, map[string]any{"id": id, "on": wfToday().String(), "k": h.key()})["recordInterview"].(map[string]any)
		if iv["type"] != "WARNING" || iv["listEntryId"] != id || apptest.Get(iv, "department", "code") != "market" {
			t.Fatalf("interview: %v", iv)
		}
		d = h.ok(t, market, `query($id: ID!, $u: ID!) { node(id: $id) { ... on ListEntry { interviews { id type } history { action } } }
			entity(uscc: $u) { records(filter: {kinds: [INTERVIEW]}) { edges { node { kind ... on CreditInterview { interviewType listEntryId } } } } } }`,
			map[string]any{"id": id, "u": e.USCC})
		if apptest.Get(d, "node", "interviews", 0, "id") != iv["id"] || apptest.Get(d, "node", "history", 1, "action") != "interview" {
			t.Fatalf("the listing's interviews: %v", d)
		}
		if !slices.ContainsFunc(apptest.Get(d, "entity", "records", "edges").([]any), func(ed any) bool {
			return apptest.Get(ed, "node", "listEntryId") == id && apptest.Get(ed, "node", "interviewType") == "WARNING"
		}) {
			t.Fatalf("the interview did not join the entity's records: %v", d)
		}

		// Only the identifying department removes the listing.
		h.forbidden(t, "", h.dept("environment", auth.ScopeListWrite), gqlRemoveListing, map[string]any{"id": id, "r": "REVOKED", "k": h.key()})
		h.forbidden(t, auth.ScopeListWrite, h.dept("market"), gqlRemoveListing, map[string]any{"id": id, "r": "REVOKED", "k": h.key()})
		le = h.ok(t, market, gqlRemoveListing, map[string]any{"id": id, "r": "REVOKED", "k": h.key()})["removeListing"].(map[string]any)
		if le["state"] != "REMOVED" || le["removalReason"] != "REVOKED" || le["removedOn"] != wfToday().String() {
			t.Fatalf("removed: %v", le)
		}
		want := []string{
			"enter →LISTED department:market@market 依据行政处罚决定认定",
			"interview LISTED→LISTED department:market@market WARNING " + wfToday().String(),
			"remove LISTED→REMOVED department:market@market REVOKED: 认定依据被撤销",
		}
		if got := h.history(t, workflow.WorkflowListing, id, workflow.TypeListEntry); !slices.Equal(got, want) {
			t.Fatalf("history %q, want %q", got, want)
		}
		// The listing's records are revoked: a department sees them so, the
		// public no longer sees them; the interview stays.
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'listEntryId' = $1 AND kind = 'LISTING' AND status = 'REVOKED'`, id); c != 4 {
			t.Fatalf("%d revoked listing records, want 4 (the entity and three persons)", c)
		}
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'listEntryId' = $1 AND kind = 'INTERVIEW' AND status = 'EFFECTIVE'`, id); c != 1 {
			t.Fatalf("%d effective interview records, want 1", c)
		}
		q := `query($u: ID!) { entity(uscc: $u) { records(filter: {kinds: [LISTING]}) { edges { node { status ... on ListingRecord { listEntryId } } } } } }`
		pub := h.Query(t, q, map[string]any{"u": e.USCC})
		for _, ed := range apptest.Get(pub, "entity", "records", "edges").([]any) {
			if apptest.Get(ed, "node", "listEntryId") == id {
				t.Fatalf("the public still sees the revoked listing: %v", pub)
			}
		}
		dep := h.ok(t, apptest.Department(t), q, map[string]any{"u": e.USCC})
		var seen bool
		for _, ed := range apptest.Get(dep, "entity", "records", "edges").([]any) {
			if apptest.Get(ed, "node", "listEntryId") == id {
				seen = apptest.Get(ed, "node", "status") == "REVOKED"
			}
		}
		if !seen {
			t.Fatalf("a department does not see the revoked listing as REVOKED: %v", dep)
		}
		// Illegal transitions of a removed listing.
		h.invalid(t, "REMOVED", "remove", market, gqlRemoveListing, map[string]any{"id": id, "r": "EXPIRED", "k": h.key()})
		h.invalid(t, "REMOVED", "interview", market, gqlRecordInterview, map[string]any{"id": id, "on": wfToday().String(), "k": h.key()})
	})

	t.Run("key attention is shared, not public", func(t *testing.T) {
		ka := ents[1]
		vars := func(domain any) map[string]any {
			return map[string]any{"k": h.key(), "in": wfListing("KEY_ATTENTION", ka.USCC, recs[1][:1], map[string]any{"domain": domain})}
		}
		if e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, vars(nil)); e.Extensions["field"] != "input.domain" {
			t.Fatalf("no domain: %v", e)
		}
		if e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, vars("gambling")); e.Extensions["field"] != "input.domain" {
			t.Fatalf("unknown domain: %v", e)
		}
		le := h.ok(t, market, gqlEnterListing, vars("food and drugs"))["enterListing"].(map[string]any)
		id := le["id"]
		if le["domain"] != "food and drugs" || le["listType"] != "KEY_ATTENTION" {
			t.Fatalf("key attention: %v", le)
		}
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'listEntryId' = $1 AND kind = 'KEY_ATTENTION' AND subject_uscc = $2 AND detail->>'domain' = 'food and drugs'`, id, ka.USCC); c != 1 {
			t.Fatalf("%d key-attention records, want 1", c)
		}
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'listEntryId' = $1 AND subject_id_no <> ''`, id); c != 0 {
			t.Fatalf("a key-attention listing wrote %d personal records", c)
		}
		q := `query($u: ID!) { listEntries(filter: {uscc: $u}) { edges { node { id } } } entity(uscc: $u) { listings { id } } }`
		ids := func(headers map[string]string) string {
			d := h.ok(t, headers, q, map[string]any{"u": ka.USCC})
			listed := slices.ContainsFunc(apptest.Get(d, "entity", "listings").([]any), func(l any) bool { return apptest.Get(l, "id") == id })
			return fmt.Sprint(wfFind(apptest.Get(d, "listEntries", "edges"), id) != nil, listed)
		}
		// SECURITY: the public, a department without entity:read and another
		// entity do not see it; a department with the scopes and the entity
		// itself do.
		for name, c := range map[string]struct {
			headers map[string]string
			want    string
		}{
			"public":                         {nil, "false false"},
			"department without entity:read": {h.dept("fire", auth.ScopeListWrite), "false false"},
			"another entity":                 {apptest.As(t, auth.KindEntity, e.USCC, ""), "false false"},
			"department":                     {apptest.Department(t), "true true"},
			"the entity itself":              {apptest.As(t, auth.KindEntity, ka.USCC, ""), "true true"},
		} {
			if got := ids(c.headers); got != c.want {
				t.Errorf("%s: listed %s, want %s", name, got, c.want)
			}
		}
		h.forbidden(t, auth.ScopeEntityRead, nil, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
		h.ok(t, apptest.Department(t), `query($id: ID!) { node(id: $id) { ... on ListEntry { domain } } }`, map[string]any{"id": id})
	})

	t.Run("market bans", func(t *testing.T) {
		ban := ents[2]
		in := func(extra map[string]any) map[string]any {
			return map[string]any{"k": h.key(), "in": wfListing("MARKET_BAN", ban.USCC, recs[2][:1], extra)}
		}
		start := wfToday().String()
		for name, c := range map[string]struct {
			extra map[string]any
			field string
		}{
			"no start":          {map[string]any{"banEnd": wfDays(365)}, "input.banStart"},
			"no end":            {map[string]any{"banStart": start}, "input.banEnd"},
			"end and permanent": {map[string]any{"banStart": start, "banEnd": wfDays(365), "permanent": true}, "input.banEnd"},
			"end before start":  {map[string]any{"banStart": start, "banEnd": wfDays(-1)}, "input.banEnd"},
		} {
			if e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, in(c.extra)); e.Extensions["field"] != c.field {
				t.Errorf("%s: field %v, want %s", name, e.Extensions["field"], c.field)
			}
		}
		if e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, map[string]any{"k": h.key(),
			"in": wfListing("JOINT_PUNISHMENT", ban.USCC, recs[2][:1], map[string]any{"permanent": true})}); e.Extensions["field"] != "input.banStart" {
			t.Errorf("a joint-punishment listing with a ban period: %v", e)
		}
		le := h.ok(t, market, gqlEnterListing, in(map[string]any{"banStart": start, "permanent": true, "domain": "食品生产"}))["enterListing"].(map[string]any)
		if le["permanent"] != true || le["banEnd"] != nil || le["banStart"] != start {
			t.Fatalf("permanent ban: %v", le)
		}
		le = h.ok(t, market, gqlEnterListing, in(map[string]any{"banStart": start, "banEnd": wfDays(730)}))["enterListing"].(map[string]any)
		if le["permanent"] != false || le["banEnd"] != wfDays(730) {
			t.Fatalf("ban for two years: %v", le)
		}
		// A ban is a LISTING record of the entity, but not of its persons.
		if c := h.count(t, `SELECT count(*) FROM hub_record WHERE detail->>'listEntryId' = $1`, le["id"]); c != 1 {
			t.Fatalf("%d records of a ban, want 1", c)
		}
	})

	t.Run("a record filed under the entity's old key", func(t *testing.T) {
		old := h.World.Entities[1] // a showcase whose departments file by old keys
		if !old.LegacyKeys {
			t.Fatalf("world changed: entity 1 should have legacy keys")
		}
		d := h.ok(t, apptest.Department(t), `query($u: ID!) { entity(uscc: $u) { records(first: 100, filter: {publicity: [PUBLIC]}) { edges { node { id legacyKey } } } } }`,
			map[string]any{"u": old.USCC})
		var legacy string
		for _, ed := range apptest.Get(d, "entity", "records", "edges").([]any) {
			if apptest.Get(ed, "node", "legacyKey") != nil {
				legacy = wfStr(apptest.Get(ed, "node", "id"))
			}
		}
		if legacy == "" {
			t.Fatalf("entity 1 has no public record filed under an old key: %v", d)
		}
		le := enter(t, wfListing("MARKET_BAN", old.USCC, []string{legacy}, map[string]any{"banStart": wfToday().String(), "permanent": true}))
		if fmt.Sprint(le["linkedRecordIds"]) != fmt.Sprint([]any{legacy}) {
			t.Fatalf("listing on a legacy-keyed record: %v", le)
		}
	})

	t.Run("who may enter", func(t *testing.T) {
		vars := map[string]any{"k": h.key(), "in": wfListing("JOINT_PUNISHMENT", e.USCC, recs[0][:1], nil)}
		h.forbidden(t, auth.ScopeListWrite, nil, gqlEnterListing, vars)
		h.forbidden(t, auth.ScopeListWrite, h.dept("market", auth.ScopeEntityRead), gqlEnterListing, vars)
		h.forbidden(t, "", apptest.As(t, auth.KindAgency, "agency-1", "", auth.ScopeListWrite), gqlEnterListing, vars)
		h.forbidden(t, "", apptest.As(t, auth.KindEntity, e.USCC, "", auth.ScopeListWrite), gqlEnterListing, vars)
	})

	t.Run("nothing half-written after an error", func(t *testing.T) {
		entries, records := h.written(t, e)
		history := h.count(t, `SELECT count(*) FROM workflow_history WHERE workflow = 'listing'`)
		for name, linked := range map[string][]string{
			"a commitment's id":            {workflow.EncodeID(workflow.TypeCommitment, 1)},
			"a record that does not exist": {gid.Record(wfRef("market", "PENALTY", 99999999))},
			"another entity's record":      {recs[1][0]},
			"a good record then a bad one": {recs[0][0], "not-an-id"},
			"the same record twice":        {recs[0][0], recs[0][0]},
			"no record":                    {},
		} {
			e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, map[string]any{"k": h.key(), "in": wfListing("JOINT_PUNISHMENT", e.USCC, linked, nil)})
			if e.Extensions["field"] != "input.linkedRecordIds" {
				t.Errorf("%s: field %v", name, e.Extensions["field"])
			}
		}
		if e := h.refused(t, "NOT_FOUND", market, gqlEnterListing, map[string]any{"k": h.key(), "in": wfListing("JOINT_PUNISHMENT", "91110000600037341L", recs[0][:1], nil)}); e.Extensions["field"] != "input.uscc" {
			t.Errorf("unknown entity: %v", e)
		}
		if e := h.refused(t, "BAD_USER_INPUT", market, gqlEnterListing, map[string]any{"k": h.key(),
			"in": wfListing("JOINT_PUNISHMENT", e.USCC, recs[0][:1], map[string]any{"rectifyBy": wfDays(-1)})}); e.Extensions["field"] != "input.rectifyBy" {
			t.Errorf("a deadline in the past: %v", e)
		}
		a, b := h.written(t, e)
		if c := h.count(t, `SELECT count(*) FROM workflow_history WHERE workflow = 'listing'`); a != entries || b != records || c != history {
			t.Fatalf("refused listings wrote rows: list entries %d→%d, records %d→%d, history %d→%d", entries, a, records, b, history, c)
		}
	})

	t.Run("idempotent retry", func(t *testing.T) {
		k := h.key()
		vars := map[string]any{"k": k, "in": wfListing("JOINT_PUNISHMENT", ents[1].USCC, recs[1][:1], nil)}
		entries, records := h.written(t, ents[1])
		first := h.ok(t, market, gqlEnterListing, vars)
		again := h.ok(t, market, gqlEnterListing, vars)
		if apptest.Get(first, "enterListing", "id") != apptest.Get(again, "enterListing", "id") {
			t.Fatalf("a retry entered another listing: %v / %v", first, again)
		}
		if e, r := h.written(t, ents[1]); e != entries+1 || r != records+4 {
			t.Fatalf("a listing and its retry wrote %d list entries and %d records, want 1 and 4 (the entity and three persons)", e-entries, r-records)
		}
	})

	t.Run("concurrent removals: exactly one wins", func(t *testing.T) {
		for range 3 {
			le := enter(t, wfListing("JOINT_PUNISHMENT", ents[2].USCC, recs[2][:1], nil))
			id := le["id"]
			rs := h.pair(t,
				func() *apptest.Response {
					return h.Do(t, gqlRemoveListing, map[string]any{"id": id, "r": "REVOKED", "k": h.key()}, market)
				},
				func() *apptest.Response {
					return h.Do(t, gqlRemoveListing, map[string]any{"id": id, "r": "EXPIRED", "k": h.key()}, market)
				})
			wfOneWins(t, rs)
			n, _ := workflow.DecodeID(workflow.TypeListEntry, wfStr(id))
			if c := h.count(t, `SELECT count(*) FROM workflow_history WHERE workflow = 'listing' AND object_id = $1 AND action = 'remove'`, n); c != 1 {
				t.Fatalf("%d removal rows, want 1", c)
			}
		}
	})
}
