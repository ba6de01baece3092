package devpg

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireBinaries fails (never skips) when PostgreSQL's binaries are missing.
func requireBinaries(t *testing.T) {
	t.Helper()
	initdb, pgctl, err := FindBinaries()
	if err != nil {
		t.Fatalf("this test needs PostgreSQL's server binaries: %v", err)
	}
	t.Logf("using %s and %s", initdb, pgctl)
}

// traversableTempDir returns a fresh directory under os.TempDir() that the
// postgres OS user can traverse when the test runs as root.
func traversableTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "devpg-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func testOptions(t *testing.T, dataDir string) Options {
	return Options{
		DataDir:    dataDir,
		Logger:     slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
		DefaultURL: closedURL,
		Getenv:     noEnv, // ignore any DATABASE_URL of the machine
	}
}

func ensurePrivate(t *testing.T, ctx context.Context, opts Options) *Server {
	t.Helper()
	start := time.Now()
	srv, err := Ensure(ctx, opts)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	t.Cleanup(func() { srv.Stop(context.Background()) })
	t.Logf("Ensure took %v: %s", time.Since(start).Round(time.Millisecond), srv.URL)
	if !srv.Private {
		t.Fatalf("Private = false for %s", srv.URL)
	}
	return srv
}

func query(t *testing.T, ctx context.Context, dsn, q string) string {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s sql.NullString
	if err := db.QueryRowContext(ctx, q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s.String
}

func exec1(t *testing.T, ctx context.Context, dsn, q string) {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func port(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestPrivateClusterLifecycle(t *testing.T) {
	requireBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	dataDir := filepath.Join(traversableTempDir(t), "repo", ".data", "pg")
	opts := testOptions(t, dataDir)

	// First run: initdb + start.
	srv := ensurePrivate(t, ctx, opts)
	if srv.DataDir != dataDir {
		t.Errorf("DataDir = %s, want %s", srv.DataDir, dataDir)
	}
	if got := query(t, ctx, srv.URL, "select 1"); got != "1" {
		t.Fatalf("select 1 = %q", got)
	}
	if got := query(t, ctx, srv.URL, "select current_user"); got != "postgres" {
		t.Errorf("current_user = %q", got)
	}
	exec1(t, ctx, srv.URL, "create table seeded (v text); insert into seeded values ('survives')")
	if fi, err := os.Stat(dataDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir: %v %v", fi, err)
	}
	if b, err := os.ReadFile(dataDir + ".port"); err != nil || strings.TrimSpace(string(b)) != port(t, srv.URL) {
		t.Errorf("port file: %q %v, want %s", b, err, port(t, srv.URL))
	}

	// A run that finds the cluster still running (as after a crash) adopts it.
	adopted := ensurePrivate(t, ctx, opts)
	if adopted.URL != srv.URL {
		t.Errorf("adopted URL %s, want %s", adopted.URL, srv.URL)
	}

	// DATABASE_URL wins and is never stopped by us.
	ext, err := Ensure(ctx, Options{DataDir: filepath.Join(t.TempDir(), "unused"), DefaultURL: closedURL,
		Getenv: func(k string) string {
			if k == "DATABASE_URL" {
				return srv.URL
			}
			return ""
		}})
	if err != nil || ext.Private || ext.URL != srv.URL {
		t.Fatalf("DATABASE_URL: %+v, %v", ext, err)
	}
	// An answering default URL is used as is.
	def, err := Ensure(ctx, Options{DataDir: filepath.Join(t.TempDir(), "unused"), DefaultURL: srv.URL, Getenv: noEnv})
	if err != nil || def.Private || def.URL != srv.URL {
		t.Fatalf("default URL: %+v, %v", def, err)
	}
	if err := ext.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := def.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pingOnce(ctx, srv.URL, time.Second); err != nil {
		t.Fatalf("Stop of a non-private server stopped it: %v", err)
	}

	// Remember postmaster.pid, to fake the stale one a crashed server leaves.
	pidFile := filepath.Join(dataDir, "postmaster.pid")
	stalePid, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}

	// Stop, twice; the adopted handle's Stop finds it already down.
	if err := srv.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := srv.Stop(ctx); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if err := adopted.Stop(ctx); err != nil {
		t.Fatalf("Stop of the adopted handle: %v", err)
	}
	if err := pingOnce(ctx, srv.URL, time.Second); err == nil {
		t.Fatal("server still answers after Stop")
	}

	// Second run reuses the data directory and the remembered port, despite
	// a stale postmaster.pid whose process is gone.
	if err := os.WriteFile(pidFile, stalePid, 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := lookupPostgresUser()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(pidFile, u.uid, u.gid); err != nil {
			t.Fatal(err)
		}
	}
	again := ensurePrivate(t, ctx, opts)
	if again.URL != srv.URL {
		t.Errorf("restart URL %s, want the remembered %s", again.URL, srv.URL)
	}
	if got := query(t, ctx, again.URL, "select v from seeded"); got != "survives" {
		t.Errorf("seeded row = %q", got)
	}
	if err := again.Stop(ctx); err != nil {
		t.Fatalf("Stop after restart: %v", err)
	}
	if err := again.Stop(ctx); err != nil {
		t.Fatalf("second Stop after restart: %v", err)
	}
}

// requireRoot stops a test of what the hub does when run as root. CI runs
// as root and sets CREDITHUB_CI (.ci/run): there a non-root run is a set-up
// that lost these tests, and it fails; on a developer's machine, as another
// user, the test is skipped with the reason.
func requireRoot(t *testing.T, why string) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CREDITHUB_CI") != "" {
		t.Fatalf("CI must run as root: this test needs it (%s)", why)
	}
	t.Skip("only meaningful when running as root: " + why)
}

