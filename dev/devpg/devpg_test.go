package devpg

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// closedURL points at a port where nothing listens.
const closedURL = "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable"

func noEnv(string) string { return "" }

func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.DataDir != ".data/pg" {
		t.Errorf("DataDir = %q, want .data/pg", o.DataDir)
	}
	if o.DefaultURL != "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" {
		t.Errorf("DefaultURL = %q", o.DefaultURL)
	}
	if o.Logger == nil {
		t.Error("Logger is nil")
	}
	t.Setenv("DEVPG_TEST_VAR", "x")
	if o.Getenv == nil || o.Getenv("DEVPG_TEST_VAR") != "x" {
		t.Error("Getenv does not default to os.Getenv")
	}

	set := Options{DataDir: "d", DefaultURL: "u", Getenv: func(string) string { return "g" }}.withDefaults()
	if set.DataDir != "d" || set.DefaultURL != "u" || set.Getenv("") != "g" {
		t.Errorf("explicit options overwritten: %+v", set)
	}
}

func writeExe(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestFindCandidatesOrder(t *testing.T) {
	root := t.TempDir()
	// Versions under a Debian-like tree; 17 lacks pg_ctl, 16's pg_ctl is not executable.
	for _, v := range []string{"9.6", "15", "16", "17"} {
		writeExe(t, filepath.Join(root, "lib", v, "bin", "initdb"))
	}
	for _, v := range []string{"9.6", "15"} {
		writeExe(t, filepath.Join(root, "lib", v, "bin", "pg_ctl"))
	}
	if err := os.WriteFile(filepath.Join(root, "lib", "16", "bin", "pg_ctl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	writeExe(t, filepath.Join(root, "local", "bin", "initdb"))
	writeExe(t, filepath.Join(root, "local", "bin", "pg_ctl"))
	// A $PATH directory with both, one with initdb only.
	writeExe(t, filepath.Join(root, "path1", "initdb"))
	writeExe(t, filepath.Join(root, "path2", "initdb"))
	writeExe(t, filepath.Join(root, "path2", "pg_ctl"))

	patterns := []string{filepath.Join(root, "lib", "*", "bin"), filepath.Join(root, "local", "bin"), filepath.Join(root, "missing@*", "bin")}

	got := findCandidates("", patterns)
	want := []string{filepath.Join(root, "lib", "15", "bin"), filepath.Join(root, "lib", "9.6", "bin"), filepath.Join(root, "local", "bin")}
	checkDirs(t, got, want)

	pathEnv := strings.Join([]string{filepath.Join(root, "path1"), filepath.Join(root, "path2"), filepath.Join(root, "local", "bin")}, string(os.PathListSeparator))
	got = findCandidates(pathEnv, patterns)
	want = []string{filepath.Join(root, "path2"), filepath.Join(root, "local", "bin"), filepath.Join(root, "lib", "15", "bin"), filepath.Join(root, "lib", "9.6", "bin")}
	checkDirs(t, got, want)

	if got := findCandidates(filepath.Join(root, "path1"), nil); len(got) != 0 {
		t.Errorf("initdb without pg_ctl accepted: %v", got)
	}
}

func checkDirs(t *testing.T, got []binDir, want []string) {
	t.Helper()
	var dirs []string
	for _, b := range got {
		if filepath.Dir(b.initdb) != filepath.Dir(b.pgctl) || filepath.Base(b.initdb) != "initdb" || filepath.Base(b.pgctl) != "pg_ctl" {
			t.Errorf("bad pair %+v", b)
		}
		dirs = append(dirs, filepath.Dir(b.initdb))
	}
	if strings.Join(dirs, "\n") != strings.Join(want, "\n") {
		t.Errorf("candidates:\n%s\nwant:\n%s", strings.Join(dirs, "\n"), strings.Join(want, "\n"))
	}
}

func TestFindBinariesOnThisMachine(t *testing.T) {
	initdb, pgctl, err := FindBinaries()
	if err != nil {
		t.Fatalf("FindBinaries: %v", err)
	}
	if !isExecutable(initdb) || !isExecutable(pgctl) || filepath.Dir(initdb) != filepath.Dir(pgctl) {
		t.Fatalf("FindBinaries = %q, %q", initdb, pgctl)
	}
	t.Logf("initdb=%s pg_ctl=%s", initdb, pgctl)
}

func TestFindBinariesNotFound(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	old := searchPatterns
	searchPatterns = []string{filepath.Join(t.TempDir(), "*", "bin")}
	defer func() { searchPatterns = old }()

	_, _, err := FindBinaries()
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	// Ensure must carry the install hint and not create anything.
	dataDir := filepath.Join(t.TempDir(), "pg")
	_, err = Ensure(context.Background(), Options{DataDir: dataDir, DefaultURL: closedURL, Getenv: noEnv})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("Ensure err = %v, want ErrNoBinaries", err)
	}
	for _, hint := range []string{"sudo apt-get install postgresql", "/usr/lib/postgresql/<version>/bin", "brew install postgresql@16", "$(brew --prefix)/opt/postgresql@16/bin", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("error lacks %q:\n%v", hint, err)
		}
	}
	if _, statErr := os.Stat(dataDir); statErr == nil {
		t.Errorf("data directory created although no binaries were found")
	}
}

func TestEnsureDatabaseURLMustAnswer(t *testing.T) {
	old := externalWait
	externalWait = 300 * time.Millisecond
	defer func() { externalWait = old }()

	dataDir := filepath.Join(t.TempDir(), "pg")
	dbURL := "postgres://app:s3cret@127.0.0.1:1/app?sslmode=disable"
	getenv := func(k string) string {
		if k == "DATABASE_URL" {
			return dbURL
		}
		return ""
	}
	start := time.Now()
	srv, err := Ensure(context.Background(), Options{DataDir: dataDir, DefaultURL: closedURL, Getenv: getenv})
	if err == nil {
		t.Fatalf("Ensure succeeded with an unreachable DATABASE_URL: %+v", srv)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	msg := err.Error()
	if !strings.Contains(msg, "DATABASE_URL") || !strings.Contains(msg, "127.0.0.1:1/app") {
		t.Errorf("error does not name DATABASE_URL: %v", err)
	}
	if strings.Contains(msg, "s3cret") {
		t.Errorf("error leaks the password: %v", err)
	}
	if _, statErr := os.Stat(dataDir); statErr == nil {
		t.Errorf("a private cluster was prepared although DATABASE_URL is set")
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:pw@h:5432/db?sslmode=disable":   "postgres://u:xxxxx@h:5432/db?sslmode=disable",
		"postgres://u@h/db?password=pw":               "postgres://u@h/db?password=xxxxx",
		"host=h user=u password=pw dbname=d":          "host=h user=u password=xxxxx dbname=d",
		"host=h password='p w' dbname=d":              "host=h password=xxxxx dbname=d",
		"postgres://postgres@127.0.0.1:5432/postgres": "postgres://postgres@127.0.0.1:5432/postgres",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	if compareVersions("/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/15/bin") >= 0 ||
		compareVersions("/opt/homebrew/opt/postgresql@16/bin", "/opt/homebrew/opt/postgresql@14/bin") <= 0 ||
		compareVersions("/x/foo/bin", "/x/1/bin") >= 0 {
		t.Error("wrong version order")
	}
}

func TestStopNoop(t *testing.T) {
	var nilSrv *Server
	if err := nilSrv.Stop(context.Background()); err != nil {
		t.Error(err)
	}
	s := &Server{URL: "postgres://x"}
	if err := s.Stop(context.Background()); err != nil {
		t.Error(err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Error(err)
	}
}
