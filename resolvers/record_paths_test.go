package resolvers_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"credithub/auth"
	"credithub/internal/app/apptest"
	"credithub/internal/credit"
)

// seen is what a caller sees of one record on one path: nothing (absent,
// refused or null), or the record with its publicity.
type seen struct {
	visible   bool
	publicity string
}

func (s seen) String() string {
	if !s.visible {
		return "hidden"
	}
	return "visible " + s.publicity
}

// recordAt is a record and the paths it was found on by a caller who
// sees everything.
type recordAt struct {
	id, kind string
	uscc     string // an entity whose records list it
	repOf    string // an entity whose legal representative's records list it
	idNo     string // a person whose records list it (person(idNumber:))
	triggers string // an entity whose credit checks name it as a trigger
	workflow string // an entity whose objections, repairs or commitments name it
	// As the root caller's node(id) shows it: where the city-wide stream
	// finds it, whether it is overdue for publication (disclosureStats'
	// overdueRecords list it) and whether it is in force (credit reports
	// state only those).
	source, decided  string
	overdue, inForce bool
	// legacyShared: a shared record its department filed under an old
	// key only (an organisation code, a registration number).
	legacyShared bool
	legacy       bool // filed under an old key only
}

// SECURITY: one record, one marking. Each kind of record in the seed is
// reached by every path that leads to it — node(id), an entity's records,
// its legal representative's records, person(idNumber:)'s records, credit
// checks' triggers, the record of an objection, a repair or a commitment,
// the city-wide records stream (Query.records, filtered to the record's
// kind, department and decision day), disclosureStats' overdueRecords (for
// a record overdue for publication) and a credit report's records (for a
// record in force; reports state no others) — and each caller (the public;
// departments with entity:read, with entity:read and record:read, with
// person:read and a purpose, with all of these, each also holding
// report:issue; the entity itself) sees it on every path it can take
// alike: visible with the same publicity, or not at all. A court's consumption
// restriction against a company, which binds its legal representative,
// is the record that reads differently through the person.
func TestRecordOpennessIsTheSameOnEveryPath(t *testing.T) {
	t.Parallel()
	h := apptest.Shared(t, apptest.Options{})
	const purpose = "LAW_ENFORCEMENT"
	dept := func(purpose string, scopes ...string) map[string]string {
		// Each may issue credit reports: a report states the records its
		// caller may read, one more path to them.
		return apptest.As(t, auth.KindDepartment, "paths-dept", purpose, append(scopes, auth.ScopeReportIssue)...)
	}
	root := dept(purpose, auth.ScopeEntityRead, auth.ScopeRecordRead, auth.ScopePersonRead)
	callers := map[string]map[string]string{
		"the public":                         nil,
		"a department with entity:read":      dept("", auth.ScopeEntityRead),
		"a department with record:read":      dept("", auth.ScopeEntityRead, auth.ScopeRecordRead),
		"a department with person:read":      dept(purpose, auth.ScopePersonRead),
		"a department with every read scope": root,
	}

	const recFields = `edges { node { id kind publicity summary } }`
	// list runs a query whose answer holds records at path, and returns
	// what it shows of each, or reachable false when the caller may not
	// take the path at all (its parent is null).
	cache := map[string]map[string]seen{}
	list := func(who map[string]string, q string, vars map[string]any, path ...any) (map[string]seen, bool) {
		key := fmt.Sprint(who["Authorization"], q, vars)
		if out, ok := cache[key]; ok {
			return out, out != nil
		}
		r := h.Do(t, q, vars, who)
		parent := apptest.Get(r.Data, path[:len(path)-1]...)
		if parent == nil {
			cache[key] = nil
			return nil, false
		}
		out := map[string]seen{}
		edges, _ := apptest.Get(parent, path[len(path)-1]).([]any)
		for _, e := range edges {
			n := apptest.Get(e, "node")
			if n == nil {
				n = e
			}
			id, _ := apptest.Get(n, "id").(string)
			if id == "" {
				id, _ = apptest.Get(n, "recordId").(string)
			}
			summary, _ := apptest.Get(n, "summary").(string)
			pub, _ := apptest.Get(n, "publicity").(string)
			if id != "" {
				out[id] = seen{visible: summary != "", publicity: pub}
			}
		}
		cache[key] = out
		return out, true
	}
	entityRecords := func(who map[string]string, uscc, kind string) (map[string]seen, bool) {
		return list(who, `query($u: ID!, $k: RecordKind!) { entity(uscc: $u) { records(first: 100, filter: {kinds: [$k]}) { `+recFields+` } } }`,
			map[string]any{"u": uscc, "k": kind}, "entity", "records", "edges")
	}
	repRecords := func(who map[string]string, uscc, kind string) (map[string]seen, bool) {
		return list(who, `query($u: ID!, $k: RecordKind!) { entity(uscc: $u) { legalRepresentative { records(first: 100, filter: {kinds: [$k]}) { `+recFields+` } } } }`,
			map[string]any{"u": uscc, "k": kind}, "entity", "legalRepresentative", "records", "edges")
	}
	personRecords := func(who map[string]string, idNo, kind string) (map[string]seen, bool) {
		return list(who, `query($id: String!, $k: RecordKind!) { person(idNumber: $id) { records(first: 100, filter: {kinds: [$k]}) { `+recFields+` } } }`,
			map[string]any{"id": idNo, "k": kind}, "person", "records", "edges")
	}
	triggers := func(who map[string]string, uscc string) (map[string]seen, bool) {
		out := map[string]seen{}
		for _, sc := range credit.Scenarios {
			r := h.Do(t, `query($u: ID!, $s: Scenario!) { creditCheck(uscc: $u, scenario: $s) { measures { triggers { recordId kind summary } } } }`,
				map[string]any{"u": uscc, "s": string(sc)}, who)
			if apptest.Get(r.Data, "creditCheck") == nil {
				return nil, false
			}
			ms, _ := apptest.Get(r.Data, "creditCheck", "measures").([]any)
			for _, m := range ms {
				ts, _ := apptest.Get(m, "triggers").([]any)
				for _, tr := range ts {
					id, _ := apptest.Get(tr, "recordId").(string)
					summary, _ := apptest.Get(tr, "summary").(string)
					out[id] = seen{visible: summary != ""}
				}
			}
		}
		return out, true
	}
	// workflowRecords is what the records of an entity's objections,
	// repairs and commitments show, per list, and which lists the caller
	// may read at all.
	workflowRecords := func(who map[string]string, uscc string) map[string]map[string]seen {
		r := h.Do(t, `query($u: ID!) { entity(uscc: $u) {
			objections { record { id publicity summary } }
			repairs { record { id publicity summary } }
			commitments(first: 100) { edges { node { record { id publicity summary } } } } } }`, map[string]any{"u": uscc}, who)
		out := map[string]map[string]seen{}
		for _, l := range []string{"objections", "repairs", "commitments"} {
			items := apptest.Get(r.Data, "entity", l)
			if items == nil {
				continue // refused to this caller
			}
			if l == "commitments" {
				items = apptest.Get(items, "edges")
			}
			out[l] = map[string]seen{}
			for _, it := range asList(items) {
				if l == "commitments" {
					it = apptest.Get(it, "node")
				}
				id, _ := apptest.Get(it, "record", "id").(string)
				summary, _ := apptest.Get(it, "record", "summary").(string)
				pub, _ := apptest.Get(it, "record", "publicity").(string)
				if id != "" {
					out[l][id] = seen{visible: summary != "", publicity: pub}
				}
			}
		}
		return out
	}
	// cityRecords is the city-wide stream narrowed to one kind, one
	// department and one decision day: a page that holds the record when
	// the caller may see it.
	cityRecords := func(who map[string]string, r *recordAt) (map[string]seen, bool) {
		return list(who, `query($k: RecordKind!, $s: ID!, $d: Date!) { records(first: 100, filter: {kinds: [$k], sources: [$s], decidedFrom: $d, decidedTo: $d}) { `+recFields+` } }`,
			map[string]any{"k": r.kind, "s": r.source, "d": r.decided}, "records", "edges")
	}
	// overdue is every department's overdue decisions of one decision day
	// (disclosureStats' overdueRecords).
	overdue := func(who map[string]string, day string) (map[string]seen, bool) {
		key := fmt.Sprint(who["Authorization"], "overdue", day)
		if out, ok := cache[key]; ok {
			return out, out != nil
		}
		r := h.Do(t, `query($d: Date!) { disclosureStats(from: $d, to: $d) { overdueRecords(first: 100) { id publicity summary } } }`,
			map[string]any{"d": day}, who)
		deps, ok := apptest.Get(r.Data, "disclosureStats").([]any)
		if !ok {
			cache[key] = nil
			return nil, false
		}
		out := map[string]seen{}
		for _, d := range deps {
			for _, rec := range asList(apptest.Get(d, "overdueRecords")) {
				id, _ := apptest.Get(rec, "id").(string)
				summary, _ := apptest.Get(rec, "summary").(string)
				pub, _ := apptest.Get(rec, "publicity").(string)
				out[id] = seen{visible: summary != "", publicity: pub}
			}
		}
		cache[key] = out
		return out, true
	}
	// report is the records a credit report on uscc states, issued to
	// the caller; not reachable without report:issue.
	report := func(who map[string]string, uscc string) (map[string]seen, bool) {
		key := fmt.Sprint(who["Authorization"], "report", uscc)
		if out, ok := cache[key]; ok {
			return out, out != nil
		}
		r := h.Do(t, `query($u: ID!) { creditReport(uscc: $u, purpose: BIDDING) { content } }`, map[string]any{"u": uscc}, who)
		content, _ := apptest.Get(r.Data, "creditReport", "content").(string)
		if content == "" {
			cache[key] = nil
			return nil, false
		}
		var c struct {
			Records []struct{ ID, Publicity, Summary string } `json:"records"`
		}
		if err := json.Unmarshal([]byte(content), &c); err != nil {
			t.Fatalf("a report's content: %v", err)
		}
		out := map[string]seen{}
		for _, rec := range c.Records {
			out[rec.ID] = seen{visible: rec.Summary != "", publicity: rec.Publicity}
		}
		cache[key] = out
		return out, true
	}
	node := func(who map[string]string, id string) seen {
		r := h.Do(t, `query($id: ID!) { node(id: $id) { ... on CreditRecord { id publicity summary } } }`, map[string]any{"id": id}, who)
		summary, _ := apptest.Get(r.Data, "node", "summary").(string)
		pub, _ := apptest.Get(r.Data, "node", "publicity").(string)
		return seen{visible: summary != "", publicity: pub}
	}

	// Every record the root caller finds, with the paths it found it on.
	found := map[string]*recordAt{}
	at := func(id, kind string) *recordAt {
		if found[id] == nil {
			found[id] = &recordAt{id: id, kind: kind}
		}
		return found[id]
	}
	const allRecords = `query($u: ID!) { entity(uscc: $u) {
		records(first: 100) { edges { node { id kind legacyKey publicity } } }
		legalRepresentative { records(first: 100) { edges { node { id kind } } } } } }`
	for _, e := range h.World.Entities {
		data := h.QueryAs(t, root, allRecords, map[string]any{"u": e.USCC})
		for _, edge := range asList(apptest.Get(data, "entity", "records", "edges")) {
			r := at(apptest.Get(edge, "node", "id").(string), apptest.Get(edge, "node", "kind").(string))
			r.uscc = e.USCC
			r.legacy = apptest.Get(edge, "node", "legacyKey") != nil
			r.legacyShared = r.legacy && apptest.Get(edge, "node", "publicity") == "SHARED"
		}
		for _, edge := range asList(apptest.Get(data, "entity", "legalRepresentative", "records", "edges")) {
			r := at(apptest.Get(edge, "node", "id").(string), apptest.Get(edge, "node", "kind").(string))
			r.repOf, r.idNo = e.USCC, e.LegalRep.IDNo
		}
	}
	// The records the workflows name (objections, repairs, breached
	// commitments), one of each kind and list.
	wfSeen := map[string]bool{}
	for _, e := range h.World.Entities {
		for l, m := range workflowRecords(root, e.USCC) {
			for id, s := range m {
				r := found[id]
				if !s.visible || r == nil || wfSeen[l+r.kind] {
					continue
				}
				wfSeen[l+r.kind] = true
				r.workflow = e.USCC
			}
		}
	}
	if len(wfSeen) < 3 {
		t.Fatalf("the seed's workflows name too few records: %v", wfSeen)
	}
	for _, p := range h.World.Individuals {
		data := h.QueryAs(t, root, `query($id: String!) { person(idNumber: $id) { records(first: 100) { edges { node { id kind } } } } }`, map[string]any{"id": p.IDNo})
		for _, edge := range asList(apptest.Get(data, "person", "records", "edges")) {
			at(apptest.Get(edge, "node", "id").(string), apptest.Get(edge, "node", "kind").(string)).idNo = p.IDNo
		}
	}
	// A few records of each kind and each mix of paths.
	picked := map[string]int{}
	var records []*recordAt
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := found[id]
		mix := fmt.Sprint(r.kind, r.uscc != "", r.repOf != "", r.idNo != "", r.workflow != "", r.legacyShared)
		if picked[mix] < 2 || r.workflow != "" {
			picked[mix]++
			records = append(records, r)
		}
	}
	// Where the stream finds each, whether it is overdue, in force; and
	// one overdue record of each disclosing kind.
	describe := func(r *recordAt) {
		d := h.QueryAs(t, root, `query($id: ID!) { node(id: $id) { ... on CreditRecord { source { code } decisionDate status disclosure { overdue publishedDate } } } }`,
			map[string]any{"id": r.id})
		r.source, _ = apptest.Get(d, "node", "source", "code").(string)
		r.decided, _ = apptest.Get(d, "node", "decisionDate").(string)
		status, _ := apptest.Get(d, "node", "status").(string)
		r.inForce = status != "EXPIRED" && status != "REPAIRED" && status != "REVOKED"
		r.overdue = apptest.Get(d, "node", "disclosure", "overdue") == true && apptest.Get(d, "node", "disclosure", "publishedDate") == nil
	}
	overdueKinds := map[string]bool{}
	for _, r := range records {
		describe(r)
		if r.overdue {
			overdueKinds[r.kind] = true
		}
	}
	tried := map[string]int{}
	for _, id := range ids {
		r := found[id]
		if r.source != "" || overdueKinds[r.kind] || tried[r.kind] == 40 {
			continue
		}
		tried[r.kind]++
		describe(r)
		if r.overdue {
			overdueKinds[r.kind] = true
			records = append(records, r)
		}
	}
	// An entity's record overdue for publication and past its period,
	// filed under an old key only: the entity itself sees it on every path.
	legacyOverdue := false
	for n, id := range ids {
		r := found[id]
		if n == 3000 || legacyOverdue {
			break
		}
		if !r.legacy || r.uscc == "" || r.source != "" {
			continue
		}
		describe(r)
		if r.overdue && !r.inForce {
			legacyOverdue = true
			records = append(records, r)
		}
	}
	if !legacyOverdue {
		t.Log("no record filed under an old key only is overdue and past its period")
	}
	if len(overdueKinds) < 2 {
		t.Fatalf("the seed has too few records overdue for publication: %v", overdueKinds)
	}
	bothWays := false
	kinds := map[string]bool{}
	for _, r := range records {
		kinds[r.kind] = true
		if r.kind == string(credit.KindConsumptionRestriction) && r.uscc != "" && r.repOf != "" {
			bothWays = true
		}
	}
	legacy := 0
	for _, r := range records {
		if r.legacyShared {
			legacy++
		}
	}
	if legacy == 0 {
		t.Fatal("the seed has no shared record filed under an old key only")
	}
	if !bothWays || len(kinds) < 10 {
		t.Fatalf("the seed has changed: %d kinds of record, a consumption restriction on an entity and its legal representative: %v", len(kinds), bothWays)
	}
	// Credit checks name the records that trigger measures: one record of
	// each kind that triggers one, found by checking entities in turn.
	triggering := map[string]bool{}
	inRecords := map[string]bool{}
	for _, r := range records {
		inRecords[r.id] = true
	}
	compared := map[string]int{} // per path, the records compared on it
	for i, e := range h.World.Entities {
		if i == 80 {
			break
		}
		ts, _ := triggers(root, e.USCC)
		for id, s := range ts {
			r := found[id]
			if !s.visible || r == nil || r.uscc != e.USCC {
				continue
			}
			r.triggers = e.USCC
			if !inRecords[id] && !triggering[r.kind] {
				records, inRecords[id] = append(records, r), true
			}
			triggering[r.kind] = true
		}
	}
	// Among them a kind shared among departments only.
	if !triggering[string(credit.KindAccident)] && !triggering[string(credit.KindKeyAttention)] {
		t.Fatalf("no shared record triggers a measure in the first 80 entities' checks: %v", triggering)
	}

	for _, r := range records {
		if r.source == "" {
			describe(r)
		}
		who := callers
		if r.uscc != "" {
			// The entity the record is about, signed in as itself.
			who = map[string]map[string]string{"the entity itself": apptest.As(t, auth.KindEntity, r.uscc, "")}
			for k, v := range callers {
				who[k] = v
			}
		}
		for who, as := range who {
			got := map[string]seen{"node(id)": node(as, r.id)}
			add := func(path string, m map[string]seen, reachable bool) {
				if reachable {
					got[path] = m[r.id]
				}
			}
			if r.uscc != "" {
				m, ok := entityRecords(as, r.uscc, r.kind)
				add("entity.records", m, ok)
			}
			if r.repOf != "" {
				m, ok := repRecords(as, r.repOf, r.kind)
				add("entity.legalRepresentative.records", m, ok)
			}
			if r.idNo != "" {
				m, ok := personRecords(as, r.idNo, r.kind)
				add("person(idNumber).records", m, ok)
			}
			if r.workflow != "" {
				for l, m := range workflowRecords(as, r.workflow) {
					if s, ok := m[r.id]; ok {
						got["entity."+l+".record"] = s
					} else if _, named := workflowRecords(root, r.workflow)[l][r.id]; named {
						got["entity."+l+".record"] = seen{} // listed, its record withheld
					}
				}
			}
			m, ok := cityRecords(as, r)
			add("records(filter)", m, ok)
			if r.overdue {
				m, ok := overdue(as, r.decided)
				add("disclosureStats.overdueRecords", m, ok)
			}
			if r.uscc != "" && r.inForce {
				m, ok := report(as, r.uscc)
				add("creditReport.content.records", m, ok)
			}
			for p, s := range got {
				if s.visible {
					compared[p+" "+who]++
				}
			}
			if r.triggers != "" {
				m, ok := triggers(as, r.triggers)
				if ok {
					// A trigger carries no publicity: compare whether it shows.
					s := m[r.id]
					s.publicity = got["node(id)"].publicity
					got["creditCheck.measures.triggers"] = s
				}
			}
			var first string
			same := true
			for _, s := range got {
				if first == "" {
					first = s.String()
				} else if s.String() != first {
					same = false
				}
			}
			if !same {
				var lines []string
				for p, s := range got {
					lines = append(lines, p+": "+s.String())
				}
				sort.Strings(lines)
				t.Errorf("%s %s, to %s:\n\t%s", r.kind, r.id, who, strings.Join(lines, "\n\t"))
			}
		}
	}
	// Each new path showed records to the callers that may see them.
	for _, p := range []string{"records(filter) the public", "records(filter) the entity itself",
		"records(filter) a department with every read scope", "disclosureStats.overdueRecords the public",
		"disclosureStats.overdueRecords a department with record:read", "creditReport.content.records a department with entity:read",
		"creditReport.content.records a department with every read scope"} {
		if compared[p] == 0 {
			t.Errorf("no record was seen on %s", p)
		}
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
