package sqldb

import (
	"context"
	"strings"
	"testing"
)

// SECURITY: a client-chosen operation name cannot close the comment the
// hub puts before its statements.
func TestTagIsSafe(t *testing.T) {
	t.Parallel()
	ctx := WithTag(context.Background(), "abc123", "Evil*/ DROP TABLE x; /*")
	got := tagged(ctx, "SELECT 1")
	if strings.Count(got, "*/") != 1 || !strings.HasSuffix(got, "*/ SELECT 1") || !strings.Contains(got, "operation=EvilDROPTABLEx") {
		t.Fatalf("tagged = %q", got)
	}
	if tagged(context.Background(), "SELECT 1") != "SELECT 1" {
		t.Fatal("untagged statements changed")
	}
}
