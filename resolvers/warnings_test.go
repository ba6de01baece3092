package resolvers_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	_ "github.com/lib/pq"

	"credithub/auth"
	"credithub/datasources/dstest"
	"credithub/dev/world"
	"credithub/internal/app/apptest"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/supervision"
)

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient is a GraphQL-over-WebSocket client (graphql-transport-ws), as a
// dashboard's would be: it answers the server's pings and queues the rest.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
	msgs chan wsMessage
	done chan struct{}
	err  error
}

// dialWarnings opens a connection to h and sends connection_init with the
// payload; it fails the test unless the hub acknowledges.
func dialWarnings(t testing.TB, h *apptest.Hub, payload map[string]any) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	c := &wsClient{t: t, conn: conn, msgs: make(chan wsMessage, 64), done: make(chan struct{})}
	t.Cleanup(c.close)
	go c.read()
	init := map[string]any{"type": "connection_init"}
	if payload != nil {
		init["payload"] = payload
	}
	if err := wsjson.Write(ctx, conn, init); err != nil {
		t.Fatal(err)
	}
	if m, ok := c.next(5 * time.Second); !ok || m.Type != "connection_ack" {
		t.Fatalf("connection_init answered %+v (open: %v, err %v), want connection_ack", m, ok, c.err)
	}
	return c
}

func (c *wsClient) read() {
	defer close(c.done)
	defer close(c.msgs)
	for {
		var m wsMessage
		if err := wsjson.Read(context.Background(), c.conn, &m); err != nil {
			c.err = err
			return
		}
		if m.Type == "ping" {
			_ = wsjson.Write(context.Background(), c.conn, wsMessage{Type: "pong"})
			continue
		}
		c.msgs <- m
	}
}

// next returns the next message; false when none came in time or the
// connection closed.
func (c *wsClient) next(timeout time.Duration) (wsMessage, bool) {
	select {
	case m, ok := <-c.msgs:
		return m, ok
	case <-time.After(timeout):
		return wsMessage{}, false
	}
}

func (c *wsClient) subscribe(id, query string, vars map[string]any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := wsjson.Write(ctx, c.conn, map[string]any{"id": id, "type": "subscribe",
		"payload": map[string]any{"query": query, "variables": vars}}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *wsClient) close() {
	_ = c.conn.Close(websocket.StatusNormalClosure, "")
	<-c.done
}

// warningEvent is the data of one event of the warnings subscription.
type warningEvent struct {
	Data struct {
		Warnings struct {
			ID       string  `json:"id"`
			USCC     string  `json:"uscc"`
			Level    string  `json:"level"`
			Message  string  `json:"message"`
			RecordID *string `json:"recordId"`
			Rule     struct {
				Code string `json:"code"`
			} `json:"rule"`
			Entity *struct {
				Name string `json:"name"`
			} `json:"entity"`
		} `json:"warnings"`
	} `json:"data"`
	Errors []apptest.Error `json:"errors"`
}

// awaitWarning returns the next event of subscription id; other
// subscriptions' events are kept aside in others.
func (c *wsClient) awaitWarning(t *testing.T, id string, timeout time.Duration, others map[string]int) warningEvent {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m, ok := c.next(time.Until(deadline))
		if !ok {
			t.Fatalf("no warning on subscription %s within %s (connection: %v)", id, timeout, c.err)
		}
		if m.ID != id {
			others[m.ID+"/"+m.Type]++
			continue
		}
		if m.Type != "next" {
			t.Fatalf("subscription %s: %s %s", id, m.Type, m.Payload)
		}
		var ev warningEvent
		if err := json.Unmarshal(m.Payload, &ev); err != nil {
			t.Fatal(err)
		}
		return ev
	}
}

const warningsSubscription = `subscription($f: WarningFilter) {
  warnings(filter: $f) { id uscc level message recordId rule { code } entity { name } }
}`

