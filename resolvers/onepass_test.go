package resolvers_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"credithub/auth"
	"credithub/dev/world"
	"credithub/internal/app/apptest"
)

// The full selection of a page: every field the one pass writes, with
// __typename at every level.
const onePassFull = `__typename complete missingSources { __typename code name }
	pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
	edges { __typename cursor node { __typename id kind source { __typename code name } decisionNo decisionDate
		summary publicity status severity authority legacyKey
		disclosure { __typename dueDate publishedDate onTime overdue workingDaysLate } } }`

// A page of records written in one pass (internal/hotlist) is the page
// gqlgen writes, byte for byte, with the same errors, for every kind of
// caller, every record kind in the seed's showcase entities and their
// legal representatives, and the selections a client can make: aliases,
// named and inline fragments on the interface, @include and @skip, a
// concrete type's own field (which the one pass leaves to gqlgen), pages
// nested in a list of entities, the city-wide stream, a person's
// records. And the one pass does take the pages it can: the instance's
// credithub_record_pages_total says which way each page went.
func TestOnePassWritesWhatGqlgenWrites(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	on := h.Variant(t, map[string]string{"CREDITHUB_ONE_PASS": "true"})
	off := h.Variant(t, map[string]string{"CREDITHUB_ONE_PASS": "false"})
	pages := func() (onePass, gqlgen float64) {
		return counted(t, on.Metrics.RecordPages.WithLabelValues("one_pass")),
			counted(t, on.Metrics.RecordPages.WithLabelValues("gqlgen"))
	}

	showcase := h.World.Entities[:world.ShowcaseCount]
	callers := onePassCallers(t, h)
	records := callers["a department with record:read"]
	queries := map[string]string{
		"every field": `query($u: ID!) { entity(uscc: $u) { records(first: 100) { ` + onePassFull + ` } } }`,
		"aliases, fragments and directives": `query($u: ID!, $yes: Boolean = true) { entity(uscc: $u) {
			a: records(first: 7) { ...Page }
			b: records(first: 3, filter: {publicity: [PUBLIC]}) { edges { n: node {
				... on Node { id } ... on CreditRecord { k: kind s: summary @include(if: $yes) d: decisionDate @skip(if: $yes) }
				...Rec } } }
			c: records(first: 2) @skip(if: $yes) { edges { cursor } } } }
			fragment Page on CreditRecordConnection { pageInfo { endCursor } p: pageInfo { hasNextPage } edges { cursor c2: cursor node { id ...Rec } } }
			fragment Rec on CreditRecord { publicity status source { code } source { name } }`,
		"a concrete type's field": `query($u: ID!) { entity(uscc: $u) { records(first: 50) { edges { node { id
			... on AdministrativePenalty { violation fineAmount } } } } } }`,
		"the legal representative's": `query($u: ID!) { entity(uscc: $u) { legalRepresentative { records(first: 50) { ` + onePassFull + ` } } } }`,
		"pages in a list of entities": `query { entities(first: 20) { edges { node { uscc
			records(first: 5) { edges { node { __typename id kind source { code } decisionDate summary } } } } } } }`,
		"the city-wide stream": `{ records(first: 50) { ` + onePassFull + ` } }`,
	}
	for _, e := range showcase {
		for who, headers := range callers {
			for name, q := range queries {
				vars := map[string]any{"u": e.USCC}
				a, b := on.Do(t, q, vars, headers), off.Do(t, q, vars, headers)
				if a.Status != b.Status || !bytes.Equal(rawField(t, a.Body, "data"), rawField(t, b.Body, "data")) ||
					!slices.Equal(errorSet(t, a.Body), errorSet(t, b.Body)) {
					t.Fatalf("%s, %s, entity %s: one pass (%d)\n%s\ngqlgen (%d)\n%s", who, name, e.USCC, a.Status, a.Body, b.Status, b.Body)
				}
			}
		}
	}

	// Which way the pages went, for a department that reads records.
	for _, c := range []struct {
		query           string
		onePass, gqlgen float64
		vars            map[string]any
		headers         map[string]string
		why             string
	}{
		{queries["every field"], 1, 0, map[string]any{"u": showcase[0].USCC}, records, "every field is the interface's"},
		{queries["aliases, fragments and directives"], 2, 0, map[string]any{"u": showcase[0].USCC}, records, "the skipped page is not resolved"},
		{queries["pages in a list of entities"], 20, 0, nil, records, "a page per entity"},
		{queries["a concrete type's field"], 0, 1, map[string]any{"u": showcase[0].USCC}, records, "violation is AdministrativePenalty's own"},
		{queries["every field"], 1, 0, map[string]any{"u": showcase[0].USCC}, nil, "the public reads public records"},
	} {
		o1, g1 := pages()
		if r := on.Do(t, c.query, c.vars, c.headers); len(r.Errors) > 0 {
			t.Fatalf("%s: %s", c.why, r.Body)
		}
		o2, g2 := pages()
		if o2-o1 != c.onePass || g2-g1 != c.gqlgen {
			t.Errorf("%s: %v pages in one pass and %v by gqlgen, want %v and %v", c.why, o2-o1, g2-g1, c.onePass, c.gqlgen)
		}
	}
	// A person's records are personal: each field is noted for the query
	// log, which only the field middleware does, so gqlgen writes them.
	o1, g1 := pages()
	r := on.Do(t, `query($id: String!) { person(idNumber: $id) { records(first: 20) { edges { node { id summary } } } } }`,
		map[string]any{"id": showcase[0].LegalRep.IDNo}, callers["a department with every read scope"])
	if len(r.Errors) > 0 {
		t.Fatalf("a person's records: %s", r.Body)
	}
	if o2, g2 := pages(); o2 != o1 || g2-g1 != 1 {
		t.Errorf("a person's records: %v pages in one pass and %v by gqlgen, want 0 and 1", o2-o1, g2-g1)
	}
}

