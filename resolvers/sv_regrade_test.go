package resolvers_test

import (
	"context"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/hubdb"
)

// Stored grades, which the dashboards' distribution and the inspection
// plans read, follow the facts between full recomputes: a workflow
// transition and a department's new record mark the entity, and the
// regrade brings its stored grade to what the graph computes live.
func TestStoredGradesFollowTheFacts(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 120})
	ctx := context.Background()
	hubDB := h.DBs["hub"]
	admin := apptest.As(t, auth.KindAdmin, "hub", "", auth.ScopeAuditRead, auth.ScopeEntityRead, auth.ScopeRecordRead)
	dept := apptest.Department(t)
	h.QueryAs(t, admin, `mutation { recomputeGrades(idempotencyKey: "regrade-test") }`, nil)
	tick(t, h) // the warning scan's watermarks stand at the departments' ends

	type grade struct {
		Grade  string    `db:"grade"`
		Points int       `db:"points"`
		At     time.Time `db:"computed_at"`
	}
	stored := func(u string) grade {
		t.Helper()
		var g grade
		if err := hubDB.GetContext(ctx, &g, `SELECT grade, points, computed_at FROM entity_grade WHERE uscc = $1`, u); err != nil {
			t.Fatal(err)
		}
		return g
	}
	live := func(u string) (string, int) {
		t.Helper()
		r := apptest.Get(h.QueryAs(t, dept, ratingQuery, map[string]any{"u": u}), "entity", "rating")
		return apptest.Get(r, "grade").(string), int(apptest.Get(r, "points").(float64))
	}
	division := map[string]string{}
	for _, e := range h.World.Entities {
		division[e.USCC] = e.Division
	}
	countOf := func(div, g string) int {
		t.Helper()
		d := h.QueryAs(t, dept, `query($d: ID) { gradeDistribution(division: $d) { counts { grade count } } }`, map[string]any{"d": div})
		n := 0
		for _, c := range apptest.Get(d, "gradeDistribution", "counts").([]any) {
			if apptest.Get(c, "grade") == g {
				n += int(apptest.Get(c, "count").(float64))
			}
		}
		return n
	}
	regrade := func() int {
		t.Helper()
		n, err := h.Supervision.RegradeStale(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	var good []string
	if err := hubDB.SelectContext(ctx, &good, `SELECT uscc FROM entity_grade WHERE grade = 'A' ORDER BY uscc LIMIT 2`); err != nil || len(good) < 2 {
		t.Fatalf("two entities graded A: %v %v", good, err)
	}
	a, b := good[0], good[1]

	// A workflow: a signs a commitment, the market regulator finds it
	// seriously breached.
	aBefore, aCount := stored(a), countOf(division[a], "A")
	c := h.QueryAs(t, apptest.As(t, auth.KindEntity, a, ""), `mutation($in: SignCommitmentInput!) { signCommitment(input: $in, idempotencyKey: "regrade-sign") { id } }`,
		map[string]any{"in": map[string]any{"itemCode": "MA-001", "uscc": a, "content": "本企业承诺设立登记材料真实有效。"}})
	h.QueryAs(t, apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeCommitmentWrite, auth.ScopeEntityRead),
		`mutation($id: ID!) { breachCommitment(id: $id, severity: SERIOUS, reason: "承诺内容不实", idempotencyKey: "regrade-breach") { state } }`,
		map[string]any{"id": apptest.Get(c, "signCommitment", "id")})
	if g := stored(a); g != aBefore {
		t.Fatalf("the stored grade changed before the regrade: %+v, then %+v", aBefore, g)
	}
	if n := regrade(); n != 1 {
		t.Errorf("regraded %d entities, want 1", n)
	}
	aAfter := stored(a)
	if g, p := live(a); aAfter.Grade != g || aAfter.Points != p || g == "A" || !aAfter.At.After(aBefore.At) {
		t.Errorf("after a serious breach: stored %+v, live %s with %d points (before: %+v)", aAfter, g, p, aBefore)
	}
	if n := countOf(division[a], "A"); n != aCount-1 {
		t.Errorf("grade A in %s: %d, want %d", division[a], n, aCount-1)
	}

	// A department's new record: b is fined, the warning scan reads it.
	bBefore := stored(b)
	insertPenalty(t, openDB(t, h.Prefix+"dept_market"), b, "", "150000.00")
	tick(t, h)
	if n := regrade(); n != 1 {
		t.Errorf("regraded %d entities after the scan, want 1", n)
	}
	bAfter := stored(b)
	if g, p := live(b); bAfter.Grade != g || bAfter.Points != p || bAfter.Points <= bBefore.Points {
		t.Errorf("after a penalty: stored %+v, live %s with %d points (before: %+v)", bAfter, g, p, bBefore)
	}

	// An entity without a stored grade waits for the full recompute.
	if err := hubdb.New(hubDB.DB).Grades().MarkStale(ctx, []string{"91231100MA00000000"}); err != nil {
		t.Fatal(err)
	}
	if n := regrade(); n != 0 {
		t.Errorf("regraded %d entities for an unknown code", n)
	}
	var left int
	if err := hubDB.GetContext(ctx, &left, `SELECT count(*) FROM grade_stale`); err != nil || left != 0 {
		t.Errorf("%d marks left (%v)", left, err)
	}
}
