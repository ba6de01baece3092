package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"credithub/internal/sqldb"
)

// TestWithoutIndexes loads with the plain indexes dropped and finds them
// built again as they were, while a unique key still refuses a duplicate.
func TestWithoutIndexes(t *testing.T) {
	ctx := context.Background()
	admin := os.Getenv("DATABASE_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	name := fmt.Sprintf("sqldb_noidx_%d", time.Now().UnixNano())
	if err := sqldb.CreateDatabase(ctx, admin, name); err != nil {
		t.Fatal(err)
	}
	dsn, err := sqldb.WithDatabase(admin, name)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(sqldb.Config{Name: "test", DSN: dsn, Timeout: 10 * time.Second, MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if a, err := sqldb.Open(sqldb.Config{Name: "admin", DSN: admin, Timeout: 10 * time.Second, MaxOpenConns: 1}); err == nil {
			_, _ = a.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
			a.Close()
		}
	})
	if _, err := db.ExecContext(ctx, `
		CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE, name text, n int);
		CREATE INDEX t_name_lower ON t (lower(name)) WHERE n > 0;
		CREATE INDEX t_n ON t (n DESC, id)`); err != nil {
		t.Fatal(err)
	}
	defs := func() string {
		var out []string
		if err := db.SelectContext(ctx, &out, `SELECT indexdef FROM pg_indexes WHERE tablename = 't' ORDER BY indexname`); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(out)
	}
	before := defs()
	err = sqldb.WithoutIndexes(ctx, db, func() error {
		var left int
		if err := db.GetContext(ctx, &left, `SELECT count(*) FROM pg_indexes WHERE tablename = 't'`); err != nil {
			return err
		}
		if left != 2 {
			t.Errorf("%d indexes during the load, want the primary and the unique key's", left)
		}
		_, err := sqldb.CopyIn(ctx, db, "t", []string{"id", "code", "name", "n"}, func(put func(...any) error) error {
			for i := range 1000 {
				if err := put(i, fmt.Sprint("c", i), fmt.Sprint("Name ", i), i%7); err != nil {
					return err
				}
			}
			return nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := defs(); after != before {
		t.Errorf("indexes after the load:\n%s\nbefore:\n%s", after, before)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO t VALUES (5000, 'c1', 'x', 1)`); !sqldb.IsUniqueViolation(err, "t_code_key") {
		t.Errorf("a duplicate code inserted with %v, want a unique violation", err)
	}

	// A load that fails still leaves the indexes built, and says why it
	// failed.
	boom := errors.New("the load failed")
	if err := sqldb.WithoutIndexes(ctx, db, func() error { return boom }); !errors.Is(err, boom) {
		t.Errorf("a failed load returned %v, want its error", err)
	}
	if after := defs(); after != before {
		t.Errorf("indexes after a failed load:\n%s\nbefore:\n%s", after, before)
	}
}
