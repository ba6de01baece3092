package main

import (
	"strings"
	"testing"
	"time"

	"credithub/datasources/court"
	"credithub/datasources/market"
)

func TestSummariseReportsTheMedianRequestsStatements(t *testing.T) {
	t.Parallel()
	var all []sample
	for i, total := range []int{6, 6, 7, 6, 12} {
		var st stmts
		st[1] = int32(total - 4) // market
		st[2], st[3], st[4], st[5] = 1, 1, 1, 1
		all = append(all, sample{lat: time.Duration(i+1) * time.Millisecond, st: st})
	}
	s := summarise(all, time.Second)
	if s.StmtMin != 6 || s.StmtMedian != 6 || s.StmtMax != 12 {
		t.Errorf("statements = %d/%d/%d, want 6/6/12", s.StmtMin, s.StmtMedian, s.StmtMax)
	}
	if got := s.StmtBreakdown.String(); got != "market 2, environment 1, fire 1, housing 1, court 1" {
		t.Errorf("breakdown = %q", got)
	}
	if s.Count != 5 || s.Throughput != 5 || s.Median != 3*time.Millisecond {
		t.Errorf("count %d, throughput %v, median %v", s.Count, s.Throughput, s.Median)
	}
}

func TestHeaderFlag(t *testing.T) {
	t.Parallel()
	var h headerFlag
	for _, s := range []string{"Authorization: Bearer x.y.z", "X-Purpose:audit"} {
		if err := h.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	if h[0] != [2]string{"Authorization", "Bearer x.y.z"} || h[1] != [2]string{"X-Purpose", "audit"} {
		t.Errorf("headers = %v", h)
	}
	if err := h.Set("no colon"); err == nil {
		t.Error("a header without a colon was accepted")
	}
}

func TestSameDataNamesTheFirstDifference(t *testing.T) {
	t.Parallel()
	hub := []byte(`{"data":{"entity":{"uscc":"1","records":{"edges":[{"node":{"id":"a"}},{"node":{"id":"b"}}]}}},"extensions":{"sqlStatements":{"market":4}}}`)
	if err := sameData(hub, []byte(`{"data":{"entity":{"records":{"edges":[{"node":{"id":"a"}},{"node":{"id":"b"}}]},"uscc":"1"}}}`)); err != nil {
		t.Errorf("equal data (other key order, no extensions) reported different: %v", err)
	}
	for base, want := range map[string]string{
		`{"data":{"entity":{"uscc":"1","records":{"edges":[{"node":{"id":"a"}},{"node":{"id":"c"}}]}}}}`: "data.entity.records.edges[1].node.id",
		`{"data":{"entity":{"uscc":"1","records":{"edges":[{"node":{"id":"a"}}]}}}}`:                     "data.entity.records.edges: hub has a list of 2",
		`{"data":{"entity":{"uscc":"1"}}}`: "data.entity.records: present",
		`{"data":{"entity":null}}`:         "data.entity: hub an object",
	} {
		err := sameData(hub, []byte(base))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("baseline %s: error %v, want it to name %q", base, err, want)
		}
	}
}

// The baseline's statements ask every table of the department, with the
// department's own match conditions.
func TestBaselineSQLCoversEveryTable(t *testing.T) {
	t.Parallel()
	for name, q := range map[string]string{
		"S1 market": s1MarketSQL(market.Tables),
		"S2 market": s2MarketSQL(market.Tables),
	} {
		for _, tb := range market.Tables {
			if !strings.Contains(q, " FROM "+tb.Table+" t WHERE ("+tb.EntityMatch+")") {
				t.Errorf("%s does not read %s by %q", name, tb.Table, tb.EntityMatch)
			}
		}
	}
	q := s1DeptSQL(court.Tables)
	for _, tb := range court.Tables {
		if !strings.Contains(q, "(SELECT count(*) FROM "+tb.Table+" t WHERE "+tb.EntityMatch+")") {
			t.Errorf("S1 court does not count %s", tb.Table)
		}
	}
	if n := strings.Count(q, "$3"); n != len(court.Tables)+1 {
		t.Errorf("S1 court limits %d times, want once per table and once overall", n)
	}
}

func TestPageStartsAndCursors(t *testing.T) {
	t.Parallel()
	if entityCursor("") != "" {
		t.Error("the first page must have no cursor")
	}
	// The hub's cursor for 51231102MJ4Q4M766H, taken from a live answer.
	if got := entityCursor("51231102MJ4Q4M766H"); got != "RW50aXR5Q3Vyc29yOjUxMjMxMTAyTUo0UTRNNzY2SA" {
		t.Errorf("entityCursor = %s", got)
	}
}
