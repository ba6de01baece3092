// Package npmtest installs the npm packages a test drives (Apollo Gateway
// for the federation test, graphql-http for the GraphQL-over-HTTP audit)
// exactly as their package-lock.json pins them: a clean clone (CI)
// installs them once, later runs need no network.
package npmtest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Options say how to install.
type Options struct {
	// For names the test in the message when Node.js or npm is missing.
	For string
	// IgnoreScripts skips the packages' install scripts (npm ci
	// --ignore-scripts) when none is needed.
	IgnoreScripts bool
}

// CI runs `npm ci` in dir unless node_modules already holds what its
// package-lock.json pins (a marker file keeps the lock it was installed
// from).
func CI(t testing.TB, dir string, o Options) {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "node_modules", ".credithub-lock")
	if installed, _ := os.ReadFile(marker); bytes.Equal(lock, installed) {
		return
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s needs Node.js and npm (apt install nodejs npm): %v", o.For, err)
		}
	}
	args := []string{"ci", "--no-audit", "--no-fund", "--loglevel=error"}
	if o.IgnoreScripts {
		args = append(args, "--ignore-scripts")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	if err := os.WriteFile(marker, lock, 0o644); err != nil {
		t.Fatal(err)
	}
}
