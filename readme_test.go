package credithub_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"credithub/auth"
	"credithub/graph"
	"credithub/internal/app"
	"credithub/internal/app/apptest"
	"credithub/internal/scalars"
	"credithub/internal/server"
)

// The README's GraphQL examples are run, in order, against a freshly seeded
// hub, so that what the README shows is what the hub does. A block's
// leading comment lines say how to run it:
//
//	# as: department market list:write entity:read   (kind, org, scopes; none: the public; $name as below)
//	# as: person 231102196511254029                  (a person signed in as themselves: the ID number, sealed
//	                                                  into org with the hub's key; scopes default to auth.PersonScopes)
//	# purpose: LAW_ENFORCEMENT
//	# variables: {"id": "$entry"}                     ("$name": a value kept earlier)
//	# keep: entry = enterListing.id                   (a path into data)
//	# expect: enterListing.state = LISTED             (a path and its value, as JSON or a bare word)
//	# errors: FORBIDDEN                               (the codes the answer may carry)
//	# skip: why                                       (not run: a subscription, say)
type example struct {
	line                     int
	query, as, purpose, vars string
	keep, expect             [][2]string
	errors                   []string
	skip                     string
}

func readmeExamples(t *testing.T) []example {
	f, err := os.Open("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []example
	var cur *example
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```graphql":
			cur = &example{line: n}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.query += line + "\n"
			d, ok := strings.CutPrefix(strings.TrimSpace(line), "# ")
			if !ok {
				continue
			}
			key, val, ok := strings.Cut(d, ": ")
			if !ok {
				continue
			}
			pair := func() [2]string {
				a, b, _ := strings.Cut(val, " = ")
				return [2]string{strings.TrimSpace(a), strings.TrimSpace(b)}
			}
			switch key {
			case "as":
				cur.as = val
			case "purpose":
				cur.purpose = val
			case "variables":
				cur.vars = val
			case "keep":
				cur.keep = append(cur.keep, pair())
			case "expect":
				cur.expect = append(cur.expect, pair())
			case "errors":
				cur.errors = strings.Fields(val)
			case "skip":
				cur.skip = val
			}
		}
	}
	return out
}

func path(p string) []any {
	var out []any
	for _, s := range strings.Split(p, ".") {
		var i int
		if _, err := fmt.Sscanf(s, "%d", &i); err == nil && fmt.Sprint(i) == s {
			out = append(out, i)
		} else {
			out = append(out, s)
		}
	}
	return out
}

func TestREADMEExamples(t *testing.T) {
	examples := readmeExamples(t)
	if len(examples) < 10 {
		t.Fatalf("found %d GraphQL examples in README.md", len(examples))
	}
	h := apptest.Start(t, apptest.Options{})
	// Dates the examples need relative to the day they run: a deadline
	// must lie ahead, an interview is held today.
	today := scalars.DateOf(time.Now())
	kept := map[string]any{"today": today.String(), "in10days": scalars.DateOf(time.Now().AddDate(0, 0, 10)).String()}
	for _, ex := range examples {
		name := fmt.Sprintf("README.md:%d", ex.line)
		if ex.skip != "" {
			continue
		}
		var headers map[string]string
		as := ex.as
		names := slices.Collect(maps.Keys(kept))
		slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) }) // $pushDepartment before $push
		for _, k := range names {
			as = strings.ReplaceAll(as, "$"+k, fmt.Sprint(kept[k]))
		}
		if f := strings.Fields(as); len(f) >= 2 && auth.Kind(f[0]) == auth.KindPerson {
			headers = h.AsPerson(t, f[1], ex.purpose, f[2:]...)
		} else if len(f) >= 2 {
			headers = apptest.As(t, auth.Kind(f[0]), f[1], ex.purpose, f[2:]...)
		}
		vars := map[string]any{}
		if ex.vars != "" {
			s := ex.vars
			for k, v := range kept {
				b, _ := json.Marshal(v)
				s = strings.ReplaceAll(s, `"$`+k+`"`, string(b))
			}
			if err := json.Unmarshal([]byte(s), &vars); err != nil {
				t.Fatalf("%s: variables: %v", name, err)
			}
		}
		r := h.Do(t, ex.query, vars, headers)
		seen := map[string]bool{}
		for _, e := range r.Errors {
			seen[e.Code()] = true
			if !slices.Contains(ex.errors, e.Code()) {
				t.Fatalf("%s: error %s: %s\n%.1000s", name, e.Code(), e.Message, r.Body)
			}
		}
		for _, c := range ex.errors {
			if !seen[c] {
				t.Fatalf("%s: the README says the answer carries %s: %.1000s", name, c, r.Body)
			}
		}
		if r.Data == nil && len(ex.errors) == 0 {
			t.Fatalf("%s: no data: %s", name, r.Body)
		}
		for _, k := range ex.keep {
			v := apptest.Get(r.Data, path(k[1])...)
			if v == nil {
				t.Fatalf("%s: nothing at %s to keep: %.600s", name, k[1], r.Body)
			}
			kept[k[0]] = v
		}
		for _, e := range ex.expect {
			var want any = e[1]
			if err := json.Unmarshal([]byte(e[1]), &want); err != nil {
				want = e[1]
			}
			if got := apptest.Get(r.Data, path(e[0])...); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %s = %v, the README says %v", name, e[0], got, want)
			}
		}
	}
}

// The README's table of background runners is the hub's list of them
// (internal/app/runners.go), with the default settings: a runner added,
// renamed or retimed without the README saying so fails here.
func TestREADMERunners(t *testing.T) {
	cfg, err := app.FromEnv(func(k string) string {
		if k == "CREDITHUB_DEV" {
			return "true"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &app.App{Config: cfg, RateLimiter: &server.RateLimiter{}}
	var want []string
	for _, r := range a.Runners() {
		want = append(want, fmt.Sprintf("| %s | %s | %s |", r.Name, shortDuration(r.Every), r.Several))
	}
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "| runner | every | with several instances |\n| --- | --- | --- |\n")
	if !ok {
		t.Fatal("README.md has no table of runners")
	}
	var got []string
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		got = append(got, line)
	}
	if !slices.Equal(got, want) {
		t.Errorf("README's runners:\n%s\nthe hub's (internal/app/runners.go):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// shortDuration writes 1h, 5m, 1m30s, 30s.
func shortDuration(d time.Duration) string {
	var b strings.Builder
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.d
		}
	}
	return b.String()
}

// The README's access table lists every mutation with the scope its
// @write names, and nothing else: a mutation added, removed or rescoped
// without the README saying so fails here.
func TestREADMEMutationScopes(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	var want []string
	for _, f := range schema.Mutation.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		scope := "(none)"
		if d := f.Directives.ForName(auth.WriteDirectiveName); d != nil && d.Arguments.ForName("scope") != nil {
			scope = d.Arguments.ForName("scope").Value.Raw
		}
		want = append(want, fmt.Sprintf("%s %s", f.Name, scope))
	}
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "| mutation | scope | who |\n| --- | --- | --- |\n")
	if !ok {
		t.Fatal("README.md has no table of mutations and their scopes")
	}
	var got []string
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 3 {
			t.Fatalf("README's mutation table: %q is not | mutation | scope | who |", line)
		}
		got = append(got, strings.Trim(cells[0], "`")+" "+strings.Trim(cells[1], "`"))
	}
	slices.Sort(got)
	slices.Sort(want)
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("README lists %q; the schema has no such mutation with that @write scope", g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("the schema's mutation %q is missing from the README's table", w)
		}
	}
}
