package resolvers_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/lib/pq"

	"credithub/internal/app/apptest"
)

// The measures catalogue, asked for every field, is what the measure table
// holds: a front end that shows when a check applies a measure must see
// the scenarios, record kinds and minimum severity, not empty lists.
// Before the one reader, measures answered [] [] null for these.
func TestMeasuresAnswerEveryColumn(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	var rows []struct {
		Code        string         `db:"code"`
		Name        string         `db:"name"`
		Kind        string         `db:"kind"`
		Department  string         `db:"department"`
		LegalBasis  string         `db:"legal_basis"`
		ListTypes   pq.StringArray `db:"list_types"`
		Scenarios   pq.StringArray `db:"scenarios"`
		RecordKinds pq.StringArray `db:"record_kinds"`
		MinSeverity *string        `db:"min_severity"`
	}
	// The table itself, read here without the hub's code: the answer is
	// compared with what is stored, not with the reader under test.
	if err := h.DBs["hub"].SelectContext(context.Background(), &rows, `SELECT code, name, kind, department, legal_basis,
		list_types, scenarios, record_kinds, min_severity FROM measure ORDER BY code`); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("the seeded measure table is empty")
	}
	data := h.Query(t, `{ measures { code name kind department { code } legalBasis listTypes scenarios recordKinds minSeverity } }`, nil)
	var got []struct {
		Code        string
		Name        string
		Kind        string
		Department  struct{ Code string }
		LegalBasis  string
		ListTypes   []string
		Scenarios   []string
		RecordKinds []string
		MinSeverity *string
	}
	b, _ := json.Marshal(data["measures"])
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("measures answered %d measures; the table has %d", len(got), len(rows))
	}
	withScenarios, withKinds, withSeverity := 0, 0, 0
	for i, r := range rows {
		g := got[i]
		if g.Code != r.Code || g.Name != r.Name || g.Kind != r.Kind || g.Department.Code != r.Department || g.LegalBasis != r.LegalBasis {
			t.Errorf("measure %d: answered %+v, stored %+v", i, g, r)
		}
		same := func(field string, a []string, b pq.StringArray) {
			if len(a) != len(b) {
				t.Errorf("%s %s: answered %v, stored %v", r.Code, field, a, []string(b))
				return
			}
			for j := range a {
				if a[j] != b[j] {
					t.Errorf("%s %s: answered %v, stored %v", r.Code, field, a, []string(b))
					return
				}
			}
		}
		same("listTypes", g.ListTypes, r.ListTypes)
		same("scenarios", g.Scenarios, r.Scenarios)
		same("recordKinds", g.RecordKinds, r.RecordKinds)
		if (g.MinSeverity == nil) != (r.MinSeverity == nil) || (g.MinSeverity != nil && *g.MinSeverity != *r.MinSeverity) {
			t.Errorf("%s minSeverity: answered %v, stored %v", r.Code, g.MinSeverity, r.MinSeverity)
		}
		if len(r.Scenarios) > 0 {
			withScenarios++
		}
		if len(r.RecordKinds) > 0 {
			withKinds++
		}
		if r.MinSeverity != nil {
			withSeverity++
		}
	}
	// The comparison means something only if the table has such values.
	if withScenarios == 0 || withKinds == 0 || withSeverity == 0 {
		t.Fatalf("the seeded catalogue should have measures with scenarios (%d), record kinds (%d) and a minimum severity (%d)",
			withScenarios, withKinds, withSeverity)
	}
}