// onePassCallers are the kinds of caller the one pass is compared for,
// each with its headers: the public, departments with each read scope,
// the entity itself and another, an agency, the credit office, a person,
// a public service, a bad token.
func onePassCallers(t *testing.T, h *apptest.Hub) map[string]map[string]string {
	t.Helper()
	const purpose = "LAW_ENFORCEMENT"
	showcase := h.World.Entities[:world.ShowcaseCount]
	return map[string]map[string]string{
		"the public":                    nil,
		"a department with entity:read": apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead),
		"a department with record:read": apptest.As(t, auth.KindDepartment, "market", "", auth.ScopeEntityRead, auth.ScopeRecordRead),
		"a department with every read scope": apptest.As(t, auth.KindDepartment, "market", purpose,
			auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopePersonRead),
		"the entity itself":  apptest.As(t, auth.KindEntity, showcase[0].USCC, "", auth.EntitySelfScopes...),
		"another entity":     apptest.As(t, auth.KindEntity, showcase[1].USCC, "", auth.EntitySelfScopes...),
		"an agency":          apptest.As(t, auth.KindAgency, "agency-001", "", auth.ScopeEntityRead, auth.ScopeReportIssue),
		"the credit office":  apptest.As(t, auth.KindAdmin, "credit-office", "", auth.Scopes...),
		"the person":         h.AsPerson(t, showcase[0].LegalRep.IDNo, ""),
		"a public service":   apptest.As(t, auth.KindPublicService, "portal", "", auth.ScopeEntityRead),
		"an expired session": {"Authorization": "Bearer not-a-token"},
	}
}

// errorSet is a response's errors, each as JSON, sorted: gqlgen resolves a
// list's elements concurrently, so its errors come in any order.
func errorSet(t *testing.T, body []byte) []string {
	t.Helper()
	var errs []json.RawMessage
	if raw := rawField(t, body, "errors"); raw != nil {
		if err := json.Unmarshal(raw, &errs); err != nil {
			t.Fatalf("errors not a list: %s", raw)
		}
	}
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = string(e)
	}
	slices.Sort(out)
	return out
}

