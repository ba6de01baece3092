package resolvers_test

import (
	"fmt"
	"net/http"
	"testing"

	"credithub/internal/app/apptest"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
)

// sourcesCountQuery is a page of an entity's records with where each is held (its
// id), and every source's count.
const sourcesCountQuery = `query($u: ID!, $after: String) { entity(uscc: $u) {
  records(first: 100, after: $after) { complete edges { node { id kind source { code } } } pageInfo { hasNextPage endCursor } }
  sources { department { code name } ok recordCount }
} }`

// holderOf is the source that holds the record with global ID id: a
// department, or the hub for the records it holds itself.
func holderOf(t *testing.T, id string) string {
	t.Helper()
	typ, payload, err := gid.Decode(id)
	if err != nil || typ != gid.TypeRecord {
		t.Fatalf("record id %q: %v", id, err)
	}
	ref, err := gid.ParseRecord(payload)
	if err != nil {
		t.Fatal(err)
	}
	return ref.Source
}

// Issue #16: `sources` counts every record the list shows. The records the
// hub holds itself (listings, interviews, breaches, self-declarations,
// inspection results, findings) are listed under the department that
// decided them and counted under the hub, the source that holds them: for
// entities that hold each kind, the counts add up to the whole list, each
// source's count is the number of records it holds in the list, and the
// hub's is every row it holds on the entity.
func TestSourcesCountEveryRecordListed(t *testing.T) {
	t.Parallel()
	// A hub of its own: a write of another test between the count and the
	// list would make them differ for a reason that is not this one.
	h := apptest.Start(t, apptest.Options{})
	held := map[string]int{}
	var picked []string
	for _, r := range rowsOf(t, h, "hub", `SELECT DISTINCT ON (kind) kind, subject_uscc FROM hub_record
		WHERE subject_uscc <> '' ORDER BY kind, subject_uscc`) {
		picked = append(picked, str(r[1]))
	}
	for _, r := range rowsOf(t, h, "hub", `SELECT subject_uscc FROM hub_record WHERE subject_uscc <> ''
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`) {
		picked = append(picked, str(r[0]))
	}
	if len(picked) < 5 {
		t.Fatalf("the seed holds too few kinds of hub records on entities: %v", picked)
	}
	for _, r := range rowsOf(t, h, "hub", `SELECT subject_uscc, count(*) FROM hub_record WHERE subject_uscc <> '' GROUP BY 1`) {
		n, _ := r[1].(int64)
		held[str(r[0])] = int(n)
	}
	dept := apptest.Department(t)
	for _, uscc := range picked {
		t.Run(uscc, func(t *testing.T) {
			listed := map[string]int{}
			total := 0
			var counts map[string]int
			var after any
			for page := 0; ; page++ {
				data := h.QueryAs(t, dept, sourcesCountQuery, map[string]any{"u": uscc, "after": after})
				conn := apptest.Get(data, "entity", "records")
				if apptest.Get(conn, "complete") != true {
					t.Fatalf("records incomplete: %v", conn)
				}
				for _, e := range apptest.Get(conn, "edges").([]any) {
					listed[holderOf(t, apptest.Get(e, "node", "id").(string))]++
					total++
				}
				if counts == nil {
					counts = map[string]int{}
					for _, s := range apptest.Get(data, "entity", "sources").([]any) {
						code := apptest.Get(s, "department", "code").(string)
						if apptest.Get(s, "ok") != true {
							t.Fatalf("source %s did not answer", code)
						}
						if code == hubdb.Source && apptest.Get(s, "department", "name") != hubdb.Office.Name {
							t.Errorf("the hub's source is named %v, want %s", apptest.Get(s, "department", "name"), hubdb.Office.Name)
						}
						counts[code] = int(apptest.Get(s, "recordCount").(float64))
					}
				}
				if apptest.Get(conn, "pageInfo", "hasNextPage") != true {
					break
				}
				if page > 20 {
					t.Fatalf("more than 2,000 records")
				}
				after = apptest.Get(conn, "pageInfo", "endCursor")
			}
			sum := 0
			for _, n := range counts {
				sum += n
			}
			if sum != total {
				t.Errorf("the sources' counts add up to %d, the list holds %d (counts %v, listed %v)", sum, total, counts, listed)
			}
			if fmt.Sprint(counts) != fmt.Sprint(withZeros(listed, counts)) {
				t.Errorf("counts %v, records listed per source %v", counts, listed)
			}
			if counts[hubdb.Source] != held[uscc] || held[uscc] == 0 {
				t.Errorf("the hub's count is %d, it holds %d rows on the entity", counts[hubdb.Source], held[uscc])
			}
		})
	}
}

// withZeros is listed with a 0 for every source of counts it lacks.
func withZeros(listed, counts map[string]int) map[string]int {
	out := map[string]int{}
	for k := range counts {
		out[k] = 0
	}
	for k, n := range listed {
		out[k] = n
	}
	return out
}

// SECURITY: the hub's count is shared data like a department's: the public
// sees that the hub answered, not how many records it holds, through an
// alias and a fragment as through the field.
func TestHeldRecordCountIsNotPublic(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	rows := rowsOf(t, h, "hub", `SELECT subject_uscc FROM hub_record WHERE subject_uscc <> '' AND kind = 'KEY_ATTENTION' LIMIT 1`)
	if len(rows) == 0 {
		t.Fatal("the seed holds no key-attention record on an entity")
	}
	uscc := str(rows[0][0])
	for name, q := range map[string]string{
		"field":    `query($u: ID!) { entity(uscc: $u) { sources { department { code } ok recordCount } } }`,
		"alias":    `query($u: ID!) { entity(uscc: $u) { s: sources { department { code } ok n: recordCount } } }`,
		"fragment": `query($u: ID!) { entity(uscc: $u) { sources { ...C } } } fragment C on SourceStatus { department { code } ok recordCount }`,
	} {
		t.Run(name, func(t *testing.T) {
			r := h.Do(t, q, map[string]any{"u": uscc}, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			key := "sources"
			if name == "alias" {
				key = "s"
			}
			sawHub := false
			for _, s := range apptest.Get(r.Data, "entity", key).([]any) {
				if apptest.Get(s, "department", "code") == hubdb.Source {
					sawHub = true
					if apptest.Get(s, "ok") != true {
						t.Errorf("the hub's source did not answer: %s", r.Body)
					}
				}
				for _, f := range []string{"recordCount", "n"} {
					if n := apptest.Get(s, f); n != nil {
						t.Errorf("the public read a count (%s = %v): %s", f, n, r.Body)
					}
				}
			}
			if !sawHub {
				t.Errorf("no source for the hub: %s", r.Body)
			}
			forbidden := 0
			for _, e := range r.Errors {
				if e.Code() != "FORBIDDEN" {
					t.Errorf("error %+v, want FORBIDDEN", e)
				}
				forbidden++
			}
			if forbidden != 6 {
				t.Errorf("%d FORBIDDEN errors, want one per source (6): %s", forbidden, r.Body)
			}
		})
	}
}
