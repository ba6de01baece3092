package hubdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"credithub/internal/apperr"
)

// Key is a client's idempotency key for one mutation, bound to the
// arguments it came with: Fingerprint is the SHA-256 of those arguments
// without the key (Fingerprint computes it). The same key with other
// arguments is the client's mistake, refused rather than answered with the
// first result.
type Key struct {
	Value       string
	Fingerprint string
}

// Fingerprint returns the SHA-256 of a mutation's arguments (without the
// idempotency key itself), as Key.Fingerprint wants it. Map keys are
// sorted by encoding/json, so the hash is stable.
func Fingerprint(args map[string]any) string {
	b, err := json.Marshal(args)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Idempotent runs write once per (principal, key): in one transaction it
// claims the key, runs write and stores its result; a retry with the same
// key gets the stored result and writes nothing. A concurrent retry waits
// for the first to commit (the key's row is locked by its INSERT) and then
// reads its result. The result must marshal to JSON. principal names the
// caller (auth.Principal.Key), operation the mutation.
func Idempotent[T any](ctx context.Context, db *DB, principal string, key Key, operation string, write func(tx *DB) (T, error)) (T, error) {
	var zero T
	if key.Value == "" || len(key.Value) > 200 {
		return zero, apperr.BadInput("idempotencyKey", "idempotencyKey must be 1 to 200 characters")
	}
	return Transaction(ctx, db, func(tx *DB) (T, error) {
		n, err := tx.exec(ctx, `INSERT INTO idempotency (principal, key, operation, response, fingerprint)
			VALUES ($1, $2, $3, 'null', $4) ON CONFLICT DO NOTHING`, principal, key.Value, operation, key.Fingerprint)
		if err != nil {
			return zero, err
		}
		if n == 0 {
			return replay[T](ctx, tx, principal, key, operation)
		}
		out, err := write(tx)
		if err != nil {
			return zero, err
		}
		b, err := json.Marshal(out)
		if err != nil {
			return zero, err
		}
		if _, err := tx.exec(ctx, `UPDATE idempotency SET response = $3 WHERE principal = $1 AND key = $2`, principal, key.Value, b); err != nil {
			return zero, err
		}
		return out, nil
	})
}

// replay answers a retry with the first request's stored result.
func replay[T any](ctx context.Context, tx *DB, principal string, key Key, operation string) (T, error) {
	var zero T
	var stored struct {
		Operation   string `db:"operation"`
		Response    []byte `db:"response"`
		Fingerprint string `db:"fingerprint"`
	}
	err := tx.get(ctx, &stored, `SELECT operation, response, fingerprint FROM idempotency WHERE principal = $1 AND key = $2`, principal, key.Value)
	if errors.Is(err, sql.ErrNoRows) {
		return zero, apperr.New(apperr.Conflict, "a request with this idempotency key is still in progress; retry")
	}
	if err != nil {
		return zero, err
	}
	if stored.Operation != operation {
		return zero, apperr.BadInput("idempotencyKey", "this idempotency key was used for %s; use a new key for %s", stored.Operation, operation)
	}
	if stored.Fingerprint != "" && stored.Fingerprint != key.Fingerprint {
		return zero, apperr.BadInput("idempotencyKey", "this idempotency key was used with other arguments; a retry must repeat the request exactly, a new request needs a new key")
	}
	var out T
	if err := json.Unmarshal(stored.Response, &out); err != nil {
		return zero, fmt.Errorf("reading the stored response: %w", err)
	}
	return out, nil
}
