package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"credithub/auth"
	"credithub/datasources"
	"credithub/datasources/dstest"
	"credithub/dev/seed"
	"credithub/dev/world"
	"credithub/internal/app/apptest"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/server"
	"credithub/internal/sqldb"
	"credithub/internal/workflow"
)

func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }

// states counts the seeded objects of a table by a state expression, over
// all entities or (uscc not empty) one.
func states(t *testing.T, db *sqldb.DB, table, expr, uscc string) map[string]int {
	t.Helper()
	col := "uscc"
	switch table {
	case "objection", "hub_record":
		col = "subject_uscc"
	case "association_authorization":
		col = "association"
	}
	rows, err := db.QueryContext(context.Background(), fmt.Sprintf(`SELECT %s, count(*) FROM %s WHERE $1 = '' OR %s = $1 GROUP BY 1`, expr, table, col), uscc)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	return out
}

// A dashboard team finds workflows in every state on first start, and the
// first showcase entity (the README's examples) has one of each.
func TestSeededWorkflowsCoverEveryState(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	db := h.DBs["hub"]
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	want := []struct {
		table, expr string
		values      []string
	}{
		{"commitment", "state", []string{"SIGNED", "FULFILLED", "BREACHED", "FOUND_FALSE"}},
		{"list_entry", "list_type || ' ' || state", []string{
			"JOINT_PUNISHMENT LISTED", "JOINT_PUNISHMENT REMOVED", "KEY_ATTENTION LISTED", "KEY_ATTENTION REMOVED",
			"MARKET_BAN LISTED", "MARKET_BAN REMOVED"}},
		{"list_entry", "coalesce(removal_reason, 'none')", []string{"REPAIRED", "EXPIRED", "REVOKED"}},
		{"list_entry", fmt.Sprintf("state || CASE WHEN rectify_by < '%s' THEN ' past its deadline' ELSE '' END", today), []string{"LISTED past its deadline"}},
		{"interview", "type", []string{"PROMPT", "WARNING"}},
		{"joint_case", "state", []string{"OPEN", "CLOSED"}},
		{"case_push", fmt.Sprintf("state || CASE WHEN state = 'PUSHED' AND due_date < '%s' THEN ' overdue' ELSE '' END", today),
			[]string{"PUSHED overdue", "ANSWERED"}},
		{"objection", "state || coalesce(' ' || outcome, '')", []string{"FILED", "CHECKED", "UPHELD CORRECT", "UPHELD REVOKE", "REJECTED"}},
		{"objection", "extended::text", []string{"true", "false"}},
		{"repair", "state", []string{"APPLIED", "ACCEPTED", "REFUSED", "REPAIRED", "DENIED", "REVERSED"}},
		{"warning", "state", []string{"OPEN", "ACKNOWLEDGED", "ASSIGNED", "CLOSED"}},
		{"finding", "kind || ' ' || state", []string{"MONITORING SUBMITTED", "MONITORING ACCEPTED", "MONITORING REJECTED",
			"CASE_VERIFICATION SUBMITTED", "CASE_VERIFICATION ACCEPTED", "CASE_VERIFICATION REJECTED"}},
		{"declaration", "state", []string{"DECLARED", "VERIFIED", "FOUND_FALSE"}},
		{"declaration", "kind", []string{"QUALIFICATION", "LICENCE", "CONTRACT_PERFORMANCE", "PUBLIC_WELFARE", "HONOUR"}},
		{"association_authorization", "state", []string{"GRANTED", "REVOKED"}},
		{"association_member", "state", []string{"MEMBER", "LEFT"}},
		{"association_member", "CASE WHEN left_reason IS NULL THEN 'member' WHEN left_reason LIKE '%取消会员资格%' THEN 'expelled' ELSE 'left' END",
			[]string{"member", "left", "expelled"}},
		{"hub_record", "kind || ' ' || coalesce(detail->>'measure', detail->>'category', '')", []string{
			"ASSOCIATION_DISCIPLINE WARNING", "ASSOCIATION_DISCIPLINE CIRCULATED_CRITICISM", "ASSOCIATION_DISCIPLINE PUBLIC_CENSURE",
			"ASSOCIATION_DISCIPLINE MEMBERSHIP_REVOKED", "ASSOCIATION_RECORD COMMITMENT", "ASSOCIATION_RECORD TRAINING", "ASSOCIATION_RECORD HONOUR"}},
	}
	for _, uscc := range []string{"", h.World.Entities[0].USCC} {
		for _, w := range want {
			if (w.table == "warning" || w.table == "declaration" || strings.HasPrefix(w.table, "association") || w.table == "hub_record") && uscc != "" {
				continue // the showcases' warnings, one in each state, are not all the first's; nor are the declarations; associations leave the showcases out
			}
			got := states(t, db, w.table, w.expr, uscc)
			for _, v := range w.values {
				if got[v] == 0 {
					t.Errorf("entity %q: no %s in state %q: %v", uscc, w.table, v, got)
				}
			}
		}
	}
	// A few hundred objects at most for a few hundred entities.
	total := 0
	for _, table := range []string{"commitment", "list_entry", "interview", "joint_case", "case_push", "objection", "repair"} {
		var n int
		if err := db.GetContext(context.Background(), &n, `SELECT count(*) FROM `+table); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total < 60 || total > 600 {
		t.Errorf("%d workflow objects for %d entities", total, len(h.World.Entities))
	}
}

type historyRow struct {
	Workflow string    `db:"workflow"`
	ObjectID int64     `db:"object_id"`
	Action   string    `db:"action"`
	From     string    `db:"from_state"`
	To       string    `db:"to_state"`
	Actor    string    `db:"actor"`
	ActorOrg string    `db:"actor_org"`
	At       time.Time `db:"at"`
}

// Every object's history is a chain of transitions from its creation to its
// state, each with its actor and time, under the names the state machines
// read.
func TestSeededHistoryRecordsEveryTransition(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	db := h.DBs["hub"]
	ctx := context.Background()
	var rows []historyRow
	if err := db.SelectContext(ctx, &rows, `SELECT workflow, object_id, action, from_state, to_state, actor, actor_org, at
		FROM workflow_history ORDER BY workflow, object_id, at, id`); err != nil {
		t.Fatal(err)
	}
	byObject := map[[2]string][]historyRow{}
	for _, r := range rows {
		k := [2]string{r.Workflow, fmt.Sprint(r.ObjectID)}
		byObject[k] = append(byObject[k], r)
	}
	// Transitions each object made to reach its state.
	steps := map[string]map[string]int{}
	// born is the state an object is written in when its writer is not a
	// transition of its machine (a notification, written with its cause);
	// its history starts from there, and may be empty while it is.
	for _, table := range []struct{ workflow, query, born string }{
		{workflow.WorkflowCommitment, `SELECT id, state FROM commitment`, ""},
		{workflow.WorkflowListing, `SELECT id, state FROM list_entry`, ""},
		{workflow.WorkflowCase, `SELECT id, state FROM joint_case`, ""},
		{workflow.WorkflowPush, `SELECT id, state FROM case_push`, ""},
		{workflow.WorkflowObjection, `SELECT id, state FROM objection`, ""},
		{workflow.WorkflowRepair, `SELECT id, state FROM repair`, ""},
		{workflow.WorkflowWarning, `SELECT id, state FROM warning`, ""},
		{workflow.WorkflowFinding, `SELECT id, state FROM finding`, ""},
		{workflow.WorkflowNotification, `SELECT id, CASE WHEN acknowledged_at IS NULL THEN 'UNACKNOWLEDGED' ELSE 'ACKNOWLEDGED' END AS state FROM notification`, string(workflow.NotificationUnacknowledged)},
		{workflow.WorkflowDeclaration, `SELECT id, state FROM declaration`, ""},
		{workflow.WorkflowAssociationAuthorization, `SELECT id, state FROM association_authorization`, ""},
		{workflow.WorkflowMembership, `SELECT id, state FROM association_member`, ""},
	} {
		var objs []struct {
			ID    int64  `db:"id"`
			State string `db:"state"`
		}
		if err := db.SelectContext(ctx, &objs, table.query); err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			hist := byObject[[2]string{table.workflow, fmt.Sprint(o.ID)}]
			delete(byObject, [2]string{table.workflow, fmt.Sprint(o.ID)})
			if len(hist) == 0 && o.State != table.born {
				t.Errorf("%s %d (%s) has no history", table.workflow, o.ID, o.State)
				continue
			}
			from := table.born
			for _, e := range hist {
				if e.From != from {
					t.Errorf("%s %d: %s from %q, but it was %q", table.workflow, o.ID, e.Action, e.From, from)
				}
				if e.Actor == "" || e.ActorOrg == "" || e.At.After(time.Now()) {
					t.Errorf("%s %d: %s without actor or time: %+v", table.workflow, o.ID, e.Action, e)
				}
				from = e.To
			}
			if from != o.State {
				t.Errorf("%s %d: history ends in %s, the object is %s", table.workflow, o.ID, from, o.State)
			}
			if steps[table.workflow] == nil {
				steps[table.workflow] = map[string]int{}
			}
			for _, e := range hist {
				steps[table.workflow][e.Action]++
			}
		}
	}
	for k := range byObject {
		t.Errorf("history of %s %s, which does not exist", k[0], k[1])
	}
	for wf, actions := range map[string][]string{
		workflow.WorkflowCommitment:               {"sign", "fulfil", "breach", "findFalse"},
		workflow.WorkflowListing:                  {"enter", "remove", "interview", "openCase"},
		workflow.WorkflowCase:                     {"open", "close"},
		workflow.WorkflowPush:                     {"push", "answer"},
		workflow.WorkflowObjection:                {"file", "check", "extend", "uphold", "reject"},
		workflow.WorkflowRepair:                   {"apply", "accept", "refuse", "grant", "deny", "recheck", "reverse"},
		workflow.WorkflowWarning:                  {"raise", "acknowledge", "assign", "close"},
		workflow.WorkflowFinding:                  {"submit", "accept", "reject"},
		workflow.WorkflowDeclaration:              {"declare", "verify", "findFalse"},
		workflow.WorkflowAssociationAuthorization: {"authorize", "revoke"},
		workflow.WorkflowMembership:               {"register", "leave", "record", "expel"},
	} {
		for _, a := range actions {
			if steps[wf][a] == 0 {
				t.Errorf("no %s %s in the history: %v", wf, a, steps[wf])
			}
		}
	}
}

