package server

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"credithub/internal/apperr"
)

// Text is the one check of every string argument, for every field: a NUL
// byte, a control character, invalid UTF-8 or U+FFFD in any argument —
// written in the document or passed in a variable, at any depth of an input
// object or a list — refuses the whole operation as BAD_USER_INPUT naming
// the argument, before any resolver runs and so before any SQL. Without it
// PostgreSQL refuses a NUL in a text parameter, and the department that
// received it is reported unavailable for the caller's mistake.
//
// What is refused, and why:
//   - U+0000 and the other C0 control characters but tab, line feed and
//     carriage return (which addresses and reasons may hold), DEL and the C1
//     controls: no name, code or reason holds them, and they rewrite
//     terminals and logs;
//   - invalid UTF-8 (a GET's query string can carry it; a JSON body that is
//     not UTF-8 is refused with 400 before it reaches GraphQL);
//   - U+FFFD, the replacement character: the JSON decoder and the GraphQL
//     lexer put it for a lone UTF-16 surrogate (\ud800) or a byte that was
//     not UTF-8, so it stands for text damaged on its way here, which would
//     otherwise be searched for or stored as it came.
type Text struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Text{}

// ExtensionName names the extension.
func (Text) ExtensionName() string { return "HostileText" }

// Validate accepts any schema.
func (Text) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext walks every argument of every field (and
// directive) of the operation, fragments included, with its variables
// resolved.
func (Text) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	w := textWalker{vars: op.Variables, seen: map[string]bool{}}
	return w.selections(op.Operation.SelectionSet)
}

type textWalker struct {
	vars map[string]any
	seen map[string]bool // fragments walked
}

func (w *textWalker) selections(set ast.SelectionSet) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if err := w.arguments(s.Name, s.Arguments); err != nil {
				return err
			}
			for _, d := range s.Directives {
				if err := w.arguments(s.Name+" @"+d.Name, d.Arguments); err != nil {
					return err
				}
			}
			if err := w.selections(s.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := w.selections(s.SelectionSet); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if w.seen[s.Name] || s.Definition == nil {
				continue
			}
			w.seen[s.Name] = true
			if err := w.selections(s.Definition.SelectionSet); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *textWalker) arguments(field string, args ast.ArgumentList) *gqlerror.Error {
	for _, a := range args {
		v, err := a.Value.Value(w.vars)
		if err != nil {
			continue // validation has refused it already
		}
		if err := walkText(field, a.Name, v); err != nil {
			return err
		}
	}
	return nil
}

// walkText checks every string inside v: a string, a list, an input object.
func walkText(field, path string, v any) *gqlerror.Error {
	switch x := v.(type) {
	case string:
		return checkText(field, path, x)
	case []any:
		for i, e := range x {
			if err := walkText(field, path+"["+strconv.Itoa(i)+"]", e); err != nil {
				return err
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the first hostile member, the same every time
		for _, k := range keys {
			if err := checkText(field, path+" (a key)", k); err != nil {
				return err
			}
			if err := walkText(field, path+"."+k, x[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkText refuses a hostile string, naming the argument, the position and
// the rule.
func checkText(field, path, s string) *gqlerror.Error {
	for i, r := range s {
		var rule, what string
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				rule, what = "invalid_utf8", fmt.Sprintf("a byte that is not UTF-8 (0x%02X)", s[i])
			} else {
				rule, what = "replacement_character", "U+FFFD, the replacement character (a lone UTF-16 surrogate such as \\ud800, or text that was not UTF-8)"
			}
		case r == 0:
			rule, what = "nul", "a NUL character (U+0000)"
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7F, r >= 0x80 && r <= 0x9F:
			rule, what = "control_character", fmt.Sprintf("the control character U+%04X", r)
		default:
			continue
		}
		pos := utf8.RuneCountInString(s[:i]) + 1
		return &gqlerror.Error{
			Message: fmt.Sprintf("argument %s of %s holds %s at character %d; text may hold no NUL, no control character other than tab, line feed and carriage return, no U+FFFD and nothing but UTF-8",
				path, field, what, pos),
			Extensions: map[string]any{"code": apperr.BadUserInput, "field": path, "graphqlField": field, "rule": rule, "position": pos},
		}
	}
	return nil
}
