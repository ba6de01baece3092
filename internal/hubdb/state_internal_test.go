package hubdb

import (
	"fmt"
	"strings"
	"testing"
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