// rawField is one top-level member of a GraphQL response, as it was sent.
func rawField(t *testing.T, body []byte, name string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	return m[name]
}

func counted(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// BenchmarkRecordPages is S2 (a page of 100 entities with their newest 5
// records, as a department reads it) on two instances of one hub, gqlgen
// writing every page and the one pass writing them. Its allocations per
// answer do not depend on how busy the machine is:
//
//	go test -run '^$' -bench RecordPages -benchmem ./resolvers
func BenchmarkRecordPages(b *testing.B) {
	h := apptest.Shared(b, apptest.Options{})
	const s2 = `query { entities(first: 100) { edges { node { uscc name
		records(first: 5) { edges { node { __typename id kind source { code } decisionDate summary } } } } }
		pageInfo { endCursor hasNextPage } } }`
	who := apptest.As(b, auth.KindDepartment, "market", "", auth.ScopeEntityRead, auth.ScopeRecordRead)
	for _, c := range []struct{ name, onePass string }{{"gqlgen", "false"}, {"one-pass", "true"}} {
		hub := h.Variant(b, map[string]string{"CREDITHUB_ONE_PASS": c.onePass})
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if r := hub.Do(b, s2, nil, who); len(r.Errors) > 0 {
					b.Fatal(string(r.Body))
				}
			}
		})
	}
}

