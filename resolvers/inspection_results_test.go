package resolvers_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/scalars"
	"credithub/internal/workflow"
)

const recordResultMutation = `mutation($in: InspectionResultInput!, $k: String!) { recordInspectionResult(input: $in, idempotencyKey: $k) {
  planId uscc department { code } recordedAt recordId
  record { id kind source { code } status publicity summary decisionNo decisionDate disclosure { onTime publishedDate }
    ... on InspectionResult { inspectionType result passed findings { code description rectifyBy } } } } }`

// inspectionRecordFields reads an inspection record the same way on every
// path.
const inspectionRecordFields = `id ... on CreditRecord { kind source { code } status publicity summary } ... on InspectionResult { result passed findings { code } }`

// A department records the result of inspecting an entity its plan drew:
// the result becomes a public credit record of the entity held by the hub,
// the same on every path (the entity's records, node, the plan's sample,
// the mutation's answer), for the public and for the entity; once: a
// different second result is CONFLICT, the same one gets the first back.
func TestInspectionResults(t *testing.T) {
	t.Parallel()
	h := apptest.Start(t, apptest.Options{Entities: 60})
	market := apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeInspectionWrite, auth.ScopeEntityRead, auth.ScopeRecordRead)
	plan := h.QueryAs(t, market, `mutation { createInspectionPlan(idempotencyKey: "results-plan", input: {
		title: "2026年第四季度双随机抽查", seed: "results-test", population: {}, baseRatio: 0.3 }) { id sample { uscc } } }`, nil)
	planID := apptest.Get(plan, "createInspectionPlan", "id").(string)
	var drawn []string
	for _, s := range asList(apptest.Get(plan, "createInspectionPlan", "sample")) {
		drawn = append(drawn, apptest.Get(s, "uscc").(string))
	}
	if len(drawn) < 3 {
		t.Fatalf("the plan drew %d entities, want at least 3", len(drawn))
	}
	var notDrawn string
	for _, e := range h.World.Entities {
		if !slices.Contains(drawn, e.USCC) && !e.LegacyUSCC {
			notDrawn = e.USCC
			break
		}
	}
	today := scalars.DateOf(time.Now())
	rectify := scalars.DateOf(time.Now().AddDate(0, 0, 30)).String()
	input := func(uscc, result string, findings ...map[string]any) map[string]any {
		in := map[string]any{"planId": planID, "uscc": uscc, "inspectedOn": today.String(), "result": result, "decisionNo": "黑市监检〔2026〕7号"}
		if findings != nil {
			in["findings"] = findings
		}
		return in
	}
	finding := map[string]any{"code": "F-01", "description": "未按规定公示年度报告", "rectifyBy": rectify}
	u := drawn[0]

	got := h.QueryAs(t, market, recordResultMutation, map[string]any{"k": "r-1", "in": input(u, "PROBLEM_ORDERED_CORRECTED", finding)})
	res := apptest.Get(got, "recordInspectionResult")
	rec := apptest.Get(res, "record")
	recordID := apptest.Get(res, "recordId")
	if apptest.Get(res, "planId") != planID || apptest.Get(res, "uscc") != u || apptest.Get(res, "department", "code") != "market" ||
		apptest.Get(rec, "id") != recordID || apptest.Get(rec, "kind") != "INSPECTION" || apptest.Get(rec, "source", "code") != "market" ||
		apptest.Get(rec, "publicity") != "PUBLIC" || apptest.Get(rec, "status") != "EFFECTIVE" || apptest.Get(rec, "passed") != false ||
		apptest.Get(rec, "result") != "发现问题已责令改正" || apptest.Get(rec, "inspectionType") != "DOUBLE_RANDOM" ||
		apptest.Get(rec, "summary") != "2026年第四季度双随机抽查：发现问题已责令改正" || apptest.Get(rec, "decisionDate") != today.String() ||
		apptest.Get(rec, "findings", 0, "rectifyBy") != rectify || apptest.Get(rec, "disclosure", "onTime") != true ||
		apptest.Get(rec, "disclosure", "publishedDate") != today.String() {
		t.Fatalf("the recorded result: %v", res)
	}

	// The same record on every path, to the public and to the entity.
	for name, who := range map[string]map[string]string{"the public": nil, "the entity": apptest.As(t, auth.KindEntity, u, "")} {
		d := h.QueryAs(t, who, `query($u: ID!, $id: ID!, $plan: ID!) {
			entity(uscc: $u) { records(filter: {kinds: [INSPECTION]}, first: 100) { edges { node { `+inspectionRecordFields+` } } } }
			node(id: $id) { `+inspectionRecordFields+` }
			plan: node(id: $plan) { ... on InspectionPlan { sample { uscc inspection { recordId department { code } record { `+inspectionRecordFields+` } } } } } }`,
			map[string]any{"u": u, "id": recordID, "plan": planID})
		want := fmt.Sprint(apptest.Get(d, "node"))
		if apptest.Get(d, "node", "id") != recordID || apptest.Get(d, "node", "result") != "发现问题已责令改正" {
			t.Errorf("%s: node(id) = %v", name, apptest.Get(d, "node"))
		}
		found := false
		for _, e := range asList(apptest.Get(d, "entity", "records", "edges")) {
			if n := apptest.Get(e, "node"); apptest.Get(n, "id") == recordID {
				found = fmt.Sprint(n) == want
			}
		}
		if !found {
			t.Errorf("%s: the entity's records do not show %s as node(id) does (%s)", name, recordID, want)
		}
		for _, s := range asList(apptest.Get(d, "plan", "sample")) {
			insp := apptest.Get(s, "inspection")
			switch {
			case apptest.Get(s, "uscc") == u && (apptest.Get(insp, "recordId") != recordID || fmt.Sprint(apptest.Get(insp, "record")) != want):
				t.Errorf("%s: the plan's sample shows %v for %s", name, insp, u)
			case apptest.Get(s, "uscc") != u && insp != nil:
				t.Errorf("%s: an entity not yet inspected shows %v", name, insp)
			}
		}
	}
	// The plan's sample with its results is still one statement.
	r := h.Do(t, `query($id: ID!) { node(id: $id) { ... on InspectionPlan { sample { uscc inspection { recordId recordedAt } } } } }`,
		map[string]any{"id": planID}, nil)
	if n := r.Statements()["hub"]; len(r.Errors) > 0 || n != 2 {
		t.Errorf("a plan and its sample with results cost %d hub statements, want 2 (the plan, its sample): %s", n, r.Body)
	}

	// Once. A retry under the same key, or the same result under a new
	// one, gets the first back; a different result is CONFLICT.
	for _, k := range []string{"r-1", "r-2"} {
		d := h.QueryAs(t, market, recordResultMutation, map[string]any{"k": k, "in": input(u, "PROBLEM_ORDERED_CORRECTED", finding)})
		if apptest.Get(d, "recordInspectionResult", "recordId") != recordID {
			t.Errorf("the same result again (key %s) gave %v, want %s", k, apptest.Get(d, "recordInspectionResult", "recordId"), recordID)
		}
	}
	r = h.Do(t, recordResultMutation, map[string]any{"k": "r-3", "in": input(u, "NO_PROBLEM")}, market)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "CONFLICT" || r.Errors[0].Extensions["recordId"] != recordID || r.Data != nil {
		t.Errorf("a different second result: %s", r.Body)
	}
	var rows struct {
		Results int `db:"results"`
		Records int `db:"records"`
	}
	if err := h.DBs["hub"].Get(&rows, `SELECT (SELECT count(*) FROM inspection_result WHERE uscc = $1) AS results,
		(SELECT count(*) FROM hub_record WHERE kind = 'INSPECTION' AND subject_uscc = $1) AS records`, u); err != nil {
		t.Fatal(err)
	}
	if rows.Results != 1 || rows.Records != 1 {
		t.Errorf("after the retries: %d results and %d records of %s, want 1 and 1", rows.Results, rows.Records, u)
	}
	// The history names who recorded it.
	var actor string
	if err := h.DBs["hub"].Get(&actor, `SELECT actor_org FROM workflow_history WHERE workflow = $1 AND action = 'record' AND reason LIKE $2`,
		workflow.WorkflowInspection, u+":%"); err != nil || actor != "market" {
		t.Errorf("the history's actor: %q %v", actor, err)
	}

	// SECURITY: only the plan's department records, only for an entity the
	// plan drew, once it was inspected; a refused call writes nothing.
	count := func() int {
		var n int
		if err := h.DBs["hub"].Get(&n, `SELECT (SELECT count(*) FROM inspection_result) + (SELECT count(*) FROM hub_record WHERE kind = 'INSPECTION')`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	future := input(drawn[1], "NO_PROBLEM")
	future["inspectedOn"] = scalars.DateOf(time.Now().AddDate(0, 0, 2)).String()
	withFindings := input(drawn[1], "NO_PROBLEM", finding)
	noFindings := input(drawn[1], "PROBLEM_ORDERED_CORRECTED")
	badPlan, unknownPlan := input(drawn[1], "NO_PROBLEM"), input(drawn[1], "NO_PROBLEM")
	badPlan["planId"], unknownPlan["planId"] = recordID, workflowPlanID(999999)
	for name, c := range map[string]struct {
		who   map[string]string
		in    map[string]any
		code  string
		field string
	}{
		"another department":        {apptest.As(t, auth.KindDepartment, "fire", "", auth.ScopeInspectionWrite), input(drawn[1], "NO_PROBLEM"), "FORBIDDEN", ""},
		"the credit office":         {apptest.As(t, auth.KindDepartment, workflow.CreditOfficeOrg, "", auth.ScopeInspectionWrite), input(drawn[1], "NO_PROBLEM"), "FORBIDDEN", ""},
		"an admin":                  {apptest.As(t, auth.KindAdmin, workflow.CreditOfficeOrg, "", auth.Scopes...), input(drawn[1], "NO_PROBLEM"), "FORBIDDEN", ""},
		"the entity itself":         {apptest.As(t, auth.KindEntity, drawn[1], "", auth.ScopeInspectionWrite), input(drawn[1], "NO_PROBLEM"), "FORBIDDEN", ""},
		"an agency":                 {apptest.As(t, auth.KindAgency, "AG-1", "", auth.ScopeInspectionWrite), input(drawn[1], "NO_PROBLEM"), "FORBIDDEN", ""},
		"without inspection:write":  {apptest.Department(t), input(drawn[1], "NO_PROBLEM"), "FORBIDDEN", ""},
		"an entity not drawn":       {market, input(notDrawn, "NO_PROBLEM"), "BAD_USER_INPUT", "input.uscc"},
		"a future inspection":       {market, future, "BAD_USER_INPUT", "input.inspectedOn"},
		"NO_PROBLEM with findings":  {market, withFindings, "BAD_USER_INPUT", "input.findings"},
		"a problem without finding": {market, noFindings, "BAD_USER_INPUT", "input.findings"},
		"not a plan's ID":           {market, badPlan, "BAD_USER_INPUT", "input.planId"},
		"no such plan":              {market, unknownPlan, "NOT_FOUND", "input.planId"},
	} {
		r := h.Do(t, recordResultMutation, map[string]any{"k": "refused-" + name, "in": c.in}, c.who)
		if len(r.Errors) != 1 || r.Errors[0].Code() != c.code || r.Data != nil ||
			(c.field != "" && r.Errors[0].Extensions["field"] != c.field) {
			t.Errorf("%s: want %s on %q, got %s", name, c.code, c.field, r.Body)
		}
	}
	if n := count(); n != before {
		t.Errorf("refused calls wrote %d rows", n-before)
	}
}

// workflowPlanID is the global ID of plan id.
func workflowPlanID(id int64) string {
	return (&workflow.PlanInspection{PlanDBID: id}).PlanID()
}
