package resolvers_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/lib/pq"

	"credithub/datasources/dstest"
)

func openAdmin(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dstest.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// takeDown makes a database refuse connections and ends its sessions, the
// way an outage looks to the hub; it is undone when the test ends.
func takeDown(t *testing.T, db string) {
	t.Helper()
	admin := openAdmin(t)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+db+` ALLOW_CONNECTIONS false`); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), `ALTER DATABASE `+db+` ALLOW_CONNECTIONS true`)
	})
}
