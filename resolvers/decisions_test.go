package resolvers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"credithub/auth"
	"credithub/dev/world"
	"credithub/internal/app/apptest"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/workday"
)

// decisionState is one row of a department's table in one state, as the
// department words it, and the status the graph must show it in: every
// kind of decision of T26 is seeded in every state its departments have.
type decisionState struct {
	kind   credit.Kind
	dept   string
	state  string // for the test's messages
	query  string // SELECT id, subject's unified code (one row)
	status credit.Status
}

// decisionStates reads, straight from each department's tables, a row of
// every kind in every state. A seal-up lifted, a reward past its three
// years of publication and an enforcement past its GENERAL year are
// EXPIRED; the rest as the department words them.
var decisionStates = []decisionState{
	{credit.KindCoercion, "market", "seizure in force", `SELECT id, uscc FROM admin_coercion WHERE status = '实施中' AND measure <> '加处罚款' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindCoercion, "market", "seizure lifted", `SELECT id, uscc FROM admin_coercion WHERE status = '已解除' ORDER BY id LIMIT 1`, credit.Expired},
	{credit.KindCoercion, "market", "seizure revoked", `SELECT id, uscc FROM admin_coercion WHERE status = '撤销' ORDER BY id LIMIT 1`, credit.Revoked},
	{credit.KindCoercion, "market", "enforcement within its year", `SELECT id, uscc FROM admin_coercion WHERE measure = '加处罚款' AND status <> '撤销'
		AND decision_date > current_date - interval '11 months' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindCoercion, "market", "enforcement past its year", `SELECT id, uscc FROM admin_coercion WHERE measure = '加处罚款' AND status <> '撤销'
		AND decision_date < current_date - interval '13 months' ORDER BY id LIMIT 1`, credit.Expired},
	{credit.KindCoercion, "environment", "seal-up lifted", `SELECT id, coalesce(tyshxydm, zzjgdm) FROM hb_xzqz WHERE zt = '已解除' ORDER BY id LIMIT 1`, credit.Expired},
	{credit.KindCoercion, "environment", "coercion revoked", `SELECT id, coalesce(tyshxydm, zzjgdm) FROM hb_xzqz WHERE zt = '撤销' ORDER BY id LIMIT 1`, credit.Revoked},
	{credit.KindCoercion, "fire", "seal-up lifted", `SELECT id, unit_code FROM fire_coercion WHERE lifted_at IS NOT NULL AND revoked_at IS NULL ORDER BY id LIMIT 1`, credit.Expired},
	{credit.KindCoercion, "fire", "seal-up in force", `SELECT id, unit_code FROM fire_coercion WHERE coerce_cd = '1' AND lifted_at IS NULL AND revoked_at IS NULL ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindCoercion, "fire", "seal-up revoked", `SELECT id, unit_code FROM fire_coercion WHERE revoked_at IS NOT NULL ORDER BY id LIMIT 1`, credit.Revoked},
	{credit.KindConfirmation, "housing", "filing", `SELECT id, social_credit_no FROM completion_filing WHERE status = '有效' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindConfirmation, "housing", "filing revoked", `SELECT id, social_credit_no FROM completion_filing WHERE status = '撤销' ORDER BY id LIMIT 1`, credit.Revoked},
	{credit.KindLevy, "environment", "fee paid", `SELECT id, coalesce(tyshxydm, zzjgdm) FROM hb_pwfzs WHERE zt = '已缴清' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindLevy, "environment", "fee outstanding", `SELECT id, coalesce(tyshxydm, zzjgdm) FROM hb_pwfzs WHERE zt = '未缴清' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindLevy, "environment", "fee annulled", `SELECT id, coalesce(tyshxydm, zzjgdm) FROM hb_pwfzs WHERE zt = '撤销' ORDER BY id LIMIT 1`, credit.Revoked},
	{credit.KindLevy, "housing", "fee paid", `SELECT id, social_credit_no FROM infrastructure_fee WHERE status = '已缴清' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindLevy, "housing", "fee outstanding", `SELECT id, social_credit_no FROM infrastructure_fee WHERE status = '未缴清' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindLevy, "housing", "fee annulled", `SELECT id, social_credit_no FROM infrastructure_fee WHERE status = '撤销' ORDER BY id LIMIT 1`, credit.Revoked},
	{credit.KindBenefit, "housing", "subsidy paid", `SELECT id, social_credit_no FROM housing_subsidy WHERE status = '已拨付' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindBenefit, "housing", "subsidy waiting", `SELECT id, social_credit_no FROM housing_subsidy WHERE status = '待拨付' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindBenefit, "housing", "subsidy recovered", `SELECT id, social_credit_no FROM housing_subsidy WHERE status = '收回' ORDER BY id LIMIT 1`, credit.Revoked},
	{credit.KindAdjudication, "market", "ruling", `SELECT id, respondent_uscc FROM patent_ruling WHERE status = '生效' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindAdjudication, "market", "ruling annulled", `SELECT id, respondent_uscc FROM patent_ruling WHERE status = '撤销' ORDER BY id LIMIT 1`, credit.Revoked},
	{credit.KindCompensation, "housing", "compensation", `SELECT id, social_credit_no FROM expropriation_compensation WHERE status = '有效' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindCompensation, "housing", "compensation annulled", `SELECT id, social_credit_no FROM expropriation_compensation WHERE status = '撤销' ORDER BY id LIMIT 1`, credit.Revoked},
	{credit.KindReward, "market", "reward in force", `SELECT id, uscc FROM admin_reward WHERE status = '有效'
		AND decision_date > current_date - interval '35 months' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindReward, "market", "reward past its publication period", `SELECT id, uscc FROM admin_reward WHERE status = '有效'
		AND decision_date < current_date - interval '37 months' ORDER BY id LIMIT 1`, credit.Expired},
	{credit.KindReward, "market", "reward withdrawn", `SELECT id, uscc FROM admin_reward WHERE status = '撤销' ORDER BY id LIMIT 1`, credit.Revoked},
	{credit.KindReward, "environment", "reward in force", `SELECT id, coalesce(tyshxydm, zzjgdm) FROM hb_xzjl WHERE zt = '有效'
		AND jlrq > current_date - interval '35 months' ORDER BY id LIMIT 1`, credit.Effective},
	{credit.KindReward, "environment", "reward withdrawn", `SELECT id, coalesce(tyshxydm, zzjgdm) FROM hb_xzjl WHERE zt = '撤销' ORDER BY id LIMIT 1`, credit.Revoked},
}

// decisionFields asks every field of the seven types.
const decisionFields = `id __typename ... on CreditRecord { kind source { code } decisionNo decisionDate summary publicity status severity authority
	disclosure { dueDate publishedDate onTime overdue workingDaysLate } }
	... on AdministrativeCoercion { coercionType enforcement object basis liftedOn }
	... on AdministrativeConfirmation { confirmationType filingNo project }
	... on AdministrativeLevy { levyItem period amount paid paidOn }
	... on AdministrativeBenefit { benefitType project amount paidOn }
	... on AdministrativeAdjudication { disputeType claimant ruling claimUpheld }
	... on AdministrativeCompensation { project compensationForm amount }
	... on AdministrativeReward { rewardName rewardLevel forms amount }`

// catalogueEntries reads the information catalogue through the graph.
func catalogueEntries(t *testing.T, h *apptest.Hub) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, k := range h.Query(t, `{ recordKinds { kind name publicity disclosureRequired periodApplies publicationMonths legalBasis sources { code } } }`, nil)["recordKinds"].([]any) {
		m := k.(map[string]any)
		out[m["kind"].(string)] = m
	}
	return out
}

// Every kind of decision T26 names is a record of the departments that
// make it, in every state they have, with its own type and fields, its
// openness from the information catalogue and its publication deadline
// (7 working days on the official calendar) where the catalogue says so.
func TestEveryKindOfDecisionInEveryState(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	ctx := context.Background()
	cat := catalogueEntries(t, h)
	cal := workday.Default()
	dept := apptest.Department(t)
	seen := map[credit.Kind]map[string]bool{}
	for _, ds := range decisionStates {
		var id int64
		var uscc string
		if err := h.DBs[ds.dept].QueryRowContext(ctx, ds.query).Scan(&id, &uscc); err != nil {
			t.Errorf("%s %s (%s): no row in the seed: %v", ds.dept, ds.kind, ds.state, err)
			continue
		}
		recID := gid.Record(credit.Ref{Source: ds.dept, Kind: ds.kind, LocalID: id})
		n := apptest.Get(h.QueryAs(t, dept, `query($id: ID!) { node(id: $id) { `+decisionFields+` } }`, map[string]any{"id": recID}), "node")
		what := fmt.Sprintf("%s %s (%s, row %d)", ds.dept, ds.kind, ds.state, id)
		entry := cat[string(ds.kind)]
		switch {
		case n == nil:
			t.Errorf("%s: node is null", what)
			continue
		case apptest.Get(n, "__typename") != credit.TypeNames[ds.kind] || apptest.Get(n, "kind") != string(ds.kind) ||
			apptest.Get(n, "source", "code") != ds.dept:
			t.Errorf("%s: %v", what, n)
		case apptest.Get(n, "status") != string(ds.status):
			t.Errorf("%s: status %v, want %s", what, apptest.Get(n, "status"), ds.status)
		case apptest.Get(n, "publicity") != entry["publicity"]:
			t.Errorf("%s: publicity %v, the catalogue says %v", what, apptest.Get(n, "publicity"), entry["publicity"])
		case apptest.Get(n, "summary") == "" || apptest.Get(n, "authority") == nil || apptest.Get(n, "decisionNo") == nil:
			t.Errorf("%s: %v", what, n)
		}
		if sum, _ := apptest.Get(n, "summary").(string); !strings.ContainsFunc(sum, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("%s: summary %q is not Chinese", what, sum)
		}
		// The deadline: 7 working days after the decision, on time when
		// published by then.
		disc := apptest.Get(n, "disclosure")
		if (disc != nil) != (entry["disclosureRequired"] == true) {
			t.Errorf("%s: disclosure %v, the catalogue's duty %v", what, disc, entry["disclosureRequired"])
		}
		if disc != nil {
			decided, _ := time.ParseInLocation(time.DateOnly, apptest.Get(n, "decisionDate").(string), workday.Location())
			due := cal.AddWorkingDays(decided, 7).Format(time.DateOnly)
			if apptest.Get(disc, "dueDate") != due {
				t.Errorf("%s: due %v, want %s (7 working days after %s)", what, apptest.Get(disc, "dueDate"), due, decided.Format(time.DateOnly))
			}
			if p, ok := apptest.Get(disc, "publishedDate").(string); ok && (p <= due) != (apptest.Get(disc, "onTime") == true) {
				t.Errorf("%s: published %s, due %s, onTime %v", what, p, due, apptest.Get(disc, "onTime"))
			}
		}
		// The kind's own fields.
		switch ds.kind {
		case credit.KindCoercion:
			enf := apptest.Get(n, "enforcement") == true
			if apptest.Get(n, "coercionType") == "" || apptest.Get(n, "basis") == nil || enf != (apptest.Get(n, "severity") == "GENERAL") ||
				(apptest.Get(n, "liftedOn") != nil) != (ds.state == "seizure lifted" || ds.state == "seal-up lifted") {
				t.Errorf("%s: %v", what, n)
			}
		case credit.KindConfirmation:
			if apptest.Get(n, "filingNo") == "" || apptest.Get(n, "project") == nil || apptest.Get(n, "severity") != nil {
				t.Errorf("%s: %v", what, n)
			}
		case credit.KindLevy:
			if apptest.Get(n, "levyItem") == "" || apptest.Get(n, "amount") == nil ||
				(apptest.Get(n, "paid") == true) != (ds.state == "fee paid") || (apptest.Get(n, "paidOn") != nil) != (ds.state == "fee paid") {
				t.Errorf("%s: %v", what, n)
			}
		case credit.KindBenefit:
			if apptest.Get(n, "benefitType") == "" || apptest.Get(n, "amount") == nil || (apptest.Get(n, "paidOn") == nil) != (ds.state == "subsidy waiting") {
				t.Errorf("%s: %v", what, n)
			}
		case credit.KindAdjudication:
			if apptest.Get(n, "disputeType") != "专利侵权纠纷" || apptest.Get(n, "claimant") == "" || apptest.Get(n, "ruling") == "" {
				t.Errorf("%s: %v", what, n)
			}
		case credit.KindCompensation:
			if apptest.Get(n, "project") == "" || apptest.Get(n, "compensationForm") == "" {
				t.Errorf("%s: %v", what, n)
			}
		case credit.KindReward:
			if apptest.Get(n, "rewardName") == "" || len(apptest.Get(n, "forms").([]any)) == 0 || apptest.Get(n, "severity") != nil {
				t.Errorf("%s: %v", what, n)
			}
		}
		// The same record among its entity's records (an old row of the
		// environment bureau names the organisation code only).
		if len(uscc) != 18 {
			continue
		}
		r := h.Do(t, `query($u: ID!, $k: RecordKind!) { entity(uscc: $u) { records(first: 100, filter: {kinds: [$k]}) { edges { node { id status } } } } }`,
			map[string]any{"u": uscc, "k": string(ds.kind)}, dept)
		found := false
		for _, e := range apptest.Get(r.Data, "entity", "records", "edges").([]any) {
			found = found || apptest.Get(e, "node", "id") == recID
		}
		if !found {
			t.Errorf("%s: not among the records of %s: %s", what, uscc, r.Body)
		}
		if seen[ds.kind] == nil {
			seen[ds.kind] = map[string]bool{}
		}
		seen[ds.kind][string(ds.status)] = true
	}
	for _, k := range []credit.Kind{credit.KindCoercion, credit.KindConfirmation, credit.KindLevy, credit.KindBenefit,
		credit.KindAdjudication, credit.KindCompensation, credit.KindReward} {
		if !seen[k]["EFFECTIVE"] || !seen[k]["REVOKED"] {
			t.Errorf("%s: seen in %v, want in force and revoked at least", k, seen[k])
		}
	}
	for _, k := range []credit.Kind{credit.KindCoercion, credit.KindReward} {
		if !seen[k]["EXPIRED"] {
			t.Errorf("%s is never past its period: %v", k, seen[k])
		}
	}
}

// The catalogue carries each kind's openness, duty, period and basis: the
// seven are public but for the compensation of expropriated premises
// (shared: announced within the area, not online), personal about a
// person, due within 7 working days but for that compensation; a reward
// stays published 36 months, an enforcement for its dishonesty class.
func TestTheCatalogueOfEveryKindOfDecision(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	cat := catalogueEntries(t, h)
	want := map[credit.Kind]struct {
		publicity  string
		disclosure bool
		period     bool
		months     any
		sources    string
	}{
		credit.KindCoercion:     {"PUBLIC", true, true, nil, "[market environment fire]"},
		credit.KindConfirmation: {"PUBLIC", true, false, nil, "[housing]"},
		credit.KindLevy:         {"PUBLIC", true, false, nil, "[environment housing]"},
		credit.KindBenefit:      {"PUBLIC", true, false, nil, "[housing]"},
		credit.KindAdjudication: {"PUBLIC", true, false, nil, "[market]"},
		credit.KindCompensation: {"SHARED", false, false, nil, "[housing]"},
		credit.KindReward:       {"PUBLIC", true, false, float64(36), "[market environment]"},
	}
	for k, w := range want {
		e := cat[string(k)]
		var sources []string
		for _, s := range e["sources"].([]any) {
			sources = append(sources, apptest.Get(s, "code").(string))
		}
		if e["publicity"] != w.publicity || e["disclosureRequired"] != w.disclosure || e["periodApplies"] != w.period ||
			e["publicationMonths"] != w.months || fmt.Sprint(sources) != w.sources || !strings.Contains(e["legalBasis"].(string), "《") {
			t.Errorf("%s: %v", k, e)
		}
	}
	// The kinds before them have no period of their own.
	if m := cat["PENALTY"]["publicationMonths"]; m != nil {
		t.Errorf("PENALTY: publicationMonths %v", m)
	}
}

// SECURITY: a caller sees a decision no more openly than the information
// catalogue makes it, whatever the path: the compensation of expropriated
// premises (shared) reaches departments, agencies holding record:read and
// the entity itself, never the public — not among the entity's records,
// not by node(id), not through aliases or fragments; a reward past its
// period or withdrawn is not public either.
func TestDecisionsAreNoMoreOpenThanTheCatalogue(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	ctx := context.Background()
	var compID int64
	var uscc string
	if err := h.DBs["housing"].QueryRowContext(ctx, `SELECT id, social_credit_no FROM expropriation_compensation
		WHERE status = '有效' ORDER BY id LIMIT 1`).Scan(&compID, &uscc); err != nil {
		t.Fatal(err)
	}
	comp := gid.Record(credit.Ref{Source: "housing", Kind: credit.KindCompensation, LocalID: compID})
	const listQ = `query($u: ID!) { entity(uscc: $u) { records(first: 100, filter: {kinds: [ADMINISTRATIVE_COMPENSATION]}) {
		edges { node { id publicity ... on AdministrativeCompensation { amount project compensationForm } } } } } }`
	compensations := func(hdr map[string]string) []any {
		t.Helper()
		r := h.Do(t, listQ, map[string]any{"u": uscc}, hdr)
		if len(r.Errors) > 0 {
			t.Fatalf("records: %s", r.Body)
		}
		return apptest.Get(r.Data, "entity", "records", "edges").([]any)
	}
	for name, c := range map[string]struct {
		hdr  map[string]string
		sees bool
	}{
		"a department":                  {apptest.Department(t), true},
		"an agency with record:read":    {apptest.As(t, auth.KindAgency, "agency-decisions", "", auth.ScopeEntityRead, auth.ScopeRecordRead), true},
		"the entity itself":             {apptest.As(t, auth.KindEntity, uscc, ""), true},
		"the public":                    {nil, false},
		"an agency without record:read": {apptest.As(t, auth.KindAgency, "agency-decisions", "", auth.ScopeEntityRead), false},
		"another entity":                {apptest.As(t, auth.KindEntity, h.World.Entities[0].USCC, ""), false},
	} {
		got := compensations(c.hdr)
		if c.sees && (len(got) == 0 || apptest.Get(got[0], "node", "publicity") != "SHARED" || apptest.Get(got[0], "node", "project") == nil) {
			t.Errorf("%s does not see the compensation: %v", name, got)
		}
		if !c.sees && len(got) != 0 {
			t.Errorf("SECURITY: %s sees %v", name, got)
		}
	}
	// By its id, through aliases, a fragment on the interface and one on
	// the type: refused, naming the scope, and nothing of it in data.
	attack := `query($id: ID!, $u: ID!) {
		a: node(id: $id) { id ...C }
		b: node(id: $id) { ... on CreditRecord { summary decisionNo } }
		c: entity(uscc: $u) { r1: records(first: 100) { edges { node { ...C ... on CreditRecord { kind } } } }
			r2: records(first: 100, filter: {kinds: [ADMINISTRATIVE_COMPENSATION], publicity: [SHARED]}) { edges { node { id } } } }
	}
	fragment C on AdministrativeCompensation { amount project compensationForm summary }`
	r := h.Do(t, attack, map[string]any{"id": comp, "u": uscc}, nil)
	if apptest.Get(r.Data, "a") != nil || apptest.Get(r.Data, "b") != nil {
		t.Errorf("SECURITY: the public read the compensation by its id: %s", r.Body)
	}
	codes := map[string]bool{}
	for _, e := range r.Errors {
		codes[e.Code()] = true
		if scopes := fmt.Sprint(e.Extensions["requiredScopes"]); e.Code() == "FORBIDDEN" && scopes != "[record:read]" {
			t.Errorf("refusal names %s, want record:read", scopes)
		}
	}
	if !codes["FORBIDDEN"] {
		t.Errorf("the public reading the compensation by its id is not refused: %s", r.Body)
	}
	for _, key := range []string{"r1", "r2"} {
		for _, e := range apptest.Get(r.Data, "c", key, "edges").([]any) {
			if k := apptest.Get(e, "node", "kind"); k == string(credit.KindCompensation) || apptest.Get(e, "node", "id") == comp {
				t.Errorf("SECURITY: the public's %s lists the compensation: %v", key, e)
			}
		}
	}
	if strings.Contains(string(r.Body), "房屋征收补偿") {
		t.Errorf("SECURITY: the compensation's words reach the public: %s", r.Body)
	}

	// A reward past its period and a withdrawn one are no longer public:
	// null for the public (as if it did not exist), shown to departments.
	for _, q := range []string{
		`SELECT id FROM admin_reward WHERE status = '有效' AND decision_date < current_date - interval '37 months' ORDER BY id LIMIT 1`,
		`SELECT id FROM admin_reward WHERE status = '撤销' ORDER BY id LIMIT 1`,
	} {
		var id int64
		if err := h.DBs["market"].QueryRowContext(ctx, q).Scan(&id); err != nil {
			t.Fatal(err)
		}
		rec := gid.Record(credit.Ref{Source: "market", Kind: credit.KindReward, LocalID: id})
		const nodeQ = `query($id: ID!) { node(id: $id) { ... on AdministrativeReward { rewardName status } } }`
		if r := h.Do(t, nodeQ, map[string]any{"id": rec}, nil); apptest.Get(r.Data, "node") != nil {
			t.Errorf("SECURITY: the public reads a reward out of force: %s", r.Body)
		}
		if n := apptest.Get(h.QueryAs(t, apptest.Department(t), nodeQ, map[string]any{"id": rec}), "node"); apptest.Get(n, "rewardName") == nil {
			t.Errorf("a department does not see the reward out of force: %v", n)
		}
	}
}

// rewardsOf returns a check's reward measures: code → trigger ids (and
// "grade:A"), with each reward's legal basis checked.
func rewardsOf(t *testing.T, check any) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	all := measuresOf(check)
	for _, m := range apptest.Get(check, "measures").([]any) {
		if apptest.Get(m, "measure", "kind") != "REWARD" {
			continue
		}
		code := apptest.Get(m, "measure", "code").(string)
		if !strings.Contains(apptest.Get(m, "measure", "legalBasis").(string), "国发〔2016〕33号") {
			t.Errorf("%s: legal basis %v", code, apptest.Get(m, "measure", "legalBasis"))
		}
		out[code] = all[code]
	}
	return out
}

// 守信激励 (T19, T26): the reward measures of a credit check — 容缺受理
// (M-MKT-R1) and the green channel (M-MKT-R2) in approvals, priority for
// state funds (M-FND-R1) — rest on an administrative reward in force, an
// honour the entity declared and a department verified, or an A grade,
// each named as the trigger with the measure's legal basis. An entity that
// is also dishonest gets none: 失信 excludes 守信激励.
func TestCreditChecksRewardWhatEarnsIt(t *testing.T) {
	t.Parallel()
	h := newORHub(t)
	ctx := context.Background()
	dept := apptest.Department(t)
	check := func(uscc, sc string) any {
		t.Helper()
		return apptest.Get(h.QueryAs(t, dept, checkQuery, map[string]any{"u": uscc, "s": sc}), "creditCheck")
	}
	measures := catalogueOf(t, h.Hub)
	adverse := func(recs []credit.Record) bool {
		for _, r := range recs {
			b := r.Common()
			if credit.InForce(r) && (b.Kind == credit.KindListing || b.Kind == credit.KindKeyAttention ||
				(b.Severity != nil && *b.Severity != credit.Minor)) {
				return true
			}
		}
		return false
	}

	// The seed's rewards in force: a rewarded entity without a dishonesty
	// record gets every reward its scenario has, resting on the reward; a
	// rewarded entity with one (the odd showcase entities) gets none.
	rows, err := h.DBs["market"].QueryContext(ctx, `SELECT id, uscc FROM admin_reward WHERE status = '有效'
		AND decision_date > current_date - interval '35 months' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	rewarded := map[string][]string{}
	for rows.Next() {
		var id int64
		var uscc string
		if err := rows.Scan(&id, &uscc); err != nil {
			t.Fatal(err)
		}
		rewarded[uscc] = append(rewarded[uscc], gid.Record(credit.Ref{Source: "market", Kind: credit.KindReward, LocalID: id}))
	}
	rows.Close()
	cleanRewarded, dishonestRewarded := 0, 0
	for uscc, ids := range rewarded {
		recs, grade := gradeRecords(t, h.Hub, uscc), gradeOf(t, h.Hub, uscc)
		for _, sc := range []credit.Scenario{credit.ScenarioAdministrativeApproval, credit.ScenarioStateFunding, credit.ScenarioPublicProcurement} {
			c := check(uscc, string(sc))
			got, rewards := measuresOf(c), rewardsOf(t, c)
			if want := expectedMeasures(measures, sc, recs, grade); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s in %s: measures %v, want %v", uscc, sc, got, want)
			}
			switch {
			case adverse(recs) && len(rewards) > 0:
				t.Errorf("%s is dishonest and rewarded in %s: %v", uscc, sc, rewards)
			case adverse(recs):
				dishonestRewarded++
			case sc == credit.ScenarioStateFunding:
				cleanRewarded++
				if r := rewards["M-FND-R1"]; len(r) == 0 || !strings.Contains(fmt.Sprint(r), ids[0]) {
					t.Errorf("%s in %s: rewards %v, want M-FND-R1 resting on its reward %s", uscc, sc, rewards, ids[0])
				}
			case sc == credit.ScenarioAdministrativeApproval:
				for _, code := range []string{"M-MKT-R1", "M-MKT-R2"} {
					if r := rewards[code]; !strings.Contains(fmt.Sprint(r), ids[0]) || slices.Contains(r, "grade:A") != (grade.Grade == "A") {
						t.Errorf("%s (grade %s) in %s: %s rests on %v, want its reward %s", uscc, grade.Grade, sc, code, r, ids[0])
					}
				}
			case sc == credit.ScenarioPublicProcurement && len(rewards) > 0:
				t.Errorf("%s in %s: rewards %v", uscc, sc, rewards)
			}
		}
	}
	if cleanRewarded == 0 || dishonestRewarded == 0 {
		t.Fatalf("world changed: %d rewarded entities without a dishonesty record, %d with one", cleanRewarded, dishonestRewarded)
	}
	// The trigger names the reward as the graph shows it.
	for uscc, ids := range rewarded {
		if adverse(gradeRecords(t, h.Hub, uscc)) {
			continue
		}
		for _, m := range apptest.Get(check(uscc, "STATE_FUNDING"), "measures").([]any) {
			tr := apptest.Get(m, "triggers", 0)
			if apptest.Get(tr, "recordId") == ids[0] && (apptest.Get(tr, "kind") != "ADMINISTRATIVE_REWARD" ||
				!strings.HasPrefix(apptest.Get(tr, "summary").(string), "获") || apptest.Get(tr, "severity") != nil) {
				t.Errorf("trigger %v", tr)
			}
		}
		break
	}

	// An entity with neither reward nor honour: its A grade rests 容缺受理
	// and the green channel, with the grade as their trigger; nothing rests
	// priority for state funds.
	var e *world.Entity
	for _, c := range h.World.Entities[world.ShowcaseCount:] {
		if c.Profile != world.Clean || c.Status != "存续" || rewarded[c.USCC] != nil {
			continue
		}
		recs := gradeRecords(t, h.Hub, c.USCC)
		if !adverse(recs) && gradeOf(t, h.Hub, c.USCC).Grade == "A" && !slices.ContainsFunc(recs, func(r credit.Record) bool {
			return r.Common().Kind == credit.KindReward || r.Common().Kind == credit.KindSelfDeclaration
		}) {
			e = c
			break
		}
	}
	if e == nil {
		t.Fatal("world changed: no clean entity without a reward")
	}
	if got := rewardsOf(t, check(e.USCC, "ADMINISTRATIVE_APPROVAL")); fmt.Sprint(got) != "map[M-MKT-R1:[grade:A] M-MKT-R2:[grade:A]]" {
		t.Errorf("an A grade alone: %v", got)
	}
	c := check(e.USCC, "MARKET_ACCESS")
	for _, m := range apptest.Get(c, "measures").([]any) {
		if g := apptest.Get(m, "gradeTrigger"); g != nil && (apptest.Get(g, "grade") != "A" || apptest.Get(g, "points").(float64) > 0) {
			t.Errorf("grade trigger %v", g)
		}
	}
	if got := rewardsOf(t, check(e.USCC, "STATE_FUNDING")); len(got) != 0 {
		t.Errorf("an A grade rests priority for state funds: %v", got)
	}

	// It declares an honour: nothing more until the department named
	// verifies it; then the honour rests every reward, with its record.
	honour := map[string]any{"uscc": e.USCC, "kind": "HONOUR", "title": "黑龙江省诚信示范企业", "department": "market",
		"content": "2025年获评黑龙江省诚信示范企业称号。", "commitment": "本单位承诺所声明信息真实、准确、完整，如有虚假，愿意承担相应法律责任并记入信用记录。"}
	d := apptest.Get(h.call(t, declarant(t, e.USCC), gqlDeclare, map[string]any{"in": honour, "k": orKey()}), "declare")
	honourRecord := apptest.Get(d, "record", "id").(string)
	if got := rewardsOf(t, check(e.USCC, "STATE_FUNDING")); len(got) != 0 {
		t.Errorf("an honour not yet verified rests %v", got)
	}
	h.call(t, declarationDept(t, "market"), gqlVerifyDeclaration, map[string]any{"id": apptest.Get(d, "id"), "k": orKey()})
	if got := rewardsOf(t, check(e.USCC, "STATE_FUNDING")); fmt.Sprint(got) != fmt.Sprint(map[string][]string{"M-FND-R1": {honourRecord}}) {
		t.Errorf("a verified honour: %v, want M-FND-R1 resting on %s", got, honourRecord)
	}
	want := []string{"grade:A", honourRecord}
	slices.Sort(want)
	if got := rewardsOf(t, check(e.USCC, "ADMINISTRATIVE_APPROVAL")); fmt.Sprint(got["M-MKT-R1"]) != fmt.Sprint(want) {
		t.Errorf("a verified honour and an A grade: %v, want M-MKT-R1 resting on %v", got, want)
	}

	// It is found to have declared something false: a serious dishonesty
	// record (a false commitment). Every reward goes, the restriction that
	// record triggers comes.
	falseOne := declarationInput(e.USCC, "market")
	d2 := apptest.Get(h.call(t, declarant(t, e.USCC), gqlDeclare, map[string]any{"in": falseOne, "k": orKey()}), "declare")
	f := h.call(t, declarationDept(t, "market"), gqlFindDeclarationFalse, map[string]any{"id": apptest.Get(d2, "id"), "r": "经向发证机关核实，无该证书", "k": orKey()})
	breach := apptest.Get(f, "findDeclarationFalse", "commitment", "record", "id")
	for _, sc := range []string{"ADMINISTRATIVE_APPROVAL", "STATE_FUNDING", "MARKET_ACCESS"} {
		c := check(e.USCC, sc)
		if got := rewardsOf(t, c); len(got) != 0 {
			t.Errorf("SECURITY: a seriously dishonest entity is rewarded in %s: %v", sc, got)
		}
		if sc == "ADMINISTRATIVE_APPROVAL" && !slices.Contains(measuresOf(c)["M-APR-01"], breach.(string)) {
			t.Errorf("in %s: %v, want M-APR-01 resting on the false commitment %v", sc, measuresOf(c), breach)
		}
	}
}

