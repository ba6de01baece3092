package hubdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jmoiron/sqlx"

	"credithub/internal/apperr"
	"credithub/internal/sqldb"
)

// Idempotent runs write once per (principal, key): in one transaction it
// claims the key, runs write and stores its result; a retry with the same
// key gets the stored result and writes nothing. A concurrent retry waits
// for the first to commit (the key's row is locked by its INSERT) and then
// reads its result. The result must marshal to JSON.
//
// The key is bound to the request's arguments too (a hash of the GraphQL
// field's arguments): the same key with other arguments is a client's
// mistake, refused rather than answered with the first result.
func Idempotent[T any](ctx context.Context, db *sqlx.DB, principal, key, operation string, write func(tx *sqlx.Tx) (T, error)) (T, error) {
	var zero T
	if key == "" || len(key) > 200 {
		return zero, apperr.BadInput("idempotencyKey", "idempotencyKey must be 1 to 200 characters")
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return zero, err
	}
	defer tx.Rollback()
	fingerprint := argumentsHash(ctx)
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency (principal, key, operation, response, fingerprint)
		VALUES ($1, $2, $3, 'null', $4) ON CONFLICT DO NOTHING`, principal, key, operation, fingerprint)
	if err != nil {
		return zero, sqldb.MapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var stored struct {
			Operation   string `db:"operation"`
			Response    []byte `db:"response"`
			Fingerprint string `db:"fingerprint"`
		}
		err := tx.GetContext(ctx, &stored, `SELECT operation, response, fingerprint FROM idempotency WHERE principal = $1 AND key = $2`, principal, key)
		if errors.Is(err, sql.ErrNoRows) {
			return zero, apperr.New(apperr.Conflict, "a request with this idempotency key is still in progress; retry")
		}
		if err != nil {
			return zero, err
		}
		if stored.Operation != operation {
			return zero, apperr.BadInput("idempotencyKey", "this idempotency key was used for %s; use a new key for %s", stored.Operation, operation)
		}
		if stored.Fingerprint != "" && stored.Fingerprint != fingerprint {
			return zero, apperr.BadInput("idempotencyKey", "this idempotency key was used with other arguments; a retry must repeat the request exactly, a new request needs a new key")
		}
		var out T
		if err := json.Unmarshal(stored.Response, &out); err != nil {
			return zero, fmt.Errorf("reading the stored response: %w", err)
		}
		return out, nil
	}
	out, err := write(tx)
	if err != nil {
		return zero, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return zero, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE idempotency SET response = $3 WHERE principal = $1 AND key = $2`, principal, key, b); err != nil {
		return zero, err
	}
	if err := tx.Commit(); err != nil {
		return zero, sqldb.MapError(err)
	}
	return out, nil
}

// argumentsHash is the SHA-256 of the current GraphQL field's arguments
// without the idempotency key itself; "" outside a resolver.
func argumentsHash(ctx context.Context) string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return ""
	}
	args := map[string]any{}
	for k, v := range fc.Args {
		if k != "idempotencyKey" {
			args[k] = v
		}
	}
	b, err := json.Marshal(args) // map keys are sorted: the hash is stable
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
