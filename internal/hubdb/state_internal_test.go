package hubdb

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"credithub/internal/credit"
)

// A notice names the records it changed while they fit PostgreSQL's
// payload, and asks for a whole reload beyond; a payload that cannot be
// read asks for one too.
func TestNoticePayloads(t *testing.T) {
	t.Parallel()
	ids, all := changedRecords([]string{"", notice([]string{"a", "b"}), notice([]string{"b", "c"})})
	if all || strings.Join(ids, ",") != "a,b,c" {
		t.Errorf("two notices: %v, all %v", ids, all)
	}
	var many []string
	for i := range 1000 {
		many = append(many, fmt.Sprintf("UmVjb3JkOm1hcmtldHxQRU5BTFRZfDEyMzQ1Njc%d", i))
	}
	if p := notice(many); p != notifyAll || len(p) > maxNotifyPayload {
		t.Errorf("a notice of 1,000 records is %d bytes, want %q", len(p), notifyAll)
	}
	for _, p := range []string{notifyAll, "not json", `{"a":1}`} {
		if _, all := changedRecords([]string{notice([]string{"a"}), p}); !all {
			t.Errorf("payload %q does not ask for a whole reload", p)
		}
	}
	if ids, all := changedRecords(nil); all || len(ids) != 0 {
		t.Errorf("no notice: %v %v", ids, all)
	}
}

// The compact index answers what a plain map of the same overlays would,
// after a whole load and after any number of incremental changes.
func TestOverlayIndexAgreesWithAMap(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []credit.Status{credit.Corrected, credit.UnderObjection, credit.Repaired, credit.Revoked}
	summary := "更正"
	row := func(id string) OverlayRow {
		o := OverlayRow{RecordID: id, Kind: kinds[rng.IntN(len(kinds))]}
		if o.Kind == credit.Corrected {
			o.Fields.Summary = &summary
		}
		return o
	}
	want := map[string][]OverlayRow{}
	var rows []OverlayRow
	for range 300 {
		o := row(fmt.Sprintf("R%03d", rng.IntN(200)))
		rows = append(rows, o)
		want[o.RecordID] = append(want[o.RecordID], o)
	}
	// Built from nothing as an incremental refresh builds it: every
	// record's rows merged in.
	var ids []string
	for _, o := range rows {
		ids = append(ids, o.RecordID)
	}
	idx := (*overlayIndex)(nil).with(ids, rows)
	check := func(step int) {
		t.Helper()
		if idx.len() != len(want) {
			t.Fatalf("step %d: %d records, want %d", step, idx.len(), len(want))
		}
		for i := range 220 {
			id := fmt.Sprintf("R%03d", i)
			got := &credit.Penalty{Base: credit.Base{ID: id, Status: credit.Effective}}
			if ovs := idx.find(id); len(ovs) > 0 {
				apply(got.Common(), ovs)
			}
			exp := &credit.Penalty{Base: credit.Base{ID: id, Status: credit.Effective}}
			ApplyOverlays(exp, want[id])
			if got.Status != exp.Status || got.Summary != exp.Summary {
				t.Fatalf("step %d, %s: %s %q, want %s %q", step, id, got.Status, got.Summary, exp.Status, exp.Summary)
			}
		}
	}
	check(0)
	for step := 1; step <= 50; step++ {
		var ids []string
		var fresh []OverlayRow
		for range 1 + rng.IntN(5) {
			id := fmt.Sprintf("R%03d", rng.IntN(220))
			ids = append(ids, id)
			delete(want, id)
		}
		for _, id := range ids {
			for range rng.IntN(3) { // 0: the record's overlays all ended
				o := row(id)
				fresh = append(fresh, o)
				want[id] = append(want[id], o)
			}
		}
		idx = idx.with(ids, fresh)
		check(step)
	}
}
