package resolvers_test

import (
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