// The records the workflows write and touch are there: a breach's record,
// a listing's records of the entity and of each responsible person, the
// interviews', the overlays of objections and repairs, on department
// records that exist.
func TestSeededWorkflowsWriteTheirEffects(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	db := h.DBs["hub"]
	ctx := context.Background()
	type hubRecord struct {
		ID       int64           `db:"id"`
		Kind     string          `db:"kind"`
		USCC     string          `db:"subject_uscc"`
		IDNo     string          `db:"subject_id_no"`
		Severity *string         `db:"severity"`
		Status   string          `db:"status"`
		Detail   json.RawMessage `db:"detail"`
	}
	var records []hubRecord
	if err := db.SelectContext(ctx, &records, `SELECT id, kind, subject_uscc, subject_id_no, severity, status, detail FROM hub_record`); err != nil {
		t.Fatal(err)
	}
	details := map[int64]hubdb.Detail{}
	byEntry := map[string][]hubRecord{}
	for _, r := range records {
		var d hubdb.Detail
		if err := json.Unmarshal(r.Detail, &d); err != nil {
			t.Fatal(err)
		}
		details[r.ID] = d
		if d.ListEntryID != "" {
			byEntry[d.ListEntryID] = append(byEntry[d.ListEntryID], r)
		}
	}
	byID := map[int64]hubRecord{}
	for _, r := range records {
		byID[r.ID] = r
	}

	// Commitments: a breach or a false commitment has its record.
	var commitments []struct {
		ID       int64   `db:"id"`
		USCC     string  `db:"uscc"`
		State    string  `db:"state"`
		Severity *string `db:"severity"`
		RecordID int64   `db:"record_id"`
	}
	if err := db.SelectContext(ctx, &commitments, `SELECT id, uscc, state, severity, record_id FROM commitment`); err != nil {
		t.Fatal(err)
	}
	for _, c := range commitments {
		breach := c.State == "BREACHED" || c.State == "FOUND_FALSE"
		r, ok := byID[c.RecordID]
		switch {
		case !breach && c.RecordID != 0:
			t.Errorf("commitment %d (%s) has a record", c.ID, c.State)
		case breach && (!ok || r.Kind != "COMMITMENT_BREACH" || r.USCC != c.USCC || r.Severity == nil || c.Severity == nil || *r.Severity != *c.Severity):
			t.Errorf("commitment %d (%s): record %d is %+v", c.ID, c.State, c.RecordID, r)
		case breach && (details[r.ID].CommitmentID != workflow.EncodeID(workflow.TypeCommitment, c.ID) ||
			details[r.ID].FalseCommitment != (c.State == "FOUND_FALSE")):
			t.Errorf("commitment %d: record detail %+v", c.ID, details[r.ID])
		}
	}

	// Listings: the entity's record, and for the joint-punishment list one
	// per responsible person with the role.
	entities := map[string]int{}
	for i, e := range h.World.Entities {
		entities[e.USCC] = i
	}
	var entries []struct {
		ID       int64          `db:"id"`
		ListType string         `db:"list_type"`
		USCC     string         `db:"uscc"`
		State    string         `db:"state"`
		Reason   *string        `db:"removal_reason"`
		Linked   pq.StringArray `db:"linked_records"`
	}
	if err := db.SelectContext(ctx, &entries, `SELECT id, list_type, uscc, state, removal_reason, linked_records FROM list_entry`); err != nil {
		t.Fatal(err)
	}
	var refs []credit.Ref
	for _, e := range entries {
		recs := byEntry[workflow.EncodeID(workflow.TypeListEntry, e.ID)]
		wantPersons := map[string]credit.Role{}
		if e.ListType == "JOINT_PUNISHMENT" {
			// T22: the legal representative, the principal and the actual
			// controller as the registry has them; one record per person,
			// under the first of their roles.
			ent := h.World.Entities[entities[e.USCC]]
			for _, p := range []struct {
				p    *world.Person
				role credit.Role
			}{{ent.LegalRep, credit.RoleLegalRepresentative}, {ent.Principal, credit.RolePrincipal}, {ent.Controller, credit.RoleActualController}} {
				if _, dup := wantPersons[p.p.IDNo]; p.p != nil && !dup {
					wantPersons[p.p.IDNo] = p.role
				}
			}
		}
		wantStatus := "EFFECTIVE"
		if e.State == "REMOVED" {
			wantStatus = map[string]string{"REPAIRED": "EXPIRED", "EXPIRED": "EXPIRED", "REVOKED": "REVOKED"}[*e.Reason]
		}
		var entity, persons int
		for _, r := range recs {
			if r.Kind == "INTERVIEW" {
				continue
			}
			wantKind := "LISTING"
			if e.ListType == "KEY_ATTENTION" {
				wantKind = "KEY_ATTENTION"
			}
			if r.Kind != wantKind || r.Status != wantStatus {
				t.Errorf("list entry %d (%s %s): record %+v", e.ID, e.ListType, e.State, r)
			}
			if r.USCC == e.USCC {
				entity++
				continue
			}
			persons++
			role, ok := wantPersons[r.IDNo]
			if d := details[r.ID]; !ok || d.Role == nil || *d.Role != role {
				t.Errorf("list entry %d: person record %+v (detail %+v)", e.ID, r, d)
			}
		}
		if entity != 1 || persons != len(wantPersons) {
			t.Errorf("list entry %d (%s): %d entity and %d person records, want 1 and %d", e.ID, e.ListType, entity, persons, len(wantPersons))
		}
		if len(e.Linked) == 0 {
			t.Errorf("list entry %d rests on no record", e.ID)
		}
		for _, id := range e.Linked {
			refs = append(refs, parseRecordID(t, id))
		}
	}
	var interviews []struct {
		ID    int64  `db:"id"`
		Entry int64  `db:"list_entry_id"`
		Type  string `db:"type"`
	}
	if err := db.SelectContext(ctx, &interviews, `SELECT id, list_entry_id, type FROM interview`); err != nil {
		t.Fatal(err)
	}
	for _, iv := range interviews {
		n := 0
		for _, r := range byEntry[workflow.EncodeID(workflow.TypeListEntry, iv.Entry)] {
			if r.Kind == "INTERVIEW" && string(details[r.ID].InterviewType) == iv.Type {
				n++
			}
		}
		if n == 0 {
			t.Errorf("interview %d has no INTERVIEW record", iv.ID)
		}
	}

	// Overlays: what objections and repairs put on the records.
	type overlay struct {
		RecordID string `db:"record_id"`
		Kind     string `db:"kind"`
		Source   string `db:"source"`
		SourceID int64  `db:"source_id"`
		Active   bool   `db:"active"`
	}
	var overlays []overlay
	if err := db.SelectContext(ctx, &overlays, `SELECT record_id, kind, source, source_id, active FROM record_overlay`); err != nil {
		t.Fatal(err)
	}
	has := func(source string, id int64, recordID, kind string, active bool) bool {
		return slices.Contains(overlays, overlay{recordID, kind, source, id, active})
	}
	var objections []struct {
		ID       int64   `db:"id"`
		RecordID string  `db:"record_id"`
		State    string  `db:"state"`
		Outcome  *string `db:"outcome"`
	}
	if err := db.SelectContext(ctx, &objections, `SELECT id, record_id, state, outcome FROM objection`); err != nil {
		t.Fatal(err)
	}
	for _, o := range objections {
		open := o.State == "FILED" || o.State == "CHECKED"
		if !has(workflow.WorkflowObjection, o.ID, o.RecordID, "UNDER_OBJECTION", open) {
			t.Errorf("objection %d (%s): no %v UNDER_OBJECTION overlay", o.ID, o.State, open)
		}
		if o.State == "UPHELD" {
			kind := map[string]string{"CORRECT": "CORRECTED", "REVOKE": "REVOKED"}[*o.Outcome]
			if !has(workflow.WorkflowObjection, o.ID, o.RecordID, kind, true) {
				t.Errorf("objection %d (UPHELD %s): no %s overlay", o.ID, *o.Outcome, kind)
			}
		}
		refs = append(refs, parseRecordID(t, o.RecordID))
	}
	var repairs []struct {
		ID       int64  `db:"id"`
		RecordID string `db:"record_id"`
		State    string `db:"state"`
	}
	if err := db.SelectContext(ctx, &repairs, `SELECT id, record_id, state FROM repair`); err != nil {
		t.Fatal(err)
	}
	for _, r := range repairs {
		switch r.State {
		case "REPAIRED", "REVERSED":
			if !has(workflow.WorkflowRepair, r.ID, r.RecordID, "REPAIRED", r.State == "REPAIRED") {
				t.Errorf("repair %d (%s): no REPAIRED overlay active=%v", r.ID, r.State, r.State == "REPAIRED")
			}
		}
		refs = append(refs, parseRecordID(t, r.RecordID))
	}

	// Findings: an accepted monitoring finding has its MONITORING_FINDING
	// record; a seeded verification is of a department's record.
	var findings []struct {
		ID       int64   `db:"id"`
		Kind     string  `db:"kind"`
		State    string  `db:"state"`
		USCC     string  `db:"uscc"`
		RecordID *string `db:"record_id"`
		Created  *int64  `db:"hub_record_id"`
	}
	if err := db.SelectContext(ctx, &findings, `SELECT id, kind, state, uscc, record_id, hub_record_id FROM finding`); err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		wantRecord := f.Kind == "MONITORING" && f.State == "ACCEPTED"
		r, ok := byID[derefOr(f.Created)]
		if wantRecord != (f.Created != nil) || wantRecord && (!ok || r.Kind != "MONITORING_FINDING" || r.USCC != f.USCC ||
			details[r.ID].FindingID != workflow.EncodeID(workflow.TypeFinding, f.ID)) {
			t.Errorf("finding %d (%s %s): created record %v %+v", f.ID, f.Kind, f.State, f.Created, r)
		}
		if f.RecordID != nil {
			refs = append(refs, parseRecordID(t, *f.RecordID))
		}
	}

	// Declarations: each is its SELF_DECLARATION record, showing its
	// verification; its commitment ends with it (a verified one fulfilled,
	// a false one found false with its serious COMMITMENT_BREACH record).
	var decls []struct {
		ID         int64  `db:"id"`
		State      string `db:"state"`
		USCC       string `db:"uscc"`
		Record     int64  `db:"hub_record_id"`
		Commitment string `db:"commitment_state"`
		Breach     int64  `db:"breach"`
	}
	if err := db.SelectContext(ctx, &decls, `SELECT d.id, d.state, d.uscc, d.hub_record_id, c.state AS commitment_state, c.record_id AS breach
		FROM declaration d JOIN commitment c ON c.id = d.commitment_id`); err != nil {
		t.Fatal(err)
	}
	wantCommitment := map[string]string{"DECLARED": "SIGNED", "VERIFIED": "FULFILLED", "FOUND_FALSE": "FOUND_FALSE"}
	for _, d := range decls {
		r, ok := byID[d.Record]
		breach, bok := byID[d.Breach]
		if !ok || r.Kind != "SELF_DECLARATION" || r.USCC != d.USCC || details[r.ID].Verification != d.State ||
			details[r.ID].DeclarationID != workflow.EncodeID(workflow.TypeDeclaration, d.ID) || d.Commitment != wantCommitment[d.State] ||
			(d.State == "FOUND_FALSE") != (bok && breach.Kind == "COMMITMENT_BREACH" && details[breach.ID].FalseCommitment) {
			t.Errorf("declaration %d (%s): record %+v, commitment %s, breach %+v", d.ID, d.State, r, d.Commitment, breach)
		}
	}

	// Associations: each record of a member is its association's, of an
	// entity of the industry a department authorised it for, made while it
	// was a member (an expulsion on the day it ended); the development
	// sign-in's association is seeded, its authorisation live.
	var memberships []struct {
		ID          int64      `db:"id"`
		Association string     `db:"association"`
		USCC        string     `db:"uscc"`
		Industry    string     `db:"industry"`
		JoinedOn    time.Time  `db:"joined_on"`
		LeftOn      *time.Time `db:"left_on"`
		Authorized  string     `db:"authorized"`
	}
	if err := db.SelectContext(ctx, &memberships, `SELECT m.id, m.association, m.uscc, m.industry, m.joined_on, m.left_on,
		  (SELECT string_agg(a.industry, '') FROM association_authorization a WHERE a.association = m.association) AS authorized
		FROM association_member m`); err != nil {
		t.Fatal(err)
	}
	byMembership := map[string]int{}
	for _, m := range memberships {
		byMembership[workflow.EncodeID(workflow.TypeMembership, m.ID)] = len(byMembership)
		if e := h.World.Entities[slices.IndexFunc(h.World.Entities, func(e *world.Entity) bool { return e.USCC == m.USCC })]; e.IndustryCode != m.Industry || m.Authorized != m.Industry {
			t.Errorf("membership %d: %s of industry %s (the world's %s), the association authorised for %s", m.ID, m.USCC, m.Industry, e.IndustryCode, m.Authorized)
		}
	}
	var association int
	for _, r := range records {
		if r.Kind != "ASSOCIATION_DISCIPLINE" && r.Kind != "ASSOCIATION_RECORD" {
			continue
		}
		association++
		i, ok := byMembership[details[r.ID].MembershipID]
		if !ok {
			t.Errorf("record %d names no membership: %+v", r.ID, details[r.ID])
			continue
		}
		m := memberships[i]
		var decided time.Time
		if err := db.GetContext(ctx, &decided, `SELECT decision_date FROM hub_record WHERE id = $1`, r.ID); err != nil {
			t.Fatal(err)
		}
		expelled := details[r.ID].Measure == "MEMBERSHIP_REVOKED"
		if r.USCC != m.USCC || decided.Before(m.JoinedOn) || (m.LeftOn != nil && decided.After(*m.LeftOn)) ||
			(expelled && (m.LeftOn == nil || !decided.Equal(*m.LeftOn))) || (r.Kind == "ASSOCIATION_DISCIPLINE") != (details[r.ID].Measure != "") {
			t.Errorf("record %d (%s %+v) of membership %+v", r.ID, r.Kind, details[r.ID], m)
		}
	}
	if association == 0 {
		t.Error("no member records seeded")
	}
	if err := db.GetContext(ctx, &association, `SELECT count(*) FROM association_authorization WHERE association = $1 AND state = 'GRANTED'`,
		server.DevRoles()[slices.IndexFunc(server.DevRoles(), func(r server.DevRole) bool { return r.Kind == auth.KindAssociation })].Org); err != nil || association == 0 {
		t.Errorf("the development sign-in's association has %d live authorisations (%v)", association, err)
	}

	// Every record they name is a department's record.
	found := map[credit.Ref]bool{}
	for _, dep := range h.Loaders.Departments {
		if dep.Internal {
			continue
		}
		got, err := dep.Source.ByRef(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		for ref := range got {
			found[ref] = true
		}
	}
	for _, ref := range refs {
		if !found[ref] {
			t.Errorf("no department holds record %+v", ref)
		}
	}
}

