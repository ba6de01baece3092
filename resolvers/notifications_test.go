package resolvers_test

// End-to-end tests of the notifications to superior bodies (T23,
// workflow/notification.go), over HTTP against a hub with its own
// databases.

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/gid"
)

const (
	gqlNotifications = `query($f: NotificationFilter) { notifications(filter: $f, first: 100) { edges { cursor node {
		id recipient role cause causeId uscc message createdAt dueOn overdue state acknowledgedAt acknowledgedBy } } pageInfo { hasNextPage } } }`
	gqlAckNotification = `mutation($id: ID!, $k: String!) { acknowledgeNotification(id: $id, idempotencyKey: $k) {
		id state acknowledgedAt acknowledgedBy overdue } }`
)

// notificationsOf returns the nodes of the body's inbox about uscc (or,
// with uscc "", about public employees) written since the test started
// (the seed's are older).
func notificationsOf(t *testing.T, h *wfHub, headers map[string]string, uscc string, filter map[string]any) []map[string]any {
	t.Helper()
	d := h.ok(t, headers, gqlNotifications, map[string]any{"f": filter})
	var out []map[string]any
	for _, e := range apptest.Get(d, "notifications", "edges").([]any) {
		n := apptest.Get(e, "node").(map[string]any)
		if at, err := time.Parse(time.RFC3339Nano, n["createdAt"].(string)); err != nil || at.Before(h.started) {
			continue
		}
		if uscc == "" && n["uscc"] == nil || uscc != "" && n["uscc"] == uscc {
			out = append(out, n)
		}
	}
	return out
}

