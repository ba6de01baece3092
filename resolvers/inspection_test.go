package resolvers_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/lib/pq"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/supervision"
)

const planMutation = `mutation($in: InspectionPlanInput!, $k: String!) { createInspectionPlan(input: $in, idempotencyKey: $k) {
	id department { code } title seed populationSize sampleSize ratioA ratioB ratioC ratioD createdAt } }`

const plansQuery = `query($d: ID) { inspectionPlans(department: $d, first: 10) { edges { cursor node {
	id seed populationSize sampleSize
	sample { uscc entity { uscc name } inspectors { name badgeNo department { code } } } } } pageInfo { hasNextPage } } }`

// sampleOf renders a plan's sample: each entity with its inspectors' badges.
func sampleOf(plan any) []string {
	var out []string
	for _, s := range apptest.Get(plan, "sample").([]any) {
		var badges []string
		for _, in := range apptest.Get(s, "inspectors").([]any) {
			badges = append(badges, apptest.Get(in, "badgeNo").(string))
		}
		out = append(out, fmt.Sprint(apptest.Get(s, "uscc"), badges))
	}
	return out
}

// Double-random inspection: the same seed and population give the same
// sample and inspectors, through the API, twice; anyone holding the seed,
// the population and the roster redraws it; poor grades are drawn at a
// higher share than good ones.
func TestInspectionPlanIsReproducible(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{})
	market := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead, auth.ScopeInspectionWrite)
	in := map[string]any{"title": "2026年12月市场监管双随机抽查", "population": map[string]any{}, "baseRatio": 0.3, "seed": "HH-SJ-2026-12-01"}
	create := func(in map[string]any, key string) any {
		return apptest.Get(h.QueryAs(t, market, planMutation, map[string]any{"in": in, "k": key}), "createInspectionPlan")
	}
	p1 := create(in, "p1")
	if retry := create(in, "p1"); apptest.Get(retry, "id") != apptest.Get(p1, "id") {
		t.Fatalf("a retry drew a new plan: %v, %v", p1, retry)
	}
	p2 := create(in, "p2")
	other := create(map[string]any{"title": "另一批", "population": map[string]any{}, "baseRatio": 0.3, "seed": "HH-SJ-2026-12-02"}, "p3")
	active := 0
	for _, e := range h.World.Entities {
		if e.Status == "存续" {
			active++
		}
	}
	if apptest.Get(p1, "populationSize") != float64(active) || apptest.Get(p1, "department", "code") != "market" ||
		apptest.Get(p1, "ratioA") != 0.15 || apptest.Get(p1, "ratioC") != 0.45 || apptest.Get(p1, "ratioD") != 0.9 ||
		apptest.Get(p1, "id") == apptest.Get(p2, "id") {
		t.Fatalf("plan %v (%d active entities)", p1, active)
	}

	// Public: the plans and their samples, without a token.
	plans := map[string]any{}
	for _, e := range apptest.Get(h.Query(t, plansQuery, map[string]any{"d": "market"}), "inspectionPlans", "edges").([]any) {
		plans[apptest.Get(e, "node", "id").(string)] = apptest.Get(e, "node")
	}
	s1, s2, s3 := sampleOf(plans[apptest.Get(p1, "id").(string)]), sampleOf(plans[apptest.Get(p2, "id").(string)]), sampleOf(plans[apptest.Get(other, "id").(string)])
	if len(s1) == 0 || !slices.Equal(s1, s2) {
		t.Fatalf("same seed and population, different samples:\n%v\n%v", s1, s2)
	}
	if slices.Equal(s1, s3) {
		t.Error("another seed drew the same sample")
	}
	for _, s := range apptest.Get(plans[apptest.Get(p1, "id").(string)], "sample").([]any) {
		ins := apptest.Get(s, "inspectors").([]any)
		if apptest.Get(s, "entity", "uscc") != apptest.Get(s, "uscc") || len(ins) != 2 ||
			apptest.Get(ins[0], "badgeNo") == apptest.Get(ins[1], "badgeNo") || apptest.Get(ins[0], "department", "code") != "market" {
			t.Fatalf("sampled %v", s)
		}
	}

	// Anyone holding the plan's id finds it again, sample and all.
	byID := h.Query(t, `query($id: ID!) { node(id: $id) { __typename ... on InspectionPlan { id seed sample { uscc inspectors { badgeNo } } } } }`,
		map[string]any{"id": apptest.Get(p1, "id")})
	if apptest.Get(byID, "node", "__typename") != "InspectionPlan" || !slices.Equal(sampleOf(apptest.Get(byID, "node")), s1) {
		t.Fatalf("node(id) of a plan: %v", byID)
	}
	if missing := h.Query(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": supervision.PlanID(1 << 40)}); apptest.Get(missing, "node") != nil {
		t.Fatalf("node(id) of a plan that does not exist: %v", missing)
	}

	// Redrawn from the published seed, the population's grades and the roster.
	ctx := context.Background()
	var pop []supervision.Candidate
	grade := map[string]string{}
	var activeCodes []string
	for _, e := range h.World.Entities {
		if e.Status == "存续" {
			activeCodes = append(activeCodes, e.USCC)
		}
	}
	var rows []struct {
		USCC  string `db:"uscc"`
		Grade string `db:"grade"`
	}
	if err := h.DBs["hub"].SelectContext(ctx, &rows, `SELECT uscc, grade FROM entity_grade WHERE uscc = ANY($1)`, pq.Array(activeCodes)); err != nil {
		t.Fatal(err)
	}
	if len(rows) != active {
		t.Fatalf("the plan graded %d of %d entities", len(rows), active)
	}
	for _, r := range rows {
		pop = append(pop, supervision.Candidate{USCC: r.USCC, Grade: r.Grade})
		grade[r.USCC] = r.Grade
	}
	var roster []struct {
		ID    int64  `db:"id"`
		Badge string `db:"badge_no"`
	}
	if err := h.DBs["hub"].SelectContext(ctx, &roster, `SELECT id, badge_no FROM inspector WHERE department = 'market' AND active ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	badge := map[int64]string{}
	for _, r := range roster {
		ids = append(ids, r.ID)
		badge[r.ID] = r.Badge
	}
	var redrawn []string
	published := supervision.Ratios{}
	for _, g := range []string{"A", "B", "C", "D"} {
		published[g] = apptest.Get(p1, "ratio"+g).(float64)
	}
	for _, c := range supervision.Draw("HH-SJ-2026-12-01", pop, published) {
		var badges []string
		for _, id := range supervision.Inspectors("HH-SJ-2026-12-01", c.USCC, ids, 2) {
			badges = append(badges, badge[id])
		}
		redrawn = append(redrawn, fmt.Sprint(c.USCC, badges))
	}
	if !slices.Equal(s1, redrawn) {
		t.Fatalf("the published seed does not redraw the sample:\n%v\n%v", s1, redrawn)
	}

	// Poor credit is inspected more often than good credit.
	inGrade, drawn := map[string]int{}, map[string]int{}
	for _, c := range pop {
		inGrade[c.Grade]++
	}
	for _, s := range apptest.Get(plans[apptest.Get(p1, "id").(string)], "sample").([]any) {
		drawn[grade[apptest.Get(s, "uscc").(string)]]++
	}
	share := func(g string) float64 { return float64(drawn[g]) / float64(inGrade[g]) }
	if inGrade["A"] == 0 || inGrade["D"] == 0 || inGrade["C"] == 0 || !(share("D") > share("A")) || !(share("C") > share("A")) {
		t.Errorf("population %v, drawn %v: D and C should be drawn at a higher share than A", inGrade, drawn)
	}
	t.Logf("population by grade %v, drawn %v", inGrade, drawn)
}

func TestInspectionPlanArguments(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	market := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead, auth.ScopeInspectionWrite)
	input := func(change func(in map[string]any)) map[string]any {
		in := map[string]any{"title": "抽查", "population": map[string]any{"division": "231124", "industry": "Q"}, "baseRatio": 0.1, "seed": "s"}
		if change != nil {
			change(in)
		}
		return in
	}
	ratios := func(d float64) func(map[string]any) {
		return func(in map[string]any) {
			delete(in, "baseRatio")
			in["ratios"] = map[string]any{"a": 0.1, "b": 0.1, "c": 0.1, "d": d}
		}
	}
	for name, tc := range map[string]struct {
		headers map[string]string
		in      map[string]any
		code    string
	}{
		"a ratio above 1":          {market, input(func(in map[string]any) { in["baseRatio"] = 1.5 }), "BAD_USER_INPUT"},
		"no ratio":                 {market, input(func(in map[string]any) { delete(in, "baseRatio") }), "BAD_USER_INPUT"},
		"both kinds of ratio":      {market, input(func(in map[string]any) { ratios(0.1)(in); in["baseRatio"] = 0.1 }), "BAD_USER_INPUT"},
		"a ratio per grade over 1": {market, input(ratios(1.1)), "BAD_USER_INPUT"},
		"no seed":                  {market, input(func(in map[string]any) { in["seed"] = " " }), "BAD_USER_INPUT"},
		"an unknown industry":      {market, input(func(in map[string]any) { in["population"] = map[string]any{"industry": "Z"} }), "BAD_USER_INPUT"},
		"a division outside Heihe": {market, input(func(in map[string]any) { in["population"] = map[string]any{"division": "110105"} }), "BAD_USER_INPUT"},
		"too many inspectors":      {market, input(func(in map[string]any) { in["inspectorsPerEntity"] = 6 }), "BAD_USER_INPUT"},
		// SECURITY: plans are a department's, drawn for its own roster.
		"an agency":                   {apptest.As(t, auth.KindAgency, "agency-1", "", auth.ScopeEntityRead), input(nil), "FORBIDDEN"},
		"the public":                  {nil, input(nil), "FORBIDDEN"},
		"a department with no roster": {apptest.As(t, auth.KindDepartment, "bizenv", "", auth.ScopeEntityRead), input(nil), "FORBIDDEN"},
	} {
		r := h.Do(t, planMutation, map[string]any{"in": tc.in, "k": "bad-" + name}, tc.headers)
		if len(r.Errors) != 1 || r.Errors[0].Code() != tc.code {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	// A narrow population: the registry's filter and the industry section.
	var want int
	for _, e := range h.World.Entities {
		if e.Division == "231124" && e.IndustryCode == "F" && e.Status == "存续" {
			want++
		}
	}
	in := input(func(in map[string]any) {
		in["population"] = map[string]any{"division": "231124", "industry": "f"}
		ratios(1)(in)
		in["ratios"] = map[string]any{"a": 1, "b": 1, "c": 1, "d": 1}
	})
	p := apptest.Get(h.QueryAs(t, market, planMutation, map[string]any{"in": in, "k": "narrow"}), "createInspectionPlan")
	if want == 0 || apptest.Get(p, "populationSize") != float64(want) || apptest.Get(p, "sampleSize") != float64(want) {
		t.Errorf("plan over 231124's trade: %v, want %d entities, all drawn", p, want)
	}
}
