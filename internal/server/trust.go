package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/hubdb"
)

// Trust decides which documents a caller may run and whether it may
// introspect:
//   - agencies run only the operations registered for their org
//     (trusted_operation, by the SHA-256 of the text; `credithub safelist
//     register`), sent in full or by hash; anything else is refused;
//   - everyone else may use automatic persisted queries (Apollo's APQ: send
//     the hash, and the text once when the hub does not know it yet);
//   - introspection is open to the roles configured (development: all).
type Trust struct {
	// Operations holds the agencies' registered operations.
	Operations hubdb.OperationStore
	// Introspection is who may introspect: "all", "departments"
	// (departments and admins) or "none".
	Introspection string
	// Safelist restricts agencies to their registered operations.
	Safelist bool

	apq *lru.LRU[string]

	mu       sync.Mutex
	safelist map[string]map[string]string // org → sha256 → query
	loadedAt time.Time
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*Trust)(nil)

// ExtensionName names the extension.
func (t *Trust) ExtensionName() string { return "TrustedOperations" }

// Validate sets up the APQ cache.
func (t *Trust) Validate(graphql.ExecutableSchema) error {
	t.apq = lru.New[string](2000)
	return nil
}

func sha(q string) string {
	h := sha256.Sum256([]byte(q))
	return hex.EncodeToString(h[:])
}

func refused(code, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code}}
}

// persistedHash is the APQ hash of a request, if it carries one.
func persistedHash(raw *graphql.RawParams) string {
	pq, ok := raw.Extensions["persistedQuery"].(map[string]any)
	if !ok {
		return ""
	}
	h, _ := pq["sha256Hash"].(string)
	return h
}

// MutateOperationParameters resolves persisted queries and applies the
// agencies' safelist, before the document is parsed.
func (t *Trust) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	hash := persistedHash(raw)
	p := auth.FromContext(ctx)
	if t.Safelist && p.Kind() == auth.KindAgency {
		ops, err := t.registered(ctx, p.Org())
		if err != nil {
			return refused(apperr.OperationNotAllowed, "the agency's registered operations could not be read; try again")
		}
		if raw.Query != "" {
			hash = sha(raw.Query)
		}
		q, ok := ops[hash]
		if !ok {
			return refused(apperr.OperationNotAllowed, "agencies may run only the operations registered for them (credithub safelist register); this one is not")
		}
		raw.Query = q
		return nil
	}
	if hash == "" {
		return nil
	}
	if raw.Query == "" {
		q, ok := t.apq.Get(ctx, hash)
		if !ok {
			return refused(apperr.PersistedQueryNotFound, "PersistedQueryNotFound")
		}
		raw.Query = q
		return nil
	}
	if sha(raw.Query) != hash {
		return refused(apperr.PersistedQueryMismatched, "the persisted query's sha256Hash is not the hash of its text")
	}
	t.apq.Add(ctx, hash, raw.Query)
	return nil
}

// MutateOperationContext turns introspection on for the roles allowed it.
func (t *Trust) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	p := auth.FromContext(ctx)
	switch t.Introspection {
	case "all":
		op.DisableIntrospection = false
	case "departments":
		op.DisableIntrospection = !(p.Kind() == auth.KindDepartment || p.Kind() == auth.KindAdmin)
	default:
		op.DisableIntrospection = true
	}
	// A federation router reads the schema through _service { sdl }: it is
	// introspection by another name and open to the same roles.
	if op.DisableIntrospection && op.Operation != nil && op.Operation.Operation == ast.Query {
		for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, nil) {
			if f.Name == "_service" {
				return refused(apperr.IntrospectionDisabled, "_service (the schema's SDL) is not open to this caller, as introspection is not")
			}
		}
	}
	return nil
}

// registered returns an org's safelist, reread at most every 30 seconds so
// that a registration reaches every instance soon.
func (t *Trust) registered(ctx context.Context, org string) (map[string]string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.safelist == nil || time.Since(t.loadedAt) > 30*time.Second {
		rows, err := t.Operations.All(ctx)
		if err != nil {
			return nil, err
		}
		t.safelist = map[string]map[string]string{}
		for _, r := range rows {
			if t.safelist[r.Org] == nil {
				t.safelist[r.Org] = map[string]string{}
			}
			t.safelist[r.Org][r.SHA256] = r.Query
		}
		t.loadedAt = time.Now()
	}
	return t.safelist[org], nil
}

// Forget drops the cached safelist (after a registration in this process).
func (t *Trust) Forget() {
	t.mu.Lock()
	t.safelist = nil
	t.mu.Unlock()
}

// Register records operations an agency may run, keyed by the SHA-256 of
// their text, in one transaction; returns their hashes by name.
func Register(ctx context.Context, db *hubdb.DB, org string, ops map[string]string) (map[string]string, error) {
	out := map[string]string{}
	err := db.Transact(ctx, func(tx *hubdb.DB) error {
		for name, q := range ops {
			h := sha(q)
			if err := tx.Operations().Register(ctx, hubdb.TrustedOperation{Org: org, SHA256: h, Name: name, Query: q}); err != nil {
				return err
			}
			out[name] = h
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
