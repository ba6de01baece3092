package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"credithub/auth"
	"credithub/internal/apperr"
	"credithub/internal/hubdb"
	"credithub/internal/obs"
)

// logPersonalData writes the query log row of an answer that carries
// personal data and commits it before the answer is written. If the row
// cannot be committed the personal parts are withheld (set to null, with an
// error saying why) and the rest of the answer goes out: no log, no data.
func logPersonalData(ql *auth.QueryLog, logger *slog.Logger, m *obs.Metrics) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp == nil {
			return resp
		}
		d := auth.RequestFrom(ctx).Disclosed()
		if d.Empty() {
			return resp
		}
		p := auth.FromContext(ctx)
		op := graphql.GetOperationContext(ctx)
		sum := sha256.Sum256([]byte(op.RawQuery))
		entry := hubdb.QueryLogRow{
			RequestID: RequestID(ctx), Subject: p.Subject(), Org: p.Org(), Kind: string(p.Kind()),
			TokenID: p.TokenID(), Purpose: auth.LoggedPurpose(ctx), Operation: operationName(op),
			QueryHash: hex.EncodeToString(sum[:]), Persons: d.PersonRefs, PersonsMasked: d.PersonsMasked,
			Entities: d.Entities, Fields: d.Fields,
		}
		// The answer must not wait forever on the log, nor leave without it.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
		defer cancel()
		if ql == nil {
			m.QueryLogWrite(false, 0)
			return withhold(resp, d.Withhold, logger, ctx, nil)
		}
		start := time.Now()
		if _, err := ql.Append(lctx, entry); err != nil {
			m.QueryLogWrite(false, time.Since(start))
			return withhold(resp, d.Withhold, logger, ctx, err)
		}
		m.QueryLogWrite(true, time.Since(start))
		return resp
	}
}

func operationName(op *graphql.OperationContext) string {
	if op.OperationName != "" {
		return op.OperationName
	}
	if op.Operation != nil && op.Operation.Name != "" {
		return op.Operation.Name
	}
	return "(anonymous)"
}

// withhold nulls every personal part of the answer.
func withhold(resp *graphql.Response, paths []ast.Path, logger *slog.Logger, ctx context.Context, cause error) *graphql.Response {
	logger.ErrorContext(ctx, "query log not written: personal data withheld", "err", cause)
	var data any
	dec := json.NewDecoder(bytes.NewReader(resp.Data))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		resp.Data = []byte("null")
	} else {
		for _, p := range paths {
			setNull(data, p)
		}
		b, err := json.Marshal(data)
		if err != nil {
			b = []byte("null")
		}
		resp.Data = b
	}
	resp.Errors = append(resp.Errors, &gqlerror.Error{
		Message:    "personal data withheld: the query log could not be written, and no personal data leaves without its log row",
		Extensions: map[string]any{"code": apperr.QueryLogUnavailable},
	})
	return resp
}

// setNull sets the value at path in a decoded JSON document to null.
func setNull(doc any, path ast.Path) {
	cur := doc
	for i, el := range path {
		last := i == len(path)-1
		switch e := el.(type) {
		case ast.PathName:
			m, ok := cur.(map[string]any)
			if !ok {
				return
			}
			if last {
				if _, ok := m[string(e)]; ok {
					m[string(e)] = nil
				}
				return
			}
			cur = m[string(e)]
		case ast.PathIndex:
			a, ok := cur.([]any)
			if !ok || int(e) >= len(a) {
				return
			}
			if last {
				a[e] = nil
				return
			}
			cur = a[e]
		}
	}
}