// A page of market entities written in one pass is the page gqlgen
// writes, byte for byte, with the same errors and the same statements,
// for every kind of caller and the selections a list of entities makes:
// every field the one pass writes, a filtered search, aliases, fragments
// on the entity and on Node, @include and @skip. A page whose entities
// ask for anything else (a legal representative's ID number, which is
// personal; the entities' records; their responsible persons) is
// gqlgen's, whole; credithub_entity_pages_total says which way each went.
func TestOnePassWritesEntityPagesAsGqlgen(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	on := h.Variant(t, map[string]string{"CREDITHUB_ONE_PASS": "true"})
	off := h.Variant(t, map[string]string{"CREDITHUB_ONE_PASS": "false"})
	pages := func() (onePass, gqlgen float64) {
		return counted(t, on.Metrics.EntityPages.WithLabelValues("one_pass")),
			counted(t, on.Metrics.EntityPages.WithLabelValues("gqlgen"))
	}
	callers := onePassCallers(t, h)
	term := string([]rune(h.World.Entities[0].Name)[:2])
	queries := map[string]string{
		"every field": `{ entities(first: 30) { __typename totalCount totalCountIsExact
			pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
			edges { __typename cursor node { __typename id uscc legacyCode organizationCode registrationNumber name
				kind status division { __typename code name pilot } registeredAt registeredCapital address industry
				legalRepresentative { __typename id name } } } } }`,
		"a search": `query($term: String) { entities(first: 10, filter: {nameContains: $term, status: ACTIVE}) {
			totalCount edges { node { uscc name legalRepresentative { name } } } pageInfo { hasNextPage endCursor } } }`,
		"aliases, fragments and directives": `query($yes: Boolean = true) {
			a: entities(first: 7) { ...Page }
			b: entities(first: 3) { edges { n: node { ... on Node { id } ... on MarketEntity { u: uscc nm: name @include(if: $yes) st: status @skip(if: $yes) } ...Ent } } }
			c: entities(first: 2) @skip(if: $yes) { edges { cursor } } }
			fragment Page on MarketEntityConnection { pageInfo { endCursor } p: pageInfo { hasNextPage } edges { cursor c2: cursor node { id ...Ent } } }
			fragment Ent on MarketEntity { legalRepresentative { name } lr: legalRepresentative { id n: name } division { code } d2: division { name } }`,
		"a legal representative's ID number": `{ entities(first: 10) { edges { node { uscc legalRepresentative { name idNumber mobile } } } } }`,
		"the entities' records":              `{ entities(first: 10) { edges { node { uscc records(first: 3) { edges { node { id summary } } } } } } }`,
		"responsible persons":                `{ entities(first: 10) { edges { node { uscc responsiblePersons { role person { name } } } } } }`,
	}
	timed := map[string]bool{"aliases, fragments and directives": true, "the entities' records": true}
	vars := map[string]any{"term": term}
	for who, headers := range callers {
		for name, q := range queries {
			a, b := on.Do(t, q, vars, headers), off.Do(t, q, vars, headers)
			if a.Status != b.Status || !bytes.Equal(rawField(t, a.Body, "data"), rawField(t, b.Body, "data")) ||
				!slices.Equal(errorSet(t, a.Body), errorSet(t, b.Body)) {
				t.Fatalf("%s, %s: one pass (%d)\n%s\ngqlgen (%d)\n%s", who, name, a.Status, a.Body, b.Status, b.Body)
			}
			// Statements are compared where they do not depend on timing:
			// two pages of one request (the aliases) share the request's
			// loaders in whichever order they run, and records a caller
			// may not see make their page read on through the loaders'
			// wait window, batched as the goroutines happen to meet it
			// (on either path).
			if sa, sb := a.Statements(), b.Statements(); !timed[name] && !maps.Equal(sa, sb) {
				t.Errorf("%s, %s: one pass sent %v statements, gqlgen %v", who, name, sa, sb)
			}
		}
	}

	department := callers["a department with entity:read"]
	for _, c := range []struct {
		query           string
		headers         map[string]string
		onePass, gqlgen float64
		why             string
	}{
		{queries["every field"], department, 1, 0, "every field is the registry's or the representative's public one"},
		{queries["every field"], nil, 1, 0, "the public reads the same fields"},
		{queries["a search"], nil, 1, 0, "a search's page"},
		{queries["aliases, fragments and directives"], department, 2, 0, "the skipped page is not resolved"},
		{queries["a legal representative's ID number"], callers["a department with every read scope"], 0, 1, "an ID number is personal: logged by the middleware"},
		{queries["a legal representative's ID number"], department, 0, 1, "and masked, with an error, without person:read"},
		{queries["the entities' records"], department, 0, 1, "records is a resolver's"},
		{queries["responsible persons"], department, 0, 1, "so is responsiblePersons"},
	} {
		o1, g1 := pages()
		if r := on.Do(t, c.query, vars, c.headers); r.Status != 200 || len(r.Data) == 0 {
			t.Fatalf("%s: %s", c.why, r.Body)
		}
		o2, g2 := pages()
		if o2-o1 != c.onePass || g2-g1 != c.gqlgen {
			t.Errorf("%s: %v pages in one pass and %v by gqlgen, want %v and %v", c.why, o2-o1, g2-g1, c.onePass, c.gqlgen)
		}
	}
}

// BenchmarkEntityPages is the page of 100 entities the PostGraphile
// side-by-side asks for (dev/bench/cmd/listbench), as a market department
// reads it, written by gqlgen and in one pass:
//
//	go test -run '^$' -bench EntityPages -benchmem ./resolvers
func BenchmarkEntityPages(b *testing.B) {
	h := apptest.Shared(b, apptest.Options{})
	const page = `query { entities(first: 100) {
		edges { node { uscc name registeredAt status industry legalRepresentative { name } } }
		pageInfo { hasNextPage endCursor } } }`
	who := apptest.As(b, auth.KindDepartment, "market", "", auth.ScopeEntityRead, auth.ScopeRecordRead)
	for _, c := range []struct{ name, onePass string }{{"gqlgen", "false"}, {"one-pass", "true"}} {
		hub := h.Variant(b, map[string]string{"CREDITHUB_ONE_PASS": c.onePass})
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if r := hub.Do(b, page, nil, who); len(r.Errors) > 0 {
					b.Fatal(string(r.Body))
				}
			}
		})
	}
}
