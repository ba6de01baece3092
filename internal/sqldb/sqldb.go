// Package sqldb opens the hub's PostgreSQL databases (one per department and
// the hub's own), creates and migrates them, and maps database errors to the
// hub's error codes once.
package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"

	"credithub/internal/apperr"
)

// Config says how to reach one database.
type Config struct {
	// Name is the role of the database in the hub: a department code or "hub".
	Name string
	// DSN is a lib/pq connection URL.
	DSN string
	// MaxOpenConns bounds the pool (default 8).
	MaxOpenConns int
	// Timeout bounds every batch of work sent to the database (default 3s).
	Timeout time.Duration
}

// DB is an open database with its settings and statement counters.
type DB struct {
	*sqlx.DB
	Name    string
	Timeout time.Duration
	stats   Stats
	slot    int
}

var nextSlot atomic.Int64

// Open opens a pool for cfg. It does not wait for the server: a department
// that is down at start-up is reported by /readyz and by the graph's
// `sources`, not by a hub that refuses to start.
func Open(cfg Config) (*DB, error) {
	if cfg.DSN == "" {
		return nil, fmt.Errorf("database %q: no connection string", cfg.Name)
	}
	if cfg.MaxOpenConns <= 0 {
		cfg.MaxOpenConns = 8
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	connector, err := pq.NewConnector(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("database %q: %w", cfg.Name, err)
	}
	db := &DB{Name: cfg.Name, Timeout: cfg.Timeout, slot: int(nextSlot.Add(1)-1) % maxDatabases}
	sqlDB := sql.OpenDB(&countingConnector{Connector: connector, db: db})
	sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
	sqlDB.SetMaxIdleConns(cfg.MaxOpenConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	db.DB = sqlx.NewDb(sqlDB, "postgres")
	return db, nil
}

// Statements returns the statements sent to the database since it was opened.
func (db *DB) Statements() int64 { return db.stats.Statements.Load() }

// WithDatabase returns dsn with its database name replaced by name.
func WithDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

// WithParams returns dsn with query parameters added (kept when already set).
func WithParams(dsn string, params map[string]string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("bad connection URL: %w", err)
	}
	q := u.Query()
	for k, v := range params {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// CreateDatabase creates database name on the server adminDSN points at,
// unless it exists.
func CreateDatabase(ctx context.Context, adminDSN, name string) error {
	db, err := sql.Open("postgres", adminDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("checking database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)+` ENCODING 'UTF8' TEMPLATE template0`)
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "42P04" { // created concurrently
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating database %s: %w", name, err)
	}
	return nil
}

// DropDatabase drops database name, closing its sessions first.
func DropDatabase(ctx context.Context, adminDSN, name string) error {
	db, err := sql.Open("postgres", adminDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`)
	return err
}

// Migrate applies the versioned SQL migrations in fsys (goose format) to db.
// Each department keeps its migrations next to its datasource, so each
// database has its own version history (table goose_db_version).
func Migrate(ctx context.Context, db *DB, fsys fs.FS) error {
	// Out of order: migrations written on parallel branches land with
	// versions below ones a database already has; they are applied, not
	// refused.
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB.DB, fsys, goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("migrations for %s: %w", db.Name, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrating %s: %w", db.Name, err)
	}
	return nil
}

// MapError translates a database error into the hub's vocabulary. Errors it
// does not know are returned unchanged (and reach clients as internal errors).
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return apperr.New(apperr.Timeout, "the database did not answer in time").Wrap(err)
	}
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return err
	}
	switch pqErr.Code {
	case "23505":
		return apperr.New(apperr.Conflict, "this already exists").Wrap(err)
	case "23503":
		return apperr.New(apperr.BadUserInput, "a referenced object does not exist").Wrap(err)
	case "40001", "40P01":
		return apperr.New(apperr.Conflict, "a concurrent change won; read again and retry").Wrap(err)
	case "57014":
		return apperr.New(apperr.Timeout, "the database cancelled a statement that ran too long").Wrap(err)
	}
	return err
}

// IsUniqueViolation reports whether err is a violation of the unique
// index or constraint named constraint.
func IsUniqueViolation(err error, constraint string) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23505" && pqErr.Constraint == constraint
}

// IsLockNotAvailable reports whether err is a NOWAIT lock that another
// transaction holds (55P03).
func IsLockNotAvailable(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "55P03"
}

// IsRefusal reports whether err is the server's own answer that waiting
// will not change (a wrong password, an unknown database, ...): any error
// the server reported but 57P03, "the database system is starting up".
func IsRefusal(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code != "57P03"
}

// MigrationsFS returns the directory dir of an embedded file system: the
// migrations each database embeds next to its code.
func MigrationsFS(f embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is embedded by the caller; a typo is a bug
	}
	return sub
}
