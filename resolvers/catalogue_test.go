package resolvers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/hubdb"
)

const gqlChangeKind = `mutation($kind: RecordKind!, $in: RecordKindChangeInput!, $k: String!) {
  changeRecordKind(kind: $kind, input: $in, idempotencyKey: $k) { id kind entityPublicity personPublicity effectiveFrom reason changedBy sources { code } } }`

// The credit office manages the information catalogue (T8): a change takes
// effect from its day on every instance without a restart, keeps its
// history, and can never open a kind beyond the schema's marking or a
// person's records beyond the law.
func TestCatalogueIsManagedData(t *testing.T) {
	t.Parallel()
	h := startWF(t)
	ctx := context.Background()
	office := apptest.As(t, auth.KindAdmin, "credit-office", "", auth.ScopeCatalogueWrite)
	other := h.Variant(t, nil) // a second instance over the same databases

	// An entity with handled complaints, which the public sees (T10).
	var uscc string
	if err := h.DBs["market"].GetContext(ctx, &uscc, `SELECT uscc FROM complaint_12315 WHERE state = '已办结' ORDER BY uscc LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	const q = `query($u: ID!) { entity(uscc: $u) { records(first: 50, filter: {kinds: [COMPLAINT]}) { edges { node { id } } } } }`
	publicComplaints := func(hub *apptest.Hub) int {
		t.Helper()
		return len(apptest.Get(hub.Query(t, q, map[string]any{"u": uscc}), "entity", "records", "edges").([]any))
	}
	if publicComplaints(h.Hub) == 0 || publicComplaints(other) == 0 {
		t.Fatal("the public sees no handled complaint before the change")
	}
	changes := func() int { return h.count(t, `SELECT count(*) FROM catalogue_change`) }

	// Closing complaints to departments from today.
	today := wfDays(0)
	d := h.ok(t, office, gqlChangeKind, map[string]any{"kind": "COMPLAINT", "k": h.key(),
		"in": map[string]any{"entityPublicity": "SHARED", "periodApplies": false, "effectiveFrom": today, "reason": "投诉公示规则修订期间暂停公示"}})
	if apptest.Get(d, "changeRecordKind", "entityPublicity") != "SHARED" || apptest.Get(d, "changeRecordKind", "personPublicity") != "PERSONAL" ||
		!strings.HasPrefix(apptest.Get(d, "changeRecordKind", "changedBy").(string), "credit-office:") ||
		apptest.Get(d, "changeRecordKind", "reason") != "投诉公示规则修订期间暂停公示" {
		t.Errorf("the change: %v", d)
	}
	if n := publicComplaints(h.Hub); n != 0 {
		t.Errorf("the instance that made the change still shows the public %d complaints", n)
	}
	// The other instance, until its refresh turn, still has the old
	// catalogue; after it, without a restart, the new one.
	if _, err := other.Catalogue.Refresh(ctx, hubdb.New(other.DBs["hub"].DB).Catalogues(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := publicComplaints(other); n != 0 {
		t.Errorf("the other instance, refreshed, still shows the public %d complaints", n)
	}
	kinds := apptest.Get(other.Query(t, `{ recordKinds { kind publicity periodApplies } }`, nil), "recordKinds").([]any)
	for _, k := range kinds {
		if apptest.Get(k, "kind") == "COMPLAINT" && (apptest.Get(k, "publicity") != "SHARED" || apptest.Get(k, "periodApplies") != false) {
			t.Errorf("the other instance's catalogue: %v", k)
		}
	}
	// A change from tomorrow is history now and the catalogue tomorrow.
	h.ok(t, office, gqlChangeKind, map[string]any{"kind": "COMPLAINT", "k": h.key(),
		"in": map[string]any{"entityPublicity": "PUBLIC", "effectiveFrom": wfDays(1), "reason": "修订完成，恢复公示"}})
	if n := publicComplaints(h.Hub); n != 0 {
		t.Errorf("a change effective tomorrow applies today: %d complaints public", n)
	}
	hist := apptest.Get(h.Query(t, `{ recordKindHistory(kind: COMPLAINT) { entityPublicity effectiveFrom reason } }`, nil), "recordKindHistory").([]any)
	if len(hist) != 2 || apptest.Get(hist[0], "effectiveFrom") != today || apptest.Get(hist[1], "entityPublicity") != "PUBLIC" {
		t.Errorf("history: %v", hist)
	}

	// Refusals: precise, and nothing written.
	before := changes()
	for name, tc := range map[string]struct {
		as    map[string]string
		kind  string
		in    map[string]any
		code  string
		field string
	}{
		"a shared kind opened to the public": {office, "ACCIDENT", map[string]any{"entityPublicity": "PUBLIC"}, "ABOVE_OPENNESS_CEILING", "input.entityPublicity"},
		"a personal kind opened":             {office, "PENALTY", map[string]any{"personPublicity": "PUBLIC"}, "ABOVE_OPENNESS_CEILING", "input.personPublicity"},
		"a personal kind shared":             {office, "LICENCE", map[string]any{"personPublicity": "SHARED"}, "ABOVE_OPENNESS_CEILING", "input.personPublicity"},
		"the past":                           {office, "PENALTY", map[string]any{"effectiveFrom": wfDays(-1)}, "BAD_USER_INPUT", "input.effectiveFrom"},
		"no reason":                          {office, "PENALTY", map[string]any{"reason": " "}, "BAD_USER_INPUT", "input.reason"},
		"an unknown department":              {office, "PENALTY", map[string]any{"sources": []string{"tax"}}, "BAD_USER_INPUT", "input.sources"},
		"a department holding the scope":     {h.dept("market", auth.ScopeCatalogueWrite), "PENALTY", nil, "FORBIDDEN", ""},
		"the credit office without it":       {apptest.As(t, auth.KindAdmin, "credit-office", "", auth.ScopeEntityRead, auth.ScopeRecordRead), "PENALTY", nil, "FORBIDDEN", ""},
		"the public":                         {nil, "PENALTY", nil, "FORBIDDEN", ""},
	} {
		in := map[string]any{"entityPublicity": "PERSONAL", "effectiveFrom": today, "reason": "测试拒绝的变更"}
		for k, v := range tc.in {
			in[k] = v
		}
		e := h.refused(t, tc.code, tc.as, gqlChangeKind, map[string]any{"kind": tc.kind, "in": in, "k": h.key()})
		if tc.field != "" && e.Extensions["field"] != tc.field {
			t.Errorf("%s: %v", name, e)
		}
	}
	if n := changes(); n != before {
		t.Errorf("refused changes wrote %d rows", n-before)
	}
}
