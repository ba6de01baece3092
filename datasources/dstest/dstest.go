// Package dstest gives tests throwaway databases on the real PostgreSQL that
// DATABASE_URL names (default: the local server). A missing server fails the
// test: a database test that silently skips hides a broken set-up.
package dstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"credithub/datasources"
	"credithub/dev/world"
	"credithub/internal/sqldb"
)

// DefaultURL is the server tests use when DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL returns the admin URL of the test server.
func ServerURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// UniqueName returns a database name unique to this test run.
func UniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "t_" + prefix + "_" + hex.EncodeToString(b)
}

// NewDatabase creates an empty database named after prefix, returns its URL
// and drops it when the test ends.
func NewDatabase(t testing.TB, prefix string) (name, dsn string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name = UniqueName(prefix)
	admin := ServerURL()
	if err := sqldb.CreateDatabase(ctx, admin, name); err != nil {
		t.Fatalf("creating test database on %s (set DATABASE_URL or start PostgreSQL): %v", admin, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := sqldb.DropDatabase(ctx, admin, name); err != nil {
			t.Logf("dropping %s: %v", name, err)
		}
	})
	dsn, err := sqldb.WithDatabase(admin, name)
	if err != nil {
		t.Fatal(err)
	}
	return name, dsn
}

// Open creates a throwaway database for setup, migrates it and, when w is
// not nil, seeds it from w. The returned DB's Name is the database's name.
func Open(t testing.TB, setup datasources.Setup, w *world.World) *sqldb.DB {
	t.Helper()
	name, dsn := NewDatabase(t, setup.Name)
	db, err := sqldb.Open(sqldb.Config{Name: name, DSN: dsn, MaxOpenConns: 4, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := sqldb.Migrate(ctx, db, setup.Migrations); err != nil {
		t.Fatal(err)
	}
	if w != nil {
		if err := setup.Seed(ctx, db, w); err != nil {
			t.Fatalf("seeding %s: %v", setup.Name, err)
		}
	}
	return db
}

// DSN returns the connection URL of database name on the test server.
func DSN(t testing.TB, name string) string {
	t.Helper()
	dsn, err := sqldb.WithDatabase(ServerURL(), name)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}