func openDB(t *testing.T, name string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dstest.DSN(t, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// tick runs one scan of h's scanner, waiting its turn while the
// background scanner holds the lock.
func tick(t *testing.T, h *apptest.Hub) supervision.TickResult {
	t.Helper()
	for range 100 {
		res, err := h.Scanner.Tick(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Failed) > 0 {
			t.Fatalf("scan failed: %v", res.Failed)
		}
		if !res.Busy {
			return res
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the scan lock was never free")
	return supervision.TickResult{}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func insertPenalty(t *testing.T, market *sql.DB, uscc, regNo, fine string) {
	t.Helper()
	var u, r any
	if uscc != "" {
		u = uscc
	}
	if regNo != "" {
		r = regNo
	}
	if _, err := market.Exec(`INSERT INTO admin_penalty (uscc, reg_no, decision_no, decision_date, violation, penalty_kinds, fine_yuan, authority)
		VALUES ($1, $2, $3, current_date, '发布虚假广告', '{罚款}', $4, '黑河市市场监督管理局')`,
		u, r, fmt.Sprintf("黑市监罚〔2026〕T%d号", time.Now().UnixNano()%1e6), fine); err != nil {
		t.Fatal(err)
	}
}

// T25: a penalty above the threshold, inserted into the market regulator's
// database, reaches a department's dashboard subscribed over WebSocket on
// this hub instance and on another one (LISTEN/NOTIFY), within seconds;
// each subscriber gets only what its filter asks for; a rescan raises
// nothing twice; a client that goes away is forgotten.
func TestWarningArrivesOnSubscription(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60, Env: map[string]string{"CREDITHUB_WARNING_SCAN": "200ms"}})
	other := h.Variant(t, nil) // a second hub instance on the same databases
	e, bystander := h.World.Entities[5], h.World.Entities[6]
	token := apptest.Token(t, auth.KindDepartment, "market", auth.ScopeEntityRead)
	here := dialWarnings(t, h, map[string]any{"Authorization": "Bearer " + token})
	there := dialWarnings(t, other, map[string]any{"Authorization": "Bearer " + token})
	here.subscribe("mine", warningsSubscription, map[string]any{"f": map[string]any{"uscc": e.USCC}})
	here.subscribe("bystander", warningsSubscription, map[string]any{"f": map[string]any{"uscc": bystander.USCC}})
	there.subscribe("penalties", warningsSubscription, map[string]any{"f": map[string]any{"rule": "W-PEN-100K"}})
	waitFor(t, "three subscribers", func() bool { return h.Warnings.Subscribers() == 2 && other.Warnings.Subscribers() == 1 })

	market := openDB(t, h.Prefix+"dept_market")
	start := time.Now()
	insertPenalty(t, market, e.USCC, "", "150000.00")
	others := map[string]int{}
	ev := here.awaitWarning(t, "mine", 5*time.Second, others)
	t.Logf("warning received %s after the insert", time.Since(start).Round(time.Millisecond))
	w := ev.Data.Warnings
	if len(ev.Errors) > 0 || w.USCC != e.USCC || w.Rule.Code != "W-PEN-100K" || w.Level != "WARNING" ||
		w.RecordID == nil || !strings.Contains(w.Message, "150000.00 yuan") || w.Entity == nil || w.Entity.Name != e.Name {
		t.Fatalf("warning event = %+v", ev)
	}
	ev2 := there.awaitWarning(t, "penalties", 5*time.Second, others)
	if ev2.Data.Warnings.ID != w.ID {
		t.Fatalf("the other instance's subscriber got %+v, want warning %s", ev2.Data.Warnings, w.ID)
	}
	if m, ok := here.next(time.Second); ok || others["bystander/next"] > 0 {
		t.Fatalf("the bystander's subscription received a warning on another entity: %+v %v", m, others)
	}

	// The warning is listed, on its own and on the entity.
	q := `query($u: ID!) {
	  warnings(filter: {uscc: $u}) { edges { node { id rule { code } recordId } } }
	  entity(uscc: $u) { warnings { id } }
	}`
	dept := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead)
	count := func() int {
		d := h.QueryAs(t, dept, q, map[string]any{"u": e.USCC})
		edges := apptest.Get(d, "warnings", "edges").([]any)
		if n := len(apptest.Get(d, "entity", "warnings").([]any)); n != len(edges) {
			t.Fatalf("warnings lists %d, entity.warnings %d", len(edges), n)
		}
		return len(edges)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d warnings on the entity, want 1", n)
	}

	// A rescan raises nothing twice: neither a tick with nothing new nor one
	// that reads the same row again.
	if res := tick(t, h); len(res.Raised) != 0 {
		t.Fatalf("a rescan raised %v", res.Raised)
	}
	if _, err := h.DBs["hub"].Exec(`UPDATE scan_watermark SET last_id = last_id - 1 WHERE source = 'market' AND kind = 'PENALTY'`); err != nil {
		t.Fatal(err)
	}
	if res := tick(t, h); len(res.Raised) != 0 {
		t.Fatalf("reading the penalty again raised %v", res.Raised)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d warnings on the entity after a rescan, want 1", n)
	}

	// A client that goes away is forgotten.
	here.close()
	waitFor(t, "the closed connection's subscriptions to end", func() bool { return h.Warnings.Subscribers() == 0 })
}

// The other rules, tick by tick: a penalty filed under an old registration
// number warns its entity; the complaint that makes three within 30 days
// raises one notice; a listing whose rectification deadline is near raises
// one; a penalty below the threshold raises nothing.
func TestWarningRules(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60, Env: map[string]string{"CREDITHUB_WARNING_SCAN": "1h"}})
	market := openDB(t, h.Prefix+"dept_market")
	var legacy, small, complained, listed = -1, 10, 11, 12
	for i, e := range h.World.Entities {
		if e.RegNo != "" && i > 12 {
			legacy = i
			break
		}
	}
	if legacy < 0 {
		t.Fatal("no entity with a registration number in the world")
	}
	le := h.World.Entities[legacy]
	insertPenalty(t, market, "", le.RegNo, "200000")
	insertPenalty(t, market, h.World.Entities[small].USCC, "", "99999.99")
	for i := range 3 {
		if _, err := market.Exec(`INSERT INTO complaint_12315 (uscc, ticket_no, received_at, category, summary, state)
			VALUES ($1, $2, now() - make_interval(hours => $3), '价格', '消费者反映商品标价与结算价格不一致', '处理中')`,
			h.World.Entities[complained].USCC, fmt.Sprintf("T12315-%d", i), i); err != nil {
			t.Fatal(err)
		}
	}
	// Days are China's, as the scanner counts them.
	today := scalars.DateOf(time.Now()).Time()
	if _, err := h.DBs["hub"].Exec(`INSERT INTO list_entry (list_type, uscc, department, basis, entered_on, rectify_by, state)
		VALUES ('JOINT_PUNISHMENT', $1, 'market', '测试：逾期未整改', $2::date, $3::date, 'LISTED')`,
		h.World.Entities[listed].USCC, today.AddDate(0, 0, -20).Format(time.DateOnly), today.AddDate(0, 0, 2).Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	res := tick(t, h)
	rules := map[string][]string{}
	var ws []*supervision.Warning
	for _, id := range res.Raised {
		got, err := h.Supervision.ListWarnings(context.Background(), supervision.Filter{}, id+1, 1)
		if err != nil || len(got) != 1 || got[0].ID != id {
			t.Fatalf("warning %d: %v %v", id, got, err)
		}
		ws = append(ws, got[0])
		rules[got[0].USCC] = append(rules[got[0].USCC], got[0].Rule.Code)
	}
	want := map[string][]string{
		le.USCC:                           {"W-PEN-100K"},
		h.World.Entities[complained].USCC: {"W-12315"},
		h.World.Entities[listed].USCC:     {"W-RECTIFY"},
	}
	for u, codes := range want {
		if fmt.Sprint(rules[u]) != fmt.Sprint(codes) {
			t.Errorf("warnings on %s: %v, want %v (all raised: %v)", u, rules[u], codes, rules)
		}
	}
	if len(rules[h.World.Entities[small].USCC]) != 0 {
		t.Errorf("a fine below the threshold raised %v", rules[h.World.Entities[small].USCC])
	}
	for _, w := range ws {
		if w.Rule.Code == "W-RECTIFY" && (w.RecordID == "" || !strings.Contains(w.Message, "in 2 days")) {
			t.Errorf("rectification warning %+v", w)
		}
	}
	if res := tick(t, h); len(res.Raised) != 0 {
		t.Fatalf("a second tick raised %v", res.Raised)
	}

	// One instance scans at a time: while another holds the scan, a tick
	// does nothing.
	ctx := context.Background()
	other, err := h.DBs["hub"].Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, hubdb.WarningScanLock); err != nil {
		t.Fatal(err)
	}
	insertPenalty(t, market, h.World.Entities[small].USCC, "", "300000")
	if res, err := h.Scanner.Tick(ctx); err != nil || !res.Busy || len(res.Raised) != 0 {
		t.Fatalf("a tick while another instance scans: %+v %v", res, err)
	}
	if _, err := other.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, hubdb.WarningScanLock); err != nil {
		t.Fatal(err)
	}
	if res := tick(t, h); len(res.Raised) != 1 {
		t.Fatalf("the tick after the other instance's scan raised %v, want the 300000 yuan penalty's warning", res.Raised)
	}
}

