package credithub

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// layers ranks every package of the module, lowest first: a package may
// import only packages of a lower rank. This is ARCHITECTURE.md's picture,
// checked: nothing lower imports anything higher, and packages of one rank
// (the departments; workflow and supervision) do not import each other.
// A new package must be given its rank here.
var layers = [][]string{
	// Vocabulary that imports nothing of ours.
	{"internal/apperr", "internal/scalars", "internal/ident", "internal/workday", "internal/obs", "dev/bench/scenarios", "dev/bench/loadgen", "dev/federation", "dev/npmtest", "dev/cluster"},
	{"internal/credit", "internal/sqldb", "dev/synth"},
	{"internal/gid", "dev/world", "dev/devpg"},
	// The departments' contract, then each department.
	{"datasources"},
	{"datasources/market", "datasources/environment", "datasources/fire", "datasources/housing", "datasources/court", "datasources/dstest"},
	// The hub's own database, and the catalogues read from it.
	{"internal/hubdb"},
	{"internal/catalogue"},
	// Who may see what: consulted by everything above.
	{"auth"},
	{"internal/loaders"},
	// The services: the rules and the state machines.
	{"internal/workflow", "internal/supervision", "internal/stats", "internal/feed"},
	{"graph/model"},
	{"graph"},
	// The pages of records written in one pass, beside gqlgen's execution.
	{"internal/hotlist"},
	{"resolvers"},
	// The browser pages and their vendored libraries, served by the server.
	{"internal/web"},
	{"internal/server", "dev/seed"},
	{"internal/app"},
	{"internal/app/apptest", "internal/web/browsertest", "cmd/credithub", "dev/bench/cmd/hubbench", "dev/bench/cmd/feedbench", "dev/bench/cmd/logbench", "dev/bench/cmd/listbench", "dev/bench/cmd/namebench", "dev/graphqlhttp", "credithub"},
}

func TestImportsRunDownhill(t *testing.T) {
	rank := map[string]int{}
	for i, layer := range layers {
		for _, p := range layer {
			if p == "credithub" {
				rank[p] = i
				continue
			}
			rank["credithub/"+p] = i
		}
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var unranked []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		r, ok := rank[pkg]
		if !ok {
			unranked = append(unranked, pkg)
			continue
		}
		for _, imp := range fields[1:] {
			if imp != "credithub" && !strings.HasPrefix(imp, "credithub/") {
				continue
			}
			if ri, ok := rank[imp]; ok && ri >= r {
				t.Errorf("%s imports %s, which is not below it (ranks %d and %d in layering_test.go)", pkg, imp, r, ri)
			}
		}
	}
	sort.Strings(unranked)
	if len(unranked) > 0 {
		t.Errorf("packages without a rank in layering_test.go (give each its place): %s", strings.Join(unranked, ", "))
	}
}
