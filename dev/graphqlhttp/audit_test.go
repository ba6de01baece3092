// Package graphqlhttp holds the GraphQL-over-HTTP conformance test: the
// graphql-http audit suite (npm graphql-http, pinned in package-lock.json;
// see audit.mjs) run against a real hub, failing on any warning or error.
package graphqlhttp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"credithub/dev/npmtest"
	"credithub/internal/app/apptest"
)

// auditResult is one line of audit.mjs's output.
type auditResult struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Status         string `json:"status"`
	Reason         string `json:"reason"`
	ResponseStatus int    `json:"responseStatus"`
	ResponseType   string `json:"responseType"`
	ResponseBody   string `json:"responseBody"`
}

// The hub passes every audit of graphql-http's serverAudits — the MUSTs and
// the SHOULDs of the GraphQL-over-HTTP specification — with no warning and
// no error. Notices (the MAYs) are printed, not failed.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	npmtest.CI(t, dir, npmtest.Options{For: "the GraphQL-over-HTTP audit", IgnoreScripts: true})
	h := apptest.Start(t, apptest.Options{Entities: 20})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "audit.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HUB_URL="+h.URL+"/graphql")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node audit.mjs: %v\n%s\n%s", err, out, stderr.String())
	}
	var results []auditResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r auditResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit output line %q: %v", sc.Text(), err)
		}
		results = append(results, r)
	}
	if len(results) < 50 {
		t.Fatalf("only %d audits ran (graphql-http 1.23 has over 50):\n%s\n%s", len(results), out, stderr.String())
	}
	counts := map[string]int{}
	for _, r := range results {
		counts[r.Status]++
		if r.Status == "ok" {
			continue
		}
		msg := r.Status + " " + r.ID + " " + r.Name + ": " + r.Reason
		if r.ResponseStatus != 0 {
			msg += "\n  the hub answered " + http(r) + "\n  " + strings.TrimSpace(r.ResponseBody)
		}
		switch r.Status {
		case "notice":
			t.Log(msg)
		default:
			t.Error(msg)
		}
	}
	t.Logf("%d audits: %d ok, %d notices, %d warnings, %d errors", len(results), counts["ok"], counts["notice"], counts["warn"], counts["error"])
}

func http(r auditResult) string {
	b, _ := json.Marshal(r.ResponseStatus)
	return string(b) + " " + r.ResponseType
}