// The rules are data, and anyone may read them; warnings need entity:read.
func TestWarningRulesAndAccess(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	d := h.Query(t, `{ warningRules { code kind threshold level active source } }`, nil)
	rules := apptest.Get(d, "warningRules").([]any)
	if len(rules) != 4 || apptest.Get(rules[0], "code") != "W-12315" {
		t.Fatalf("warningRules = %v", rules)
	}
	r := h.Do(t, `{ warnings { edges { node { id } } } }`, nil, nil)
	if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Fatalf("anonymous warnings: %s", r.Body)
	}
	r = h.Do(t, `{ warnings(filter: {rule: "NOPE"}) { edges { node { id } } } }`, nil, apptest.Department(t))
	if len(r.Errors) == 0 || r.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Fatalf("unknown rule: %s", r.Body)
	}
}

// raiseWarnings raises one W-PEN-100K warning on each entity, as the scan
// does, and returns their global ids in that order.
func raiseWarnings(t *testing.T, h *apptest.Hub, usccs ...string) []string {
	t.Helper()
	var out []string
	for i, u := range usccs {
		ids, err := hubdb.New(h.DBs["hub"].DB).Warnings().Raise(context.Background(), []hubdb.NewWarning{{Rule: "W-PEN-100K", USCC: u,
			Level: "WARNING", Message: "a fine of 150000.00 yuan", RecordID: fmt.Sprintf("test-record-%d", i)}}, time.Now())
		if err != nil || len(ids) != 1 {
			t.Fatalf("raising a warning: %v %v", ids, err)
		}
		out = append(out, gid.Encode("Warning", fmt.Sprint(ids[0])))
	}
	return out
}