// A kind's publication period is the catalogue's (T8, T26): the credit
// office shortens the rewards' period and a reward older than it is no
// longer in force (nor public, nor a trigger); with no period of the
// kind's own, an old reward is in force again. The change keeps its
// history, a later change of another field keeps the period, and a period
// out of range or a person's reward opened to the public is refused.
func TestRewardsPublicationPeriodIsTheCatalogues(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	ctx := context.Background()
	office := apptest.As(t, auth.KindAdmin, "credit-office", "", auth.ScopeCatalogueWrite)
	var id int64
	var uscc string
	if err := h.DBs["market"].QueryRowContext(ctx, `SELECT id, uscc FROM admin_reward WHERE status = '有效'
		AND decision_date BETWEEN current_date - interval '35 months' AND current_date - interval '2 months' ORDER BY id LIMIT 1`).Scan(&id, &uscc); err != nil {
		t.Fatalf("world changed: no reward in force older than two months: %v", err)
	}
	var oldID int64
	if err := h.DBs["market"].QueryRowContext(ctx, `SELECT id FROM admin_reward WHERE status = '有效'
		AND decision_date < current_date - interval '37 months' ORDER BY id LIMIT 1`).Scan(&oldID); err != nil {
		t.Fatalf("world changed: no reward past three years: %v", err)
	}
	reward := gid.Record(credit.Ref{Source: "market", Kind: credit.KindReward, LocalID: id})
	old := gid.Record(credit.Ref{Source: "market", Kind: credit.KindReward, LocalID: oldID})
	const nodeQ = `query($id: ID!) { node(id: $id) { ... on AdministrativeReward { status } } }`
	status := func(id string, who map[string]string) any {
		t.Helper()
		return apptest.Get(h.Do(t, nodeQ, map[string]any{"id": id}, who).Data, "node", "status")
	}
	dept := apptest.Department(t)
	if status(reward, dept) != "EFFECTIVE" || status(reward, nil) != "EFFECTIVE" || status(old, dept) != "EXPIRED" {
		t.Fatalf("before: %v %v %v", status(reward, dept), status(reward, nil), status(old, dept))
	}
	change := func(in map[string]any) map[string]any {
		t.Helper()
		in["effectiveFrom"], in["reason"] = wfDays(0), "守信激励依据期限调整"
		return h.ok(t, office, `mutation($in: RecordKindChangeInput!, $k: String!) {
			changeRecordKind(kind: ADMINISTRATIVE_REWARD, input: $in, idempotencyKey: $k) { publicationMonths legalBasis } }`,
			map[string]any{"in": in, "k": h.key()})
	}
	if d := change(map[string]any{"publicationMonths": 1}); apptest.Get(d, "changeRecordKind", "publicationMonths") != float64(1) {
		t.Errorf("the change: %v", d)
	}
	if status(reward, dept) != "EXPIRED" || status(reward, nil) != nil {
		t.Errorf("a reward past a one-month period: %v to departments, %v to the public", status(reward, dept), status(reward, nil))
	}
	for _, m := range apptest.Get(h.QueryAs(t, dept, checkQuery, map[string]any{"u": uscc, "s": "STATE_FUNDING"}), "creditCheck", "measures").([]any) {
		for _, tr := range apptest.Get(m, "triggers").([]any) {
			if apptest.Get(tr, "recordId") == reward {
				t.Errorf("a reward out of force still triggers %v", apptest.Get(m, "measure", "code"))
			}
		}
	}
	// Another field changes: the period stays.
	if d := change(map[string]any{"legalBasis": "国发〔2016〕33号；《若干措施》第四条第（二）项"}); apptest.Get(d, "changeRecordKind", "publicationMonths") != float64(1) {
		t.Errorf("a change of the legal basis dropped the period: %v", d)
	}
	// No period of its own: every reward in force again.
	if d := change(map[string]any{"publicationMonths": 0}); apptest.Get(d, "changeRecordKind", "publicationMonths") != nil {
		t.Errorf("the change: %v", d)
	}
	if status(reward, dept) != "EFFECTIVE" || status(old, dept) != "EFFECTIVE" {
		t.Errorf("without a period: %v, %v", status(reward, dept), status(old, dept))
	}
	hist := apptest.Get(h.Query(t, `{ recordKindHistory(kind: ADMINISTRATIVE_REWARD) { publicationMonths } }`, nil), "recordKindHistory")
	if fmt.Sprint(hist) != "[map[publicationMonths:1] map[publicationMonths:1] map[publicationMonths:<nil>]]" {
		t.Errorf("history: %v", hist)
	}
	for name, tc := range map[string]struct {
		kind, code, field string
		in                map[string]any
	}{
		"a period of more than ten years": {"ADMINISTRATIVE_REWARD", "BAD_USER_INPUT", "input.publicationMonths", map[string]any{"publicationMonths": 121}},
		"a negative period":               {"ADMINISTRATIVE_LEVY", "BAD_USER_INPUT", "input.publicationMonths", map[string]any{"publicationMonths": -1}},
		"a person's rewards opened":       {"ADMINISTRATIVE_REWARD", "ABOVE_OPENNESS_CEILING", "input.personPublicity", map[string]any{"personPublicity": "PUBLIC"}},
		"a person's compensation shared":  {"ADMINISTRATIVE_COMPENSATION", "ABOVE_OPENNESS_CEILING", "input.personPublicity", map[string]any{"personPublicity": "SHARED"}},
	} {
		in := map[string]any{"effectiveFrom": wfDays(0), "reason": "测试拒绝的变更"}
		for k, v := range tc.in {
			in[k] = v
		}
		e := h.refused(t, tc.code, office, gqlChangeKind, map[string]any{"kind": tc.kind, "in": in, "k": h.key()})
		if e.Extensions["field"] != tc.field {
			t.Errorf("%s: %v", name, e)
		}
	}
}

// A check in a scenario whose rewards rest on a grade computes the grade
// of every entity asked from the records it reads anyway and their
// fulfilled commitments: one statement more on the hub for the whole
// batch, not one per entity; the other scenarios pay nothing.
func TestGradedRewardsCostOneStatementPerBatch(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	var usccs []string
	for _, e := range h.World.Entities[:50] {
		usccs = append(usccs, e.USCC)
	}
	// The hub's own records are one statement for the batch (as a
	// department's); the grades the rewards rest on one more.
	for sc, hub := range map[string]int{"ADMINISTRATIVE_APPROVAL": 3, "BIDDING": 2} {
		r := h.Do(t, checksQuery, map[string]any{"u": usccs, "s": sc}, apptest.Department(t))
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %s", sc, r.Body)
		}
		want := map[string]int{"market": 2, "environment": 1, "fire": 1, "housing": 1, "court": 1, "hub": hub}
		if got := r.Statements(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: 50 checks cost %v, want %v", sc, got, want)
		}
	}
}
