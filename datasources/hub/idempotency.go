package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"credithub/apperr"
	"credithub/sqldb"
)

// Idempotent runs write once per (principal, key): in one transaction it
// claims the key, runs write and stores its result; a retry with the same
// key gets the stored result and writes nothing. A concurrent retry waits
// for the first to commit (the key's row is locked by its INSERT) and then
// reads its result. The result must marshal to JSON.
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
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency (principal, key, operation, response)
		VALUES ($1, $2, $3, 'null') ON CONFLICT DO NOTHING`, principal, key, operation)
	if err != nil {
		return zero, sqldb.MapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var stored struct {
			Operation string `db:"operation"`
			Response  []byte `db:"response"`
		}
		err := tx.GetContext(ctx, &stored, `SELECT operation, response FROM idempotency WHERE principal = $1 AND key = $2`, principal, key)
		if errors.Is(err, sql.ErrNoRows) {
			return zero, apperr.New(apperr.Conflict, "a request with this idempotency key is still in progress; retry")
		}
		if err != nil {
			return zero, err
		}
		if stored.Operation != operation {
			return zero, apperr.BadInput("idempotencyKey", "this idempotency key was used for %s; use a new key for %s", stored.Operation, operation)
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