const warningFields = `id state closedNote assignee { department { code name } person } history { action from to actorOrg reason }`

// T25, issue #13: the credit office acknowledges a warning from its
// worklist and assigns it to the fire brigade, which closes it with a
// note; the warning shows each step and its history. Closing it again is
// INVALID_TRANSITION; a retry with the same key answers as the first time
// and writes nothing.
func TestWarningHandled(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60, Env: map[string]string{"CREDITHUB_WARNING_SCAN": "1h"}})
	ids := raiseWarnings(t, h, h.World.Entities[3].USCC)
	office := apptest.As(t, auth.KindDepartment, "credit-office", "", auth.ScopeWarningHandle, auth.ScopeEntityRead)
	fire := apptest.As(t, auth.KindDepartment, "fire", "", auth.ScopeWarningHandle, auth.ScopeEntityRead)
	vars := func(kv ...any) map[string]any {
		m := map[string]any{"id": ids[0]}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}

	d := h.QueryAs(t, office, `mutation($id: ID!) { acknowledgeWarning(id: $id, idempotencyKey: "ack-1") { `+warningFields+` } }`, vars())
	if apptest.Get(d, "acknowledgeWarning", "state") != "ACKNOWLEDGED" || apptest.Get(d, "acknowledgeWarning", "assignee") != nil {
		t.Fatalf("acknowledge: %v", d)
	}
	assign := `mutation($id: ID!, $d: ID, $p: String, $k: String!) { assignWarning(id: $id, department: $d, person: $p, idempotencyKey: $k) { ` + warningFields + ` } }`
	d = h.QueryAs(t, office, assign, vars("d", "fire", "k", "assign-1"))
	if apptest.Get(d, "assignWarning", "state") != "ASSIGNED" || apptest.Get(d, "assignWarning", "assignee", "department", "code") != "fire" ||
		apptest.Get(d, "assignWarning", "assignee", "person") != nil {
		t.Fatalf("assign: %v", d)
	}
	// The brigade hands it on to one of its officers (re-assignment).
	d = h.QueryAs(t, fire, assign, vars("d", "fire", "p", "王建国", "k", "assign-2"))
	if apptest.Get(d, "assignWarning", "assignee", "person") != "王建国" {
		t.Fatalf("re-assign: %v", d)
	}
	closeQ := `mutation($id: ID!, $n: String!, $k: String!) { closeWarning(id: $id, note: $n, idempotencyKey: $k) { ` + warningFields + ` } }`
	d = h.QueryAs(t, fire, closeQ, vars("n", "已现场核查，责令整改完毕", "k", "close-1"))
	w := apptest.Get(d, "closeWarning")
	if apptest.Get(w, "state") != "CLOSED" || apptest.Get(w, "closedNote") != "已现场核查，责令整改完毕" {
		t.Fatalf("close: %v", d)
	}
	var steps []string
	for _, e := range apptest.Get(w, "history").([]any) {
		steps = append(steps, fmt.Sprintf("%v %v→%v %v %v", apptest.Get(e, "action"), apptest.Get(e, "from"), apptest.Get(e, "to"),
			apptest.Get(e, "actorOrg"), apptest.Get(e, "reason")))
	}
	want := "[raise →OPEN warning-rules W-PEN-100K acknowledge OPEN→ACKNOWLEDGED credit-office  assign ACKNOWLEDGED→ASSIGNED credit-office to fire " +
		"assign ASSIGNED→ASSIGNED fire to fire 王建国 close ASSIGNED→CLOSED fire 已现场核查，责令整改完毕]"
	if fmt.Sprint(steps) != want {
		t.Fatalf("history = %v\nwant      %s", steps, want)
	}

	// The same request again: the first answer, nothing written.
	r := h.Do(t, closeQ, vars("n", "已现场核查，责令整改完毕", "k", "close-1"), fire)
	if len(r.Errors) > 0 || len(apptest.Get(r.Data, "closeWarning", "history").([]any)) != 5 {
		t.Fatalf("replay: %s", r.Body)
	}
	// The same key with another note is the client's mistake.
	r = h.Do(t, closeQ, vars("n", "另一说明", "k", "close-1"), fire)
	if len(r.Errors) == 0 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "idempotencyKey" {
		t.Fatalf("same key, other note: %s", r.Body)
	}
	// A new close of a closed warning is refused.
	r = h.Do(t, closeQ, vars("n", "再次关闭", "k", "close-2"), office)
	if len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID_TRANSITION" || r.Errors[0].Extensions["state"] != "CLOSED" {
		t.Fatalf("closing twice: %s", r.Body)
	}
	var events int
	if err := h.DBs["hub"].QueryRow(`SELECT count(*) FROM workflow_history WHERE workflow = 'warning' AND object_id = $1`,
		mustDecode(t, ids[0])).Scan(&events); err != nil || events != 5 {
		t.Fatalf("%d history rows, want 5 (%v)", events, err)
	}
}

