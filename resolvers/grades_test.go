package resolvers_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"credithub/auth"
	"credithub/datasources/market"
	"credithub/internal/app/apptest"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/scalars"
	"credithub/internal/supervision"
)

// gradeModel reads the grading model through the graph.
func gradeModel(t *testing.T, h *apptest.Hub) *supervision.Model {
	t.Helper()
	data := h.QueryAs(t, apptest.Department(t), `{ gradeModel { factors { code description points source } thresholds { grade maxPoints meaning source } } }`, nil)
	var fs []supervision.Factor
	for _, f := range apptest.Get(data, "gradeModel", "factors").([]any) {
		fs = append(fs, supervision.Factor{Code: apptest.Get(f, "code").(string), Description: apptest.Get(f, "description").(string),
			Points: int(apptest.Get(f, "points").(float64)), Source: apptest.Get(f, "source").(string)})
	}
	var ts []supervision.Threshold
	for _, th := range apptest.Get(data, "gradeModel", "thresholds").([]any) {
		x := supervision.Threshold{Grade: apptest.Get(th, "grade").(string)}
		if m, ok := apptest.Get(th, "maxPoints").(float64); ok {
			n := int(m)
			x.MaxPoints = &n
		}
		ts = append(ts, x)
	}
	if len(fs) != 13 || len(ts) != 4 || ts[3].Grade != "D" || ts[3].MaxPoints != nil {
		t.Fatalf("grade model: %v", data)
	}
	m, err := supervision.NewModel(fs, ts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fulfilledCommitments(t *testing.T, h *apptest.Hub, uscc string) int {
	t.Helper()
	var n int
	if err := h.DBs["hub"].GetContext(context.Background(), &n,
		`SELECT count(*) FROM commitment WHERE uscc = $1 AND state = 'FULFILLED'`, uscc); err != nil {
		t.Fatal(err)
	}
	return n
}

const ratingQuery = `query($u: ID!) { entity(uscc: $u) { rating {
	grade points complete missingSources { code } computedAt
	reasons { factor description points count evidence } } } }`

// The grade the graph gives an entity is the model applied to the records
// the graph shows of it: same grade, points and reasons, each with the
// records behind it.
func TestRatingFollowsTheRecords(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	m := gradeModel(t, h)
	grades := map[string]int{}
	for _, e := range h.World.Entities[:40] {
		want := m.Grade(supervision.Facts{Records: gradeRecords(t, h, e.USCC), CommitmentsFulfilled: fulfilledCommitments(t, h, e.USCC),
			Today: scalars.DateOf(time.Now())})
		rating := apptest.Get(h.QueryAs(t, apptest.Department(t), ratingQuery, map[string]any{"u": e.USCC}), "entity", "rating")
		if apptest.Get(rating, "grade") != want.Grade || apptest.Get(rating, "points") != float64(want.Points) || apptest.Get(rating, "complete") != true {
			t.Errorf("entity %d: rating %v, want %s with %d points", e.Index, rating, want.Grade, want.Points)
			continue
		}
		grades[want.Grade]++
		var got []string
		for _, r := range apptest.Get(rating, "reasons").([]any) {
			var ev []string
			for _, id := range apptest.Get(r, "evidence").([]any) {
				ev = append(ev, id.(string))
			}
			sort.Strings(ev)
			got = append(got, fmt.Sprint(apptest.Get(r, "factor"), int(apptest.Get(r, "points").(float64)), int(apptest.Get(r, "count").(float64)), ev))
		}
		var exp []string
		for _, r := range want.Reasons {
			ev := slices.Clone(r.Evidence)
			sort.Strings(ev)
			exp = append(exp, fmt.Sprint(r.Factor, r.Points, r.Count, ev))
		}
		if !slices.Equal(got, exp) {
			t.Errorf("entity %d: reasons\n%v\nwant\n%v", e.Index, got, exp)
		}
	}
	if len(grades) < 3 {
		t.Errorf("the first 40 entities should span several grades: %v", grades)
	}
	// SECURITY: the grade is for supervision, not for the public.
	r := h.Do(t, ratingQuery, map[string]any{"u": h.World.Entities[0].USCC}, nil)
	if apptest.Get(r.Data, "entity", "rating") != nil || len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Errorf("the public sees a grade: %s", r.Body)
	}
	// Nor the entity itself, nor an agency, whatever scopes they hold.
	u := h.World.Entities[0].USCC
	for who, hdr := range map[string]map[string]string{
		"the entity itself": apptest.As(t, auth.KindEntity, u, "", auth.ScopeEntityRead, auth.ScopeRecordRead),
		"an agency":         apptest.As(t, auth.KindAgency, "agency-1", "", auth.ScopeEntityRead, auth.ScopeRecordRead),
	} {
		r := h.Do(t, `query($u: ID!) { entity(uscc: $u) { name rating { grade } again: rating { points } } }`, map[string]any{"u": u}, hdr)
		if apptest.Get(r.Data, "entity", "name") == nil || apptest.Get(r.Data, "entity", "rating") != nil ||
			apptest.Get(r.Data, "entity", "again") != nil || len(r.Errors) != 2 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Errorf("%s sees a grade: %s", who, r.Body)
		}
	}
}

