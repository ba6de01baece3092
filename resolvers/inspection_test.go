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

const (
	addInspectorMutation = `mutation($in: InspectorInput!, $k: String!) { addInspector(input: $in, idempotencyKey: $k) {
	id name badgeNo department { code } active retiredAt retireReason } }`
	updateInspectorMutation = `mutation($id: ID!, $in: InspectorUpdateInput!, $k: String!) { updateInspector(id: $id, input: $in, idempotencyKey: $k) {
	id name badgeNo active } }`
	retireInspectorMutation = `mutation($id: ID!, $r: String!, $k: String!) { retireInspector(id: $id, reason: $r, idempotencyKey: $k) {
	id active retiredAt retireReason } }`
	rosterQuery = `query($d: ID, $all: Boolean) { inspectors(department: $d, includeRetired: $all) { id name badgeNo active retireReason } }`
)

// Roster upkeep: a department adds, corrects and retires its inspectors
// through the API; a retired inspector is never drawn by a new plan but
// stays on the plans that drew them; retries write once; another
// department's roster is refused without a write.
func TestInspectorRosterUpkeep(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	fire := apptest.As(t, auth.KindDepartment, "fire", "", auth.ScopeEntityRead, auth.ScopeInspectionWrite)
	market := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead, auth.ScopeInspectionWrite)
	office := apptest.As(t, auth.KindAdmin, "credit-office", "", auth.ScopeEntityRead, auth.ScopeInspectionWrite)
	rows := func() (n int) {
		if err := h.DBs["hub"].GetContext(ctx, &n, `SELECT count(*) FROM inspector`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	roster := func(all bool) map[string]any {
		out := map[string]any{}
		for _, in := range apptest.Get(h.QueryAs(t, fire, rosterQuery, map[string]any{"d": "fire", "all": all}), "inspectors").([]any) {
			out[apptest.Get(in, "badgeNo").(string)] = in
		}
		return out
	}
	seeded := len(roster(false))
	before := rows()

	// Added, and a retry adds nothing.
	in := map[string]any{"name": " 孙立新 ", "badgeNo": "231100xf0301"}
	added := apptest.Get(h.QueryAs(t, fire, addInspectorMutation, map[string]any{"in": in, "k": "add-1"}), "addInspector")
	if apptest.Get(added, "name") != "孙立新" || apptest.Get(added, "badgeNo") != "231100XF0301" ||
		apptest.Get(added, "department", "code") != "fire" || apptest.Get(added, "active") != true {
		t.Fatalf("added %v", added)
	}
	retry := apptest.Get(h.QueryAs(t, fire, addInspectorMutation, map[string]any{"in": in, "k": "add-1"}), "addInspector")
	if apptest.Get(retry, "id") != apptest.Get(added, "id") || rows() != before+1 || len(roster(false)) != seeded+1 {
		t.Fatalf("a retry of addInspector: %v (rows %d, before %d)", retry, rows(), before)
	}
	id := apptest.Get(added, "id")

	// Corrected.
	upd := apptest.Get(h.QueryAs(t, fire, updateInspectorMutation, map[string]any{"id": id, "in": map[string]any{"name": "孙立欣"}, "k": "upd-1"}), "updateInspector")
	if apptest.Get(upd, "name") != "孙立欣" || apptest.Get(upd, "badgeNo") != "231100XF0301" {
		t.Fatalf("updated %v", upd)
	}

	// SECURITY: another department keeps only its own roster; nothing is written.
	var state string
	read := func() string {
		var s string
		if err := h.DBs["hub"].GetContext(ctx, &s, `SELECT format('%s|%s|%s|%s', name, badge_no, active, department) FROM inspector WHERE badge_no = '231100XF0301'`); err != nil {
			t.Fatal(err)
		}
		return s
	}
	state, n := read(), rows()
	for name, call := range map[string]struct {
		doc  string
		vars map[string]any
	}{
		"update":                {updateInspectorMutation, map[string]any{"id": id, "in": map[string]any{"name": "冒名"}, "k": "x-upd"}},
		"retire":                {retireInspectorMutation, map[string]any{"id": id, "r": "不是我的", "k": "x-ret"}},
		"add to another roster": {addInspectorMutation, map[string]any{"in": map[string]any{"name": "外人", "badgeNo": "231100XF0399", "department": "fire"}, "k": "x-add"}},
	} {
		r := h.Do(t, call.doc, call.vars, market)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Errorf("market, %s on fire's roster: %s", name, r.Body)
		}
	}
	if read() != state || rows() != n {
		t.Fatalf("a refused change wrote: %s, was %s", read(), state)
	}

	// The credit office keeps any roster, naming it.
	byOffice := apptest.Get(h.QueryAs(t, office, addInspectorMutation, map[string]any{
		"in": map[string]any{"name": "钱卫", "badgeNo": "231100XF0302", "department": "fire"}, "k": "office-1"}), "addInspector")
	if apptest.Get(byOffice, "department", "code") != "fire" {
		t.Fatalf("added by the credit office: %v", byOffice)
	}

	// Retired: not drawn by a new plan, still on the old one.
	planIn := func(title string) map[string]any {
		return map[string]any{"title": title, "population": map[string]any{}, "ratios": map[string]any{"a": 1, "b": 1, "c": 1, "d": 1},
			"seed": "XF-2026-12", "inspectorsPerEntity": 3}
	}
	drawn := func(plan any) map[string]bool {
		out := map[string]bool{}
		for _, s := range apptest.Get(plan, "sample").([]any) {
			for _, in := range apptest.Get(s, "inspectors").([]any) {
				out[apptest.Get(in, "badgeNo").(string)] = true
			}
		}
		return out
	}
	planByID := func(id any) any {
		return apptest.Get(h.Query(t, `query($id: ID!) { node(id: $id) { ... on InspectionPlan { sample { uscc inspectors { badgeNo } } } } }`,
			map[string]any{"id": id}), "node")
	}
	old := apptest.Get(h.QueryAs(t, fire, planMutation, map[string]any{"in": planIn("旧计划"), "k": "plan-old"}), "createInspectionPlan", "id")
	if !drawn(planByID(old))["231100XF0301"] {
		t.Fatalf("every entity drawn with 3 of %d inspectors, and 231100XF0301 never: %v", seeded+2, drawn(planByID(old)))
	}
	ret := apptest.Get(h.QueryAs(t, fire, retireInspectorMutation, map[string]any{"id": id, "r": "调离", "k": "ret-1"}), "retireInspector")
	if apptest.Get(ret, "active") != false || apptest.Get(ret, "retireReason") != "调离" || apptest.Get(ret, "retiredAt") == nil {
		t.Fatalf("retired %v", ret)
	}
	if again := apptest.Get(h.QueryAs(t, fire, retireInspectorMutation, map[string]any{"id": id, "r": "调离", "k": "ret-1"}), "retireInspector"); apptest.Get(again, "retiredAt") != apptest.Get(ret, "retiredAt") {
		t.Fatalf("a retry of retireInspector: %v, first %v", again, ret)
	}
	if _, ok := roster(false)["231100XF0301"]; ok {
		t.Error("a retired inspector is on the active roster")
	}
	if r := roster(true)["231100XF0301"]; r == nil || apptest.Get(r, "active") != false {
		t.Errorf("the roster with retired inspectors: %v", roster(true))
	}
	fresh := apptest.Get(h.QueryAs(t, fire, planMutation, map[string]any{"in": planIn("新计划"), "k": "plan-new"}), "createInspectionPlan", "id")
	if drawn(planByID(fresh))["231100XF0301"] {
		t.Error("a new plan drew a retired inspector")
	}
	if !drawn(planByID(old))["231100XF0301"] {
		t.Error("the old plan lost its retired inspector")
	}

	// Bad input names the field; nothing is written.
	n = rows()
	for name, tc := range map[string]struct {
		doc, code, field string
		vars             map[string]any
	}{
		"an empty name":            {addInspectorMutation, "BAD_USER_INPUT", "input.name", map[string]any{"in": map[string]any{"name": " ", "badgeNo": "231100XF0398"}, "k": "b1"}},
		"a badge number taken":     {addInspectorMutation, "BAD_USER_INPUT", "input.badgeNo", map[string]any{"in": map[string]any{"name": "重号", "badgeNo": "231100SJ0101"}, "k": "b2"}},
		"a retired badge number":   {addInspectorMutation, "BAD_USER_INPUT", "input.badgeNo", map[string]any{"in": map[string]any{"name": "重号", "badgeNo": "231100XF0301"}, "k": "b3"}},
		"a badge number taken too": {updateInspectorMutation, "BAD_USER_INPUT", "input.badgeNo", map[string]any{"id": apptest.Get(byOffice, "id"), "in": map[string]any{"badgeNo": "231100XF0301"}, "k": "b4"}},
		"an empty update":          {updateInspectorMutation, "BAD_USER_INPUT", "input", map[string]any{"id": id, "in": map[string]any{}, "k": "b5"}},
		"an unknown id":            {retireInspectorMutation, "NOT_FOUND", "id", map[string]any{"id": supervision.InspectorID(1 << 40), "r": "x", "k": "b6"}},
		"another kind of id":       {updateInspectorMutation, "NOT_FOUND", "id", map[string]any{"id": old, "in": map[string]any{"name": "x"}, "k": "b7"}},
		"no reason":                {retireInspectorMutation, "BAD_USER_INPUT", "reason", map[string]any{"id": apptest.Get(byOffice, "id"), "r": " ", "k": "b8"}},
		"retired twice":            {retireInspectorMutation, "BAD_USER_INPUT", "id", map[string]any{"id": id, "r": "再次", "k": "b9"}},
	} {
		r := h.Do(t, tc.doc, tc.vars, fire)
		if len(r.Errors) != 1 || r.Errors[0].Code() != tc.code || r.Errors[0].Extensions["field"] != tc.field {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	if r := h.Do(t, addInspectorMutation, map[string]any{"in": map[string]any{"name": "无门", "badgeNo": "231100XF0397"}, "k": "b10"}, office); len(r.Errors) != 1 || r.Errors[0].Extensions["field"] != "input.department" {
		t.Errorf("the credit office naming no roster: %s", r.Body)
	}
	if rows() != n {
		t.Errorf("bad input wrote %d inspectors", rows()-n)
	}

	// The rosters are shared among departments, not public.
	if r := h.Do(t, rosterQuery, map[string]any{"d": "fire"}, nil); len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
		t.Errorf("the public read a roster: %s", r.Body)
	}
}
