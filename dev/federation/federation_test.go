// Package federation holds the test that composes credithub, as an Apollo
// Federation v2 subgraph, with a second subgraph through a real gateway
// (Apollo Gateway, from the npm registry; see test/compose.mjs).
package federation

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
	"unicode"

	"credithub/auth"
	"credithub/dev/npmtest"
	"credithub/internal/app/apptest"
)

func digits(s string) float64 {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return float64(n)
}

// A router composes the hub with an inspection office's subgraph that adds
// onSiteVisits to MarketEntity, and answers queries that cross both ways:
// from the hub's entities into the other subgraph, and from the other
// subgraph's references into the hub's batched _entities.
func TestComposedWithAnotherSubgraph(t *testing.T) {
	dir, err := filepath.Abs("test")
	if err != nil {
		t.Fatal(err)
	}
	npmtest.CI(t, dir, npmtest.Options{For: "the federation test"})
	h := apptest.Start(t, apptest.Options{Entities: 40})
	ents := h.World.Entities
	visited := []string{ents[3].USCC, ents[1].USCC, ents[2].USCC}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "compose.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"HUB_URL="+h.URL+"/graphql",
		"HUB_TOKEN="+apptest.Token(t, auth.KindDepartment, "market", auth.ScopeEntityRead, auth.ScopeRecordRead),
		"USCC="+ents[0].USCC,
		"USCCS="+strings.Join(visited, ","),
	)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node compose.mjs: %v\n%s\n%s", err, out, stderr.String())
	}
	results := map[string]map[string]any{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if !bytes.HasPrefix(sc.Bytes(), []byte(`{"query"`)) {
			continue // Apollo Server's own log lines
		}
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		results[line["query"].(string)] = line
	}

	one := results["one"]
	if apptest.Get(one, "data", "entity", "name") != ents[0].Name ||
		apptest.Get(one, "data", "entity", "onSiteVisits") != digits(ents[0].USCC) ||
		len(apptest.Get(one, "data", "entity", "records", "edges").([]any)) == 0 {
		t.Errorf("one entity across both subgraphs: %v", one)
	}
	many, _ := apptest.Get(results["many"], "data", "entities", "edges").([]any)
	if len(many) != 5 {
		t.Fatalf("a list across both subgraphs: %v", results["many"])
	}
	for _, e := range many {
		u := apptest.Get(e, "node", "uscc").(string)
		if apptest.Get(e, "node", "onSiteVisits") != digits(u) || apptest.Get(e, "node", "name") == nil {
			t.Errorf("listed entity: %v", e)
		}
	}
	visits, _ := apptest.Get(results["visits"], "data", "recentVisits").([]any)
	if len(visits) != len(visited) {
		t.Fatalf("references resolved by the hub: %v", results["visits"])
	}
	byCode := map[string]string{}
	for _, e := range ents {
		byCode[e.USCC] = e.Name
	}
	for i, v := range visits {
		if apptest.Get(v, "uscc") != visited[i] || apptest.Get(v, "name") != byCode[visited[i]] ||
			apptest.Get(v, "onSiteVisits") != digits(visited[i]) || apptest.Get(v, "status") == nil {
			t.Errorf("visit %d: %v", i, v)
		}
	}
	// The hub was asked once per query (and once for its SDL): the three
	// references of the last query came as one _entities batch.
	if n := apptest.Get(results["calls"], "calls", "batches"); n != float64(4) {
		t.Errorf("the gateway called the hub %v times, want 4: %v", n, results["calls"])
	}
}
