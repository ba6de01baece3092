package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"credithub/internal/apperr"
	"credithub/internal/scalars"
)

// presentError is the one place errors become GraphQL errors. A typed
// error (apperr) keeps its code, message and extensions; an invalid scalar
// is BAD_USER_INPUT; errors gqlgen and gqlparser raised for the document keep
// theirs; anything else is a bug or an outage whose words may leak internals,
// so the client reads "internal error" and the log gets the rest.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var ae *apperr.Error
		switch {
		case errors.As(err, &ae):
			gqlErr.Message = ae.Message
			gqlErr.Extensions = map[string]any{"code": ae.Code}
			for k, v := range ae.Extensions {
				gqlErr.Extensions[k] = v
			}
			if ae.Code == apperr.Internal || ae.Code == apperr.SourceUnavailable || ae.Code == apperr.Timeout {
				logger.WarnContext(ctx, "graphql error", "code", ae.Code, "path", gqlErr.Path.String(), "err", err)
			}
		case errors.Is(err, scalars.ErrInvalid):
			gqlErr.Extensions = map[string]any{"code": apperr.BadUserInput}
		case gqlErr.Extensions["code"] != nil:
			// A parse or validation error of the document; gqlgen coded it.
		case isInputError(err):
			gqlErr.Extensions = map[string]any{"code": apperr.BadUserInput}
		default:
			logger.ErrorContext(ctx, "internal error", "path", gqlErr.Path.String(), "err", err)
			gqlErr.Message = "internal error"
			gqlErr.Extensions = map[string]any{"code": apperr.Internal, "requestId": RequestID(ctx)}
		}
		return gqlErr
	}
}

// isInputError reports whether gqlgen raised err while reading an argument
// (an enum or scalar value it could not unmarshal): the caller's mistake.
func isInputError(err error) bool {
	var ge *gqlerror.Error
	if errors.As(err, &ge) && ge.Rule != "" {
		return true
	}
	return false
}

// recoverPanic turns a resolver panic into an internal error: a panic is a
// bug, not a crash.
func recoverPanic(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return apperr.New(apperr.Internal, "internal error").With("requestId", RequestID(ctx))
	}
}