// SECURITY: a department without warning:handle, an entity and the public
// cannot handle a warning, nor can a department holding warning:handle a
// warning not assigned to it (it is told the credit office may), and
// nothing is written; bad arguments name the argument.
func TestWarningHandlingRefused(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60, Env: map[string]string{"CREDITHUB_WARNING_SCAN": "1h"}})
	ids := raiseWarnings(t, h, h.World.Entities[4].USCC)
	ack := `mutation($id: ID!) { acknowledgeWarning(id: $id, idempotencyKey: "ack") { id state } }`
	for name, headers := range map[string]map[string]string{
		"a department that reads warnings": apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead, auth.ScopeObjectionHandle),
		"the entity itself":                apptest.As(t, auth.KindEntity, h.World.Entities[4].USCC, ""),
		"the public":                       nil,
		// A warning not assigned to it is the credit office's to handle.
		"a department holding warning:handle": apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead, auth.ScopeWarningHandle),
	} {
		for _, m := range []string{ack,
			`mutation($id: ID!) { assignWarning(id: $id, department: "market", idempotencyKey: "as") { id state } }`,
			`mutation($id: ID!) { closeWarning(id: $id, note: "已处理", idempotencyKey: "cl") { id state } }`} {
			r := h.Do(t, m, map[string]any{"id": ids[0]}, headers)
			if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" || r.Data["acknowledgeWarning"] != nil ||
				r.Data["assignWarning"] != nil || r.Data["closeWarning"] != nil {
				t.Errorf("%s: %s", name, r.Body)
			} else if name == "a department holding warning:handle" && !strings.Contains(r.Errors[0].Message, "credit office") {
				t.Errorf("%s: %q does not say who may act", name, r.Errors[0].Message)
			}
		}
	}
	var state string
	var events, keys int
	if err := h.DBs["hub"].QueryRow(`SELECT state, (SELECT count(*) FROM workflow_history WHERE workflow = 'warning' AND object_id = $1 AND action <> 'raise'),
		(SELECT count(*) FROM idempotency) FROM warning WHERE id = $1`, mustDecode(t, ids[0])).Scan(&state, &events, &keys); err != nil {
		t.Fatal(err)
	}
	if state != "OPEN" || events != 0 || keys != 0 {
		t.Fatalf("after refusals: state %s, %d history rows, %d idempotency rows", state, events, keys)
	}

	office := apptest.As(t, auth.KindDepartment, "credit-office", "", auth.ScopeWarningHandle, auth.ScopeEntityRead)
	for _, c := range []struct {
		query       string
		vars        map[string]any
		code, field string
	}{
		{ack, map[string]any{"id": "not-an-id"}, "BAD_USER_INPUT", "id"},
		{ack, map[string]any{"id": gid.Encode("Objection", "1")}, "BAD_USER_INPUT", "id"},
		{ack, map[string]any{"id": gid.Encode("Warning", "999999")}, "NOT_FOUND", "id"},
		{`mutation($id: ID!) { assignWarning(id: $id, department: "police", idempotencyKey: "a1") { id } }`, map[string]any{"id": ids[0]}, "BAD_USER_INPUT", "department"},
		{`mutation($id: ID!) { assignWarning(id: $id, person: " ", idempotencyKey: "a2") { id } }`, map[string]any{"id": ids[0]}, "BAD_USER_INPUT", "person"},
		{`mutation($id: ID!) { assignWarning(id: $id, idempotencyKey: "a3") { id } }`, map[string]any{"id": ids[0]}, "BAD_USER_INPUT", "department"},
		{`mutation($id: ID!) { closeWarning(id: $id, note: "", idempotencyKey: "c1") { id } }`, map[string]any{"id": ids[0]}, "BAD_USER_INPUT", "note"},
	} {
		r := h.Do(t, c.query, c.vars, office)
		if len(r.Errors) == 0 || r.Errors[0].Code() != c.code || r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%s %v: %s, want %s naming %s", c.query, c.vars, r.Body, c.code, c.field)
		}
	}
}

