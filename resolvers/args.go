package resolvers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"credithub/auth"
	"credithub/datasources"
	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/gid"
	"credithub/internal/hubdb"
	"credithub/internal/ident"
	"credithub/internal/loaders"
	"credithub/internal/scalars"
)

// MaxPageSize bounds `first` on every connection, as GitHub's API does.
const MaxPageSize = 100

// pageSize checks a connection's `first`.
func pageSize(first *int) (int, error) {
	if first == nil {
		return 20, nil
	}
	if *first < 1 || *first > MaxPageSize {
		return 0, apperr.BadInput("first", "first must be between 1 and %d, got %d", MaxPageSize, *first)
	}
	return *first, nil
}

// identError turns an identifier validation failure into BAD_USER_INPUT
// naming the argument and the rule.
func identError(field string, err error) error {
	var ie *ident.Error
	if errors.As(err, &ie) {
		return apperr.BadInput(field, "%s", ie.Message).With("rule", string(ie.Rule))
	}
	return apperr.BadInput(field, "%v", err)
}

// checkUSCC validates a unified social credit code the way the registry sees
// it: a code failing only its check character is accepted when the registry
// holds it as a legacy pilot code.
func checkUSCC(ctx context.Context, field, uscc string) error {
	err := ident.ValidateUSCC(uscc)
	if err == nil {
		return nil
	}
	var ie *ident.Error
	if !errors.As(err, &ie) || ie.Rule != ident.RuleCheckCharacter {
		return identError(field, err)
	}
	e, lerr := loaders.For(ctx).Entity.Load(ctx, uscc)()
	if lerr != nil {
		return lerr // the registry is down: the code cannot be vouched for
	}
	if e != nil && e.USCCLegacy {
		return nil
	}
	return identError(field, err)
}

// Cursors are opaque to clients; their payloads are the position only.
const (
	cursorRecord = "RecordCursor"
	cursorEntity = "EntityCursor"
)

func recordCursor(c datasources.Cursor) string {
	return gid.Encode(cursorRecord, strings.Join([]string{c.Date, c.Source, string(c.Kind), strconv.FormatInt(c.LocalID, 10)}, "|"))
}

func parseRecordCursor(s string) (datasources.Cursor, error) {
	bad := apperr.BadInput("after", "after must be a cursor returned by this connection")
	typ, payload, err := gid.Decode(s)
	if err != nil || typ != cursorRecord {
		return datasources.Cursor{}, bad
	}
	parts := strings.Split(payload, "|")
	if len(parts) != 4 {
		return datasources.Cursor{}, bad
	}
	if _, err := scalars.ParseDate(parts[0]); err != nil {
		return datasources.Cursor{}, bad
	}
	// A cursor stands on a department's record or on one of the hub's own
	// (a listing, a breach), whose source in the cursor is the hub.
	if _, ok := datasources.DepartmentByCode(parts[1]); (!ok && parts[1] != hubdb.Source) || !slices.Contains(credit.Kinds, credit.Kind(parts[2])) {
		return datasources.Cursor{}, bad
	}
	id, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return datasources.Cursor{}, bad
	}
	return datasources.Cursor{Date: parts[0], Source: parts[1], Kind: credit.Kind(parts[2]), LocalID: id}, nil
}

func entityCursor(uscc string) string { return gid.Encode(cursorEntity, uscc) }

func parseEntityCursor(s string) (string, error) {
	typ, payload, err := gid.Decode(s)
	if err != nil || typ != cursorEntity || utf8.RuneCountInString(payload) != 18 {
		return "", apperr.BadInput("after", "after must be a cursor returned by this connection")
	}
	return payload, nil
}

// recordsRequest validates a records(...) field's arguments for a subject
// and narrows it to what the caller may see (auth.ViewOf): openness is a
// property of the kind (and of whether the subject is a person), so it
// becomes a kind filter every department applies in SQL; callers who see
// only public records also see them only inside their publicity period,
// which the fan-out filters row by row.
func (r *Resolver) recordsRequest(ctx context.Context, sub datasources.Subject, filter *model.RecordFilter, first *int, after *string) (loaders.RecordsRequest, error) {
	n, err := pageSize(first)
	if err != nil {
		return loaders.RecordsRequest{}, err
	}
	req := loaders.RecordsRequest{Subject: sub, First: n}
	if after != nil {
		if req.After, err = parseRecordCursor(*after); err != nil {
			return req, err
		}
	}
	view := auth.ViewOf(ctx, auth.Subject{USCC: sub.USCC, IDNumber: sub.IDNumber})
	publicities := view.Publicities
	var kinds []credit.Kind
	if filter != nil {
		for _, code := range filter.Sources {
			if _, ok := datasources.DepartmentByCode(code); !ok {
				return req, apperr.BadInput("filter.sources", "unknown department %q; departments are market, environment, fire, housing and court", truncate(code))
			}
		}
		req.Sources = filter.Sources
		if filter.DecidedFrom != nil {
			req.From = filter.DecidedFrom.String()
		}
		if filter.DecidedTo != nil {
			req.To = filter.DecidedTo.String()
		}
		if filter.DecidedFrom != nil && filter.DecidedTo != nil && filter.DecidedTo.Before(*filter.DecidedFrom) {
			return req, apperr.BadInput("filter.decidedTo", "decidedTo (%s) is before decidedFrom (%s)", req.To, req.From)
		}
		kinds = filter.Kinds
		if len(filter.Publicity) > 0 {
			// A filter on what the caller may not see selects nothing; it
			// does not reveal whether such records exist.
			publicities = slices.DeleteFunc(slices.Clone(publicities), func(p credit.Publicity) bool {
				return !slices.Contains(filter.Publicity, p)
			})
		}
	}
	var open []credit.Kind
	for _, e := range r.Catalogue.Entries() {
		p := e.EntityPublicity
		if sub.IsPerson() {
			p = e.PersonPublicity
		}
		if slices.Contains(publicities, p) && (len(kinds) == 0 || slices.Contains(kinds, e.Kind)) {
			open = append(open, e.Kind)
		}
	}
	req.NoMatch = len(open) == 0
	req.Kinds = datasources.KindSetOf(open...)
	if view.PublicOnly {
		req.Visible = view.Sees
	}
	return req, nil
}

// truncate keeps a hostile argument from filling an error message.
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= 32 {
		return s
	}
	return string([]rune(s)[:32]) + "…"
}

func asAppErr(err error) *apperr.Error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// keyOf binds a mutation's idempotency key to the arguments it came with:
// the hash of the GraphQL field's arguments, without the key itself. A
// retry must repeat the request exactly; the same key with other arguments
// is refused (hubdb.Idempotent).
func keyOf(ctx context.Context, key string) hubdb.Key {
	args := map[string]any{}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		for k, v := range fc.Args {
			if k != "idempotencyKey" {
				args[k] = v
			}
		}
	}
	return hubdb.Key{Value: key, Fingerprint: hubdb.Fingerprint(args)}
}