// T23: a serious penalty filed by a department against a state-owned
// enterprise notifies its superior body and the audit body within one
// scan, once; a joint-punishment listing notifies them in its own
// transaction, and the enterprise's legal representative, a public
// employee, is notified to their unit and the discipline-inspection and
// personnel bodies; an entity of type OTHER notifies nobody. Each
// recipient sees only its own inbox and acknowledges once; what is not
// acknowledged in five working days is overdue.
func TestNotificationsToSuperiorBodies(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	h.started = time.Now().Add(-time.Second)
	ents, recs := h.listable(t, 2)
	soe, plain := ents[0], ents[1]
	market := openDB(t, h.Prefix+"dept_market")
	hub := h.DBs["hub"].DB
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE registry_entity SET org_type = 'STATE_OWNED_ENTERPRISE', superior_code = 'GZW' WHERE uscc = $1`, []any{soe.USCC}},
		{`UPDATE registry_entity SET org_type = 'OTHER', superior_code = NULL WHERE uscc = $1`, []any{plain.USCC}},
	} {
		if _, err := market.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	const unit = "11231100MB1234567X"
	if _, err := hub.Exec(`INSERT INTO public_employee (id_no, name, unit_uscc, unit_name) VALUES ($1, $2, $3, '黑河市某事业单位')
		ON CONFLICT (id_no) DO UPDATE SET unit_uscc = $3, unit_name = '黑河市某事业单位'`,
		soe.LegalRep.IDNo, soe.LegalRep.Name, unit); err != nil {
		t.Fatal(err)
	}
	body := func(code string, scopes ...string) map[string]string {
		return apptest.As(t, auth.KindDepartment, code, "", append([]string{auth.ScopeEntityRead}, scopes...)...)
	}
	gzw, sjj, jwjw := body("GZW", auth.ScopeNotificationAck), body("SJJ", auth.ScopeNotificationAck), body("JWJW")

	tick(t, h.Hub) // the watermarks
	insertPenalty(t, market, soe.USCC, "", "250000.00")
	insertPenalty(t, market, plain.USCC, "", "250000.00")
	tick(t, h.Hub)

	var superiorID, auditID string
	t.Run("a department's serious penalty: superior and audit, within one scan", func(t *testing.T) {
		got := notificationsOf(t, h, gzw, soe.USCC, nil)
		if len(got) != 1 || got[0]["role"] != "SUPERIOR" || got[0]["cause"] != "SERIOUS_DISHONESTY" || got[0]["recipient"] != "GZW" ||
			got[0]["state"] != "UNACKNOWLEDGED" || got[0]["overdue"] != false || got[0]["dueOn"] == nil {
			t.Fatalf("the superior body's inbox about the enterprise: %v", got)
		}
		superiorID = got[0]["id"].(string)
		got = notificationsOf(t, h, sjj, soe.USCC, nil)
		if len(got) != 1 || got[0]["role"] != "AUDIT" {
			t.Fatalf("the audit body's inbox about the enterprise: %v", got)
		}
		auditID = got[0]["id"].(string)
		if got := notificationsOf(t, h, sjj, plain.USCC, nil); len(got) != 0 {
			t.Fatalf("an entity of type OTHER was notified: %v", got)
		}
		if got := notificationsOf(t, h, jwjw, soe.USCC, nil); len(got) != 0 {
			t.Fatalf("the discipline body is notified of an entity: %v", got)
		}
		tick(t, h.Hub)
		if got := notificationsOf(t, h, gzw, soe.USCC, nil); len(got) != 1 {
			t.Fatalf("a rescan notified again: %v", got)
		}
	})

	t.Run("a joint-punishment listing: in its transaction, the enterprise and its public employee", func(t *testing.T) {
		dept := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
		le := h.ok(t, dept, gqlEnterListing, map[string]any{"in": wfListing("JOINT_PUNISHMENT", soe.USCC, recs[0][:1], nil), "k": h.key()})["enterListing"].(map[string]any)
		got := notificationsOf(t, h, gzw, soe.USCC, map[string]any{"state": "UNACKNOWLEDGED"})
		if len(got) != 2 || got[0]["cause"] != "JOINT_PUNISHMENT" || got[0]["causeId"] != le["id"] {
			t.Fatalf("the superior body's inbox after the listing: %v", got)
		}
		for _, code := range []string{"JWJW", "ZZB", "RSJ", unit} {
			got := notificationsOf(t, h, body(code), "", nil)
			if len(got) != 1 || got[0]["cause"] != "JOINT_PUNISHMENT" {
				t.Fatalf("%s's inbox about public employees: %v", code, got)
			}
		}
		// Whom it is about is personal data: masked without person:read …
		q := `{ notifications { edges { node { role idNumber personName } } } }`
		r := h.Do(t, q, nil, jwjw)
		n := apptest.Get(r.Data, "notifications", "edges", 0, "node")
		if len(r.Errors) == 0 || apptest.Get(n, "idNumber") == soe.LegalRep.IDNo || apptest.Get(n, "personName") == soe.LegalRep.Name ||
			apptest.Get(n, "role") != "DISCIPLINE" {
			t.Fatalf("without person:read: %s", r.Body)
		}
		// … and shown with it and a purpose.
		d := h.ok(t, apptest.As(t, auth.KindDepartment, "JWJW", wfPurpose, auth.ScopeEntityRead, auth.ScopePersonRead), q, nil)
		n = apptest.Get(d, "notifications", "edges", 0, "node")
		if apptest.Get(n, "idNumber") != soe.LegalRep.IDNo || apptest.Get(n, "personName") != soe.LegalRep.Name {
			t.Fatalf("with person:read: %v", d)
		}
		// The unit sees its employee as UNIT.
		if got := notificationsOf(t, h, body(unit), "", nil); got[0]["role"] != "UNIT" {
			t.Fatalf("the unit's notification: %v", got)
		}
	})

	t.Run("attacks on the inbox", func(t *testing.T) {
		// Only one's own: the market regulator, the public and an agency see no body's.
		if got := notificationsOf(t, h, h.dept("market", auth.ScopeEntityRead), soe.USCC, nil); len(got) != 0 {
			t.Fatalf("another department sees the bodies' notifications: %v", got)
		}
		h.refused(t, "FORBIDDEN", nil, gqlNotifications, nil)
		h.refused(t, "FORBIDDEN", apptest.As(t, auth.KindAgency, "GZW", "", auth.ScopeEntityRead), gqlNotifications, nil)
		h.refused(t, "FORBIDDEN", apptest.As(t, auth.KindDepartment, "GZW", ""), gqlNotifications, nil)
		h.refused(t, "GRAPHQL_VALIDATION_FAILED", gzw, gqlNotifications, map[string]any{"f": map[string]any{"state": "LOST"}})
	})

	t.Run("the court's dishonest debtor who is a public employee: unit, discipline and personnel, within one scan", func(t *testing.T) {
		p := plain.Principal
		const unit2 = "12231100MB7654321Y"
		if _, err := hub.Exec(`INSERT INTO public_employee (id_no, name, unit_uscc, unit_name) VALUES ($1, $2, $3, '黑河市某局')
			ON CONFLICT (id_no) DO UPDATE SET unit_uscc = $3, unit_name = '黑河市某局'`,
			p.IDNo, p.Name, unit2); err != nil {
			t.Fatal(err)
		}
		court := openDB(t, h.Prefix+"dept_court")
		if _, err := court.Exec(`INSERT INTO party (party_id_no, party_type, name) VALUES ($1, 'P', $2) ON CONFLICT DO NOTHING`, p.IDNo, p.Name); err != nil {
			t.Fatal(err)
		}
		if _, err := court.Exec(`INSERT INTO dishonest_debtor (case_no, party_id_no, court_name, obligation, performance, behaviour, filed_on, decided_on, published_on)
			VALUES ('(2026)黑1102执999号', $1, '黑河市爱辉区人民法院', '给付货款20万元', '全部未履行', '有履行能力而拒不履行生效法律文书确定义务', current_date - 30, current_date, current_date)`, p.IDNo); err != nil {
			t.Fatal(err)
		}
		tick(t, h.Hub)
		tick(t, h.Hub)
		var debtor []map[string]any
		for _, n := range notificationsOf(t, h, jwjw, "", nil) {
			if n["cause"] == "DISHONEST_DEBTOR" {
				debtor = append(debtor, n)
			}
		}
		if len(debtor) != 1 || debtor[0]["role"] != "DISCIPLINE" {
			t.Fatalf("the discipline body's dishonest-debtor notifications: %v", debtor)
		}
		got := notificationsOf(t, h, body(unit2), "", nil)
		if len(got) != 1 || got[0]["role"] != "UNIT" || got[0]["cause"] != "DISHONEST_DEBTOR" {
			t.Fatalf("the unit's inbox: %v", got)
		}
		// The first unit has nothing of the second's employee.
		if got := notificationsOf(t, h, body(unit), "", nil); len(got) != 1 {
			t.Fatalf("the first unit's inbox: %v", got)
		}
	})

	t.Run("acknowledged once, by its recipient", func(t *testing.T) {
		vars := map[string]any{"id": superiorID, "k": h.key()}
		h.refused(t, "FORBIDDEN", sjj, gqlAckNotification, map[string]any{"id": superiorID, "k": h.key()})
		h.refused(t, "FORBIDDEN", body("GZW"), gqlAckNotification, map[string]any{"id": superiorID, "k": h.key()})
		h.refused(t, "FORBIDDEN", apptest.As(t, auth.KindAgency, "GZW", "", auth.ScopeNotificationAck), gqlAckNotification, map[string]any{"id": superiorID, "k": h.key()})
		h.refused(t, "BAD_USER_INPUT", gzw, gqlAckNotification, map[string]any{"id": "nonsense", "k": h.key()})
		h.refused(t, "NOT_FOUND", gzw, gqlAckNotification, map[string]any{"id": gid.Encode("Notification", "999999"), "k": h.key()})
		// A concurrent transition holds the row: CONFLICT at once.
		tx, err := hub.BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`SELECT 1 FROM notification WHERE recipient = 'GZW' FOR UPDATE`); err != nil {
			t.Fatal(err)
		}
		h.refused(t, "CONFLICT", gzw, gqlAckNotification, map[string]any{"id": superiorID, "k": h.key()})
		tx.Rollback()

		a := h.ok(t, gzw, gqlAckNotification, vars)["acknowledgeNotification"].(map[string]any)
		if a["state"] != "ACKNOWLEDGED" || a["acknowledgedAt"] == nil || a["acknowledgedBy"] == nil {
			t.Fatalf("acknowledged: %v", a)
		}
		again := h.ok(t, gzw, gqlAckNotification, vars)["acknowledgeNotification"].(map[string]any)
		if again["acknowledgedAt"] != a["acknowledgedAt"] {
			t.Fatalf("a retry with the key acknowledged again: %v, first %v", again, a)
		}
		h.invalid(t, "ACKNOWLEDGED", "acknowledge", gzw, gqlAckNotification, map[string]any{"id": superiorID, "k": h.key()})
		if got := notificationsOf(t, h, gzw, soe.USCC, map[string]any{"state": "ACKNOWLEDGED"}); len(got) != 1 || got[0]["id"] != superiorID {
			t.Fatalf("the acknowledged ones: %v", got)
		}
	})

	t.Run("overdue after five working days, one statement", func(t *testing.T) {
		if _, err := hub.Exec(`UPDATE notification SET created_at = now() - interval '30 days' WHERE recipient = 'SJJ'`); err != nil {
			t.Fatal(err)
		}
		r := h.Do(t, gqlNotifications, map[string]any{"f": map[string]any{"overdue": true}}, sjj)
		edges := apptest.Get(r.Data, "notifications", "edges").([]any)
		if len(r.Errors) > 0 || len(edges) < 2 || apptest.Get(edges[len(edges)-1], "node", "overdue") != true {
			t.Fatalf("the audit body's overdue notifications: %s", r.Body)
		}
		if n := r.Statements()["hub"]; n != 1 {
			t.Errorf("%d statements on the hub's database, want 1: %v", n, r.Statements())
		}
		if got := notificationsOf(t, h, gzw, soe.USCC, map[string]any{"overdue": true}); len(got) != 0 {
			t.Fatalf("recent notifications are overdue: %v", got)
		}
		h.ok(t, sjj, gqlAckNotification, map[string]any{"id": auditID, "k": h.key()})
		for _, n := range notificationsOf(t, h, sjj, soe.USCC, map[string]any{"overdue": true}) {
			if n["id"] == auditID {
				t.Fatalf("an acknowledged notification is overdue: %v", n)
			}
		}
	})
}

// The seeded city has notifications in every state: the audit body's
// inbox has acknowledged, unacknowledged and overdue ones, written by the
// seeded joint-punishment listings of public-sector entities.
func TestSeededNotificationsInEveryState(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	seen := map[string]int{}
	for _, code := range []string{"SJJ", "JWJW"} {
		d := h.QueryAs(t, apptest.As(t, auth.KindDepartment, code, "", auth.ScopeEntityRead), `{ notifications(first: 100) { edges { node { state overdue cause role } } } }`, nil)
		for _, e := range apptest.Get(d, "notifications", "edges").([]any) {
			n := apptest.Get(e, "node").(map[string]any)
			seen[code+"/"+n["state"].(string)]++
			if n["overdue"] == true {
				seen[code+"/overdue"]++
			}
		}
	}
	for _, k := range []string{"SJJ/ACKNOWLEDGED", "SJJ/UNACKNOWLEDGED", "SJJ/overdue"} {
		if seen[k] == 0 {
			t.Errorf("no %s notification in the seeded city: %v", k, seen)
		}
	}
	t.Logf("seeded: %v", seen)
}

const gqlNotificationArrived = `subscription { notificationArrived { id recipient role cause causeId uscc state overdue } }`

// A body's inbox is a subscription too: a joint-punishment listing's
// notifications reach the superior body, and the discipline body on
// another hub instance, as the listing's transaction commits. Each body
// hears only its own, workArrived carries none of them, whom a public
// employee's notification is about stays behind the field markings, and
// only supervisors may subscribe.
func TestNotificationInboxSubscription(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	h.started = time.Now().Add(-time.Second)
	other := h.Variant(t, nil) // a second instance on the same databases
	ents, recs := h.listable(t, 1)
	soe := ents[0]
	market := openDB(t, h.Prefix+"dept_market")
	if _, err := market.Exec(`UPDATE registry_entity SET org_type = 'STATE_OWNED_ENTERPRISE', superior_code = 'GZW' WHERE uscc = $1`, soe.USCC); err != nil {
		t.Fatal(err)
	}
	if _, err := h.DBs["hub"].DB.Exec(`INSERT INTO public_employee (id_no, name, unit_uscc, unit_name) VALUES ($1, $2, '11231100MB1234567X', '黑河市某事业单位')
		ON CONFLICT (id_no) DO UPDATE SET unit_uscc = '11231100MB1234567X'`, soe.LegalRep.IDNo, soe.LegalRep.Name); err != nil {
		t.Fatal(err)
	}
	dial := func(hub *apptest.Hub, org string) *wsClient {
		return dialWarnings(t, hub, map[string]any{"Authorization": "Bearer " + apptest.Token(t, auth.KindDepartment, org, auth.ScopeEntityRead)})
	}
	gzw, jwjw, fire := dial(h.Hub, "GZW"), dial(other, "JWJW"), dial(h.Hub, "fire")
	gzw.subscribe("n", gqlNotificationArrived, nil)
	gzw.subscribe("w", workSubscription, nil)
	jwjw.subscribe("n", `subscription { notificationArrived { role cause idNumber } }`, nil)
	fire.subscribe("n", gqlNotificationArrived, nil)
	waitFor(t, "four subscribers", func() bool { return h.Work.Subscribers() == 3 && other.Work.Subscribers() == 1 })

	dept := h.dept("market", auth.ScopeListWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	listing := h.ok(t, dept, gqlEnterListing, map[string]any{"in": wfListing("JOINT_PUNISHMENT", soe.USCC, recs[0][:1], nil), "k": h.key()})
	listingID := apptest.Get(listing, "enterListing", "id")

	m, ok := gzw.next(10 * time.Second)
	if !ok || m.ID != "n" || m.Type != "next" {
		t.Fatalf("the superior body heard %+v (open %v), want its notification", m, ok)
	}
	var ev struct {
		Data   struct{ NotificationArrived map[string]any }
		Errors []apptest.Error
	}
	if err := json.Unmarshal(m.Payload, &ev); err != nil {
		t.Fatal(err)
	}
	n := ev.Data.NotificationArrived
	if len(ev.Errors) > 0 || n["recipient"] != "GZW" || n["role"] != "SUPERIOR" || n["cause"] != "JOINT_PUNISHMENT" ||
		n["causeId"] != listingID || n["uscc"] != soe.USCC || n["state"] != "UNACKNOWLEDGED" || n["overdue"] != false {
		t.Fatalf("the superior body's notification: %s", m.Payload)
	}
	// The same notification the inbox lists.
	if got := notificationsOf(t, h, apptest.As(t, auth.KindDepartment, "GZW", "", auth.ScopeEntityRead), soe.USCC, nil); len(got) != 1 || got[0]["id"] != n["id"] {
		t.Fatalf("the inbox lists %v, the subscription delivered %v", got, n)
	}

	// On the other instance, the discipline body hears of the public
	// employee; without person:read, not who it is.
	m, ok = jwjw.next(10 * time.Second)
	if !ok || m.ID != "n" || m.Type != "next" {
		t.Fatalf("the discipline body heard %+v (open %v), want its notification", m, ok)
	}
	if !strings.Contains(string(m.Payload), `"DISCIPLINE"`) || !strings.Contains(string(m.Payload), "FORBIDDEN") ||
		strings.Contains(string(m.Payload), soe.LegalRep.IDNo) || strings.Contains(string(m.Payload), soe.LegalRep.Name) {
		t.Fatalf("the discipline body's notification without person:read: %s", m.Payload)
	}

	gzw.quiet(t, "the superior body (a second notification, or one on workArrived)", time.Second)
	fire.quiet(t, "a department that is no recipient", 500*time.Millisecond)
	jwjw.quiet(t, "the discipline body (a second notification)", 500*time.Millisecond)

	// Refused before anything is delivered to the public, an agency and an
	// entity; no argument names another body's inbox.
	for name, payload := range map[string]map[string]any{
		"an agency":  {"Authorization": "Bearer " + apptest.Token(t, auth.KindAgency, "GZW", auth.Scopes...)},
		"an entity":  {"Authorization": "Bearer " + apptest.Token(t, auth.KindEntity, soe.USCC, auth.Scopes...)},
		"the public": nil,
	} {
		c := dialWarnings(t, h.Hub, payload)
		c.subscribe("n", gqlNotificationArrived, nil)
		m, ok := c.next(5 * time.Second)
		if !ok || !strings.Contains(string(m.Payload), "FORBIDDEN") || strings.Contains(string(m.Payload), `"recipient"`) {
			t.Errorf("%s: %+v, want FORBIDDEN and no notification", name, m)
		}
	}
	r := h.Do(t, `subscription { notificationArrived(recipient: "GZW") { id } }`, nil, apptest.As(t, auth.KindDepartment, "fire", "", auth.ScopeEntityRead))
	if len(r.Errors) == 0 || r.Errors[0].Code() != "GRAPHQL_VALIDATION_FAILED" || r.Data != nil {
		t.Errorf("notificationArrived(recipient:): %s", r.Body)
	}
}