func parseRecordID(t *testing.T, id string) credit.Ref {
	t.Helper()
	typ, payload, err := gid.Decode(id)
	if err != nil || typ != gid.TypeRecord {
		t.Fatalf("%q is not a record's ID", id)
	}
	ref, err := gid.ParseRecord(payload)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := datasources.DepartmentByCode(ref.Source); !ok {
		t.Fatalf("%q is not a department's record", id)
	}
	return ref
}

// The graph shows what the seeded workflows did to the first showcase
// entity's records: under objection, corrected, revoked, repaired.
func TestSeededOverlaysShowInTheGraph(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	data := h.QueryAs(t, apptest.Department(t), `query($u: ID!) { entity(uscc: $u) { records(first: 100) { edges { node { status } } } } }`,
		map[string]any{"u": h.World.Entities[0].USCC})
	seen := map[string]int{}
	for _, e := range apptest.Get(data, "entity", "records", "edges").([]any) {
		seen[apptest.Get(e, "node", "status").(string)]++
	}
	for _, s := range []string{"UNDER_OBJECTION", "CORRECTED", "REVOKED", "REPAIRED"} {
		if seen[s] == 0 {
			t.Errorf("no %s record: %v", s, seen)
		}
	}
}

// The same world seeds the same workflows.
func TestSeededWorkflowsAreDeterministic(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	ctx := context.Background()
	name := h.Prefix + "credithub_again"
	if err := sqldb.CreateDatabase(ctx, dstest.ServerURL(), name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sqldb.DropDatabase(context.Background(), dstest.ServerURL(), name) })
	dsn, err := sqldb.WithDatabase(dstest.ServerURL(), name)
	if err != nil {
		t.Fatal(err)
	}
	again, err := sqldb.Open(sqldb.Config{Name: "hub", DSN: dsn, MaxOpenConns: 2, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := sqldb.Migrate(ctx, again, hubdb.Setup.Migrations); err != nil {
		t.Fatal(err)
	}
	var sources []datasources.Source
	for _, dep := range h.Loaders.Departments {
		if !dep.Internal {
			sources = append(sources, dep.Source)
		}
	}
	if err := seed.Workflows(ctx, again, h.World, sources); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"commitment", "list_entry", "interview", "joint_case", "case_push", "objection", "repair",
		"finding", "hub_record", "record_overlay", "workflow_history", "declaration", "association_authorization", "association_member"} {
		q := `SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY id), '[]')::text FROM ` + table + ` t`
		var first, second string
		if err := h.DBs["hub"].GetContext(ctx, &first, q); err != nil {
			t.Fatal(err)
		}
		if err := again.GetContext(ctx, &second, q); err != nil {
			t.Fatal(err)
		}
		if first != second {
			t.Errorf("%s differs between two seeds of the same world", table)
		}
	}
}

func derefOr(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