// recomputeGrades fills entity_grade for every registered entity, once
// per idempotency key; the distribution counts them by division and kind.
func TestRecomputeGradesAndDistribution(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{})
	admin := apptest.As(t, auth.KindAdmin, "hub", "", auth.ScopeGradeCompute, auth.ScopeAuditRead, auth.ScopeEntityRead, auth.ScopeRecordRead)
	const recompute = `mutation($k: String!) { recomputeGrades(idempotencyKey: $k) }`

	// SECURITY: reading the query log is not computing grades.
	auditor := apptest.As(t, auth.KindAdmin, "hub", "", auth.ScopeAuditRead, auth.ScopeEntityRead, auth.ScopeRecordRead)
	for _, who := range []map[string]string{apptest.Department(t), auditor} {
		if r := h.Do(t, recompute, map[string]any{"k": "g0"}, who); len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" ||
			fmt.Sprint(r.Errors[0].Extensions["requiredScopes"]) != "[grade:compute]" {
			t.Errorf("a caller without grade:compute recomputes: %s", r.Body)
		}
	}
	n := apptest.Get(h.QueryAs(t, admin, recompute, map[string]any{"k": "g1"}), "recomputeGrades")
	if n != float64(len(h.World.Entities)) {
		t.Fatalf("recomputeGrades = %v, want %d", n, len(h.World.Entities))
	}
	var at time.Time
	if err := h.DBs["hub"].GetContext(context.Background(), &at, `SELECT max(computed_at) FROM entity_grade`); err != nil {
		t.Fatal(err)
	}
	if again := apptest.Get(h.QueryAs(t, admin, recompute, map[string]any{"k": "g1"}), "recomputeGrades"); again != n {
		t.Errorf("retried recompute = %v", again)
	}
	var at2 time.Time
	if err := h.DBs["hub"].GetContext(context.Background(), &at2, `SELECT max(computed_at) FROM entity_grade`); err != nil {
		t.Fatal(err)
	}
	if !at2.Equal(at) {
		t.Errorf("a retry with the same key recomputed (%s, then %s)", at, at2)
	}

	const dist = `query($d: ID, $k: EntityKind) { gradeDistribution(division: $d, kind: $k) {
		total computedAt counts { division { code } kind grade count } } }`
	byDivision, byKind := map[string]int{}, map[string]int{}
	for _, e := range h.World.Entities {
		byDivision[e.Division]++
		if slices.Contains(market.EntityTypesOf(credit.EntityKindEnterprise), e.EntityType) {
			byKind["ENTERPRISE"]++
		}
	}
	all := apptest.Get(h.QueryAs(t, apptest.Department(t), dist, nil), "gradeDistribution")
	if apptest.Get(all, "total") != float64(len(h.World.Entities)) || apptest.Get(all, "computedAt") == nil {
		t.Fatalf("distribution %v", all)
	}
	sum, gotDivision := 0, map[string]int{}
	for _, c := range apptest.Get(all, "counts").([]any) {
		n := int(apptest.Get(c, "count").(float64))
		sum += n
		gotDivision[apptest.Get(c, "division", "code").(string)] += n
	}
	if sum != len(h.World.Entities) || fmt.Sprint(gotDivision) != fmt.Sprint(byDivision) {
		t.Errorf("counts by division %v (sum %d), want %v", gotDivision, sum, byDivision)
	}
	city := apptest.Get(h.QueryAs(t, apptest.Department(t), dist, map[string]any{"d": "231100"}), "gradeDistribution", "total")
	aihui := apptest.Get(h.QueryAs(t, apptest.Department(t), dist, map[string]any{"d": "231102"}), "gradeDistribution", "total")
	firms := apptest.Get(h.QueryAs(t, apptest.Department(t), dist, map[string]any{"k": "ENTERPRISE"}), "gradeDistribution", "total")
	if city != float64(len(h.World.Entities)) || aihui != float64(byDivision["231102"]) || firms != float64(byKind["ENTERPRISE"]) {
		t.Errorf("totals: city %v, 231102 %v (want %d), enterprises %v (want %d)", city, aihui, byDivision["231102"], firms, byKind["ENTERPRISE"])
	}
	if r := h.Do(t, dist, map[string]any{"d": "110105"}, apptest.Department(t)); len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Errorf("a division outside Heihe: %s", r.Body)
	}
	// The stored grade is the one the graph computes at query time.
	e0 := h.World.Entities[0].USCC
	var stored struct {
		Grade  string `db:"grade"`
		Points int    `db:"points"`
	}
	if err := h.DBs["hub"].GetContext(context.Background(), &stored, `SELECT grade, points FROM entity_grade WHERE uscc = $1`, e0); err != nil {
		t.Fatal(err)
	}
	rating := apptest.Get(h.QueryAs(t, apptest.Department(t), ratingQuery, map[string]any{"u": e0}), "entity", "rating")
	if apptest.Get(rating, "grade") != stored.Grade || apptest.Get(rating, "points") != float64(stored.Points) {
		t.Errorf("stored %+v, rating %v", stored, rating)
	}
}

// Stored grades, which the dashboards' distribution and the inspection
// plans read, follow the facts between full recomputes: a workflow
// transition and a department's new record mark the entity, and the
// regrade brings its stored grade to what the graph computes live.
func TestStoredGradesFollowTheFacts(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 120})
	ctx := context.Background()
	hubDB := h.DBs["hub"]
	admin := apptest.As(t, auth.KindAdmin, "hub", "", auth.ScopeGradeCompute, auth.ScopeAuditRead, auth.ScopeEntityRead, auth.ScopeRecordRead)
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
	c := h.QueryAs(t, apptest.As(t, auth.KindEntity, a, "", auth.EntitySelfScopes...), `mutation($in: SignCommitmentInput!) { signCommitment(input: $in, idempotencyKey: "regrade-sign") { id } }`,
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