func mustDecode(t *testing.T, id string) string {
	t.Helper()
	_, payload, err := gid.Decode(id)
	if err != nil {
		t.Fatal(err)
	}
	return payload
}

// A worklist of open warnings: the filter by state and by division (the
// entity's, as its stored grade has it), and every warning's history in
// one statement for the whole page.
func TestWarningWorklist(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60, Env: map[string]string{"CREDITHUB_WARNING_SCAN": "1h"}})
	// Two entities of two divisions, beyond the showcases (the seed's
	// warnings are theirs), graded, as the grade job would have.
	a := h.World.Entities[world.ShowcaseCount]
	var b *world.Entity
	for _, e := range h.World.Entities[world.ShowcaseCount+1:] {
		if e.Division != a.Division {
			b = e
			break
		}
	}
	if b == nil {
		t.Fatal("every entity is of one division")
	}
	for _, e := range []*world.Entity{a, b} {
		if _, err := h.DBs["hub"].Exec(`INSERT INTO entity_grade (uscc, grade, points, reasons, division, kind, complete, computed_at)
			VALUES ($1, 'B', 0, '[]', $2, 'ENTERPRISE', true, now()) ON CONFLICT (uscc) DO UPDATE SET division = EXCLUDED.division`,
			e.USCC, e.Division); err != nil {
			t.Fatal(err)
		}
	}
	wid := raiseWarnings(t, h, a.USCC, a.USCC, b.USCC, b.USCC)
	mine := map[string]bool{}
	for _, id := range wid {
		mine[id] = true
	}
	office := apptest.As(t, auth.KindDepartment, "credit-office", "", auth.ScopeWarningHandle, auth.ScopeEntityRead)
	h.QueryAs(t, office, `mutation($a: ID!, $b: ID!) {
	  acknowledgeWarning(id: $a, idempotencyKey: "w1") { id }
	  closeWarning(id: $b, note: "已核实处理", idempotencyKey: "w2") { id }
	}`, map[string]any{"a": wid[1], "b": wid[2]})

	// list returns the test's warnings the filter lists, and checks that
	// every warning it lists is in one of the states asked for.
	list := func(filter map[string]any) (got []string, all int) {
		d := h.QueryAs(t, office, `query($f: WarningFilter) { warnings(filter: $f, first: 100) { edges { node { id state } } } }`,
			map[string]any{"f": filter})
		edges := apptest.Get(d, "warnings", "edges").([]any)
		for _, e := range edges {
			id, state := apptest.Get(e, "node", "id").(string), apptest.Get(e, "node", "state").(string)
			if states, ok := filter["state"].([]string); ok && !slices.Contains(states, state) {
				t.Errorf("warnings(filter: %v) lists %s, which is %s", filter, id, state)
			}
			if mine[id] {
				got = append(got, id)
			}
		}
		return got, len(edges)
	}
	for _, c := range []struct {
		filter map[string]any
		want   []string
		// only: the filter lists none but the test's warnings (the seed's
		// entities have no stored grade, hence no division).
		only bool
	}{
		{map[string]any{"state": []string{"OPEN"}}, []string{wid[3], wid[0]}, false},
		{map[string]any{"state": []string{"OPEN", "ACKNOWLEDGED"}}, []string{wid[3], wid[1], wid[0]}, false},
		{map[string]any{"state": []string{"CLOSED"}}, []string{wid[2]}, false},
		{map[string]any{"division": a.Division}, []string{wid[1], wid[0]}, true},
		{map[string]any{"division": b.Division, "state": []string{"OPEN"}}, []string{wid[3]}, true},
		{map[string]any{"division": "231100"}, []string{wid[3], wid[2], wid[1], wid[0]}, false},
	} {
		got, all := list(c.filter)
		if fmt.Sprint(got) != fmt.Sprint(c.want) || (c.only && all != len(got)) {
			t.Errorf("warnings(filter: %v) = %v of %d, want %v", c.filter, got, all, c.want)
		}
	}
	r := h.Do(t, `{ warnings(filter: {division: "999999"}) { edges { node { id } } } }`, nil, office)
	if len(r.Errors) == 0 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "filter.division" {
		t.Fatalf("unknown division: %s", r.Body)
	}

	// The page and every warning's history: two statements on the hub's
	// database, however many warnings.
	r = h.Do(t, `{ warnings(first: 50) { edges { node { id state history { action to } } } } }`, nil, office)
	edges, _ := apptest.Get(r.Data, "warnings", "edges").([]any)
	if len(r.Errors) > 0 || len(edges) < 8 {
		t.Fatalf("page (the seed's four warnings and the test's four): %s", r.Body)
	}
	if n := r.Statements()["hub"]; n != 2 {
		t.Errorf("%d statements on the hub's database, want 2 (the page, the history): %v", n, r.Statements())
	}
	for _, e := range edges {
		if apptest.Get(e, "node", "id") == wid[2] {
			if got := fmt.Sprint(apptest.Get(e, "node", "history")); got != "[map[action:raise to:OPEN] map[action:close to:CLOSED]]" {
				t.Errorf("the closed warning's history: %v", got)
			}
		}
	}
}
