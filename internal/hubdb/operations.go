package hubdb

import "context"

// TrustedOperation is a row of trusted_operation: an operation an agency
// may run, by the SHA-256 of its text.
type TrustedOperation struct {
	Org    string `db:"org"`
	SHA256 string `db:"sha256"`
	Name   string `db:"name"`
	Query  string `db:"query"`
}

// OperationStore keeps the agencies' safelists: the operations each agency
// may run.
type OperationStore interface {
	// All returns every agency's registered operations.
	All(ctx context.Context) ([]TrustedOperation, error)
	// Register records op for its agency; registering the same text again
	// renames it.
	Register(ctx context.Context, op TrustedOperation) error
}

// Operations returns the trusted operations' store.
func (d *DB) Operations() OperationStore { return operations{d} }

type operations struct{ d *DB }

func (s operations) All(ctx context.Context) ([]TrustedOperation, error) {
	var out []TrustedOperation
	err := s.d.sel(ctx, &out, `SELECT org, sha256, name, query FROM trusted_operation`)
	return out, err
}

func (s operations) Register(ctx context.Context, op TrustedOperation) error {
	_, err := s.d.exec(ctx, `INSERT INTO trusted_operation (org, sha256, name, query) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org, sha256) DO UPDATE SET name = EXCLUDED.name`, op.Org, op.SHA256, op.Name, op.Query)
	return err
}