// As root, a data directory the postgres user cannot reach is replaced by
// one under os.TempDir().
func TestPrivateClusterUnreachableDirAsRoot(t *testing.T) {
	requireRoot(t, "the postgres OS user then runs the server")
	requireBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	closed := traversableTempDir(t)
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(closed, "repo", ".data", "pg")
	sum := sha256.Sum256([]byte(dataDir))
	fallbackParent := filepath.Join(os.TempDir(), "devpg-"+hex.EncodeToString(sum[:6]))
	t.Cleanup(func() { os.RemoveAll(fallbackParent) })

	srv := ensurePrivate(t, ctx, testOptions(t, dataDir))
	if want := filepath.Join(fallbackParent, "pg"); srv.DataDir != want {
		t.Errorf("DataDir = %s, want %s", srv.DataDir, want)
	}
	if _, err := os.Stat(dataDir); err == nil {
		t.Errorf("left an empty %s behind", dataDir)
	}
	if got := query(t, ctx, srv.URL, "select 1"); got != "1" {
		t.Fatalf("select 1 = %q", got)
	}
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// As root, commands also run as the postgres user through su when runuser
// is absent.
func TestRunAsPostgresViaSu(t *testing.T) {
	requireRoot(t, "it switches to the postgres OS user")
	u, err := lookupPostgresUser()
	if err != nil {
		t.Fatal(err)
	}
	for _, via := range []string{"runuser", "su"} {
		v := *u
		if via == "su" {
			v.runuser, v.su = "", lookTool("su", "/bin/su", "/usr/bin/su")
			if v.su == "" {
				t.Fatal("no su")
			}
		} else if v.runuser == "" {
			continue
		}
		c := &cluster{runAs: &v, log: slog.New(slog.DiscardHandler)}
		out, err := c.run(context.Background(), "sh", "-c", `printf '%s|%s' "$(id -un)" "$1"`, "sh", "it's quoted")
		if err != nil || string(out) != "postgres|it's quoted" {
			t.Errorf("via %s: %q, %v", via, out, err)
		}
		if !c.canAccess(context.Background(), os.TempDir()) || c.canAccess(context.Background(), "/root/.devpg-nonexistent") {
			t.Errorf("via %s: canAccess wrong", via)
		}
	}
}
