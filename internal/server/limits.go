package server

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"

	"credithub/internal/apperr"
)

// Limits bound what one document may ask, checked before any resolver runs
// (so before any SQL): its size and token count before it is even parsed,
// then its depth, aliases, root fields and static cost once it is. The
// defaults let every query of the README and the dashboards through; a
// 10,000-alias document is refused at its size, unread, and a depth-50 one
// once parsed, each in well under a millisecond (BenchmarkRefuseHostileDocument). With MeasureOnly they are logged and not enforced, for tuning.
type Limits struct {
	MaxBytes      int
	MaxTokens     int
	MaxDepth      int
	MaxAliases    int
	MaxRootFields int
	MaxCost       int
	// ListSize is the multiplier assumed for a list field without first or
	// last (a plain list such as responsiblePersons).
	ListSize int
	// MeasureOnly logs what a limit would refuse instead of refusing it.
	MeasureOnly bool
	Logger      *slog.Logger

	// costs are per-field weights from the schema's @cost directives.
	costs map[string]int
}

// DefaultLimits are the limits the hub runs with unless configured.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 32 << 10, MaxTokens: 5000, MaxDepth: 15, MaxAliases: 50, MaxRootFields: 20, MaxCost: 50000, ListSize: 10}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*Limits)(nil)

// ExtensionName names the extension in gqlgen's stats.
func (l *Limits) ExtensionName() string { return "QueryLimits" }

// Validate reads the @cost weights from the schema.
func (l *Limits) Validate(es graphql.ExecutableSchema) error {
	l.costs = map[string]int{}
	for name, def := range es.Schema().Types {
		for _, f := range def.Fields {
			if d := f.Directives.ForName("cost"); d != nil {
				if a := d.Arguments.ForName("weight"); a != nil {
					w, err := strconv.Atoi(a.Value.Raw)
					if err != nil || w < 0 {
						return fmt.Errorf("%s.%s: @cost weight must be a whole number", name, f.Name)
					}
					l.costs[name+"."+f.Name] = w
				}
			}
		}
	}
	return nil
}

// tooComplex is the refusal of a limit, naming it and the measured value.
func (l *Limits) tooComplex(ctx context.Context, limit string, max, measured int) *gqlerror.Error {
	if l.MeasureOnly {
		if l.Logger != nil {
			l.Logger.WarnContext(ctx, "query over a limit (measure-only)", "limit", limit, "max", max, "measured", measured)
		}
		return nil
	}
	return &gqlerror.Error{
		Message: fmt.Sprintf("the query is over the %s limit: %d, at most %d", limit, measured, max),
		Extensions: map[string]any{
			"code":     apperr.QueryTooComplex,
			"limit":    limit,
			"max":      max,
			"measured": measured,
		},
	}
}

// MutateOperationParameters checks the document's size and tokens before
// gqlparser sees it: a hostile document costs at most MaxTokens tokens of
// lexing.
func (l *Limits) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if n := len(raw.Query); l.MaxBytes > 0 && n > l.MaxBytes {
		if err := l.tooComplex(ctx, "bytes", l.MaxBytes, n); err != nil {
			return err
		}
	}
	if l.MaxTokens > 0 {
		lex := lexer.New(&ast.Source{Input: raw.Query})
		n := 0
		for {
			tok, err := lex.ReadToken()
			if err != nil || tok.Kind == lexer.EOF {
				break // a lexing error is the parser's to report
			}
			if n++; n > l.MaxTokens {
				if err := l.tooComplex(ctx, "tokens", l.MaxTokens, n); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

// MutateOperationContext measures the parsed operation.
func (l *Limits) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	m := l.Measure(op.Doc, op.Operation, op.Variables)
	for _, c := range []struct {
		name          string
		max, measured int
	}{
		{"rootFields", l.MaxRootFields, m.RootFields},
		{"depth", l.MaxDepth, m.Depth},
		{"aliases", l.MaxAliases, m.Aliases},
		{"cost", l.MaxCost, m.Cost},
	} {
		if c.max > 0 && c.measured > c.max {
			if err := l.tooComplex(ctx, c.name, c.max, c.measured); err != nil {
				return err
			}
		}
	}
	if m.BadPage != "" {
		if err := l.badPage(ctx, m.BadPage); err != nil {
			return err
		}
	}
	return nil
}

func (l *Limits) badPage(ctx context.Context, field string) *gqlerror.Error {
	if l.MeasureOnly {
		return l.tooComplex(ctx, "first", 100, 0)
	}
	return &gqlerror.Error{
		Message:    fmt.Sprintf("%s: first and last must be between 1 and 100", field),
		Extensions: map[string]any{"code": apperr.QueryTooComplex, "limit": "first", "max": 100},
	}
}

// Measure is what a document asks for.
type Measure struct {
	Depth      int
	Aliases    int
	RootFields int
	// Cost is the static cost in nodes: every object field counts its
	// @cost weight (default 1) times the objects it is asked for, which a
	// connection's first or last multiplies, and a plain list ListSize.
	Cost int
	// Points is what the query costs against the rate limit, GitHub's way:
	// the connection pages it needs (one per parent object) over 100,
	// at least 1.
	Points int
	// BadPage names a connection field whose first or last is outside 1..100.
	BadPage string
}

// Measure walks the operation, fragments expanded.
func (l *Limits) Measure(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) Measure {
	var m Measure
	m.RootFields = len(collect(doc, op.SelectionSet, nil))
	pages := 0
	// mult is how many times the selection set is asked for. page is the
	// page size when the set is a connection's: its edges and nodes lists
	// hold the page (page × mult objects), while its pageInfo and other
	// fields exist once per connection (mult).
	var walk func(set ast.SelectionSet, depth, mult, page int)
	walk = func(set ast.SelectionSet, depth, mult, page int) {
		for _, f := range collect(doc, set, nil) {
			if f.Alias != "" && f.Alias != f.Name {
				m.Aliases++
			}
			if depth > m.Depth {
				m.Depth = depth
			}
			if f.Definition == nil || len(f.SelectionSet) == 0 {
				continue // leaf fields cost nothing
			}
			weight := 1
			if f.ObjectDefinition != nil {
				if w, ok := l.costs[f.ObjectDefinition.Name+"."+f.Name]; ok {
					weight = w
				}
			}
			fmult, size, childPage := mult, 1, 0
			switch {
			case page > 0 && (f.Name == "edges" || f.Name == "nodes"):
				fmult = satMul(mult, page) // the page, not a list of ListSize
			case isList(f.Definition.Type):
				size = l.ListSize
			}
			if n, ok := batchSize(f, vars); ok {
				fmult, size = satMul(fmult, n), 1 // each element is an object, and costs the weight
			}
			m.Cost = satAdd(m.Cost, satMul(weight, fmult))
			if n, ok := pageSize(f, vars); ok {
				if n < 1 || n > 100 {
					m.BadPage = f.Name
				}
				size, childPage = 1, n
				pages = satAdd(pages, satMul(weight, fmult))
			}
			walk(f.SelectionSet, depth+1, satMul(fmult, size), childPage)
		}
	}
	walk(op.SelectionSet, 1, 1, 0)
	m.Points = max(1, (pages+99)/100)
	return m
}

// collect flattens a selection set: fields, and the fields of its
// fragments (each fragment spread once per path, so a fragment cycle, which
// validation refuses anyway, cannot loop).
func collect(doc *ast.QueryDocument, set ast.SelectionSet, seen map[string]bool) []*ast.Field {
	var out []*ast.Field
	for _, s := range set {
		switch v := s.(type) {
		case *ast.Field:
			out = append(out, v)
		case *ast.InlineFragment:
			out = append(out, collect(doc, v.SelectionSet, seen)...)
		case *ast.FragmentSpread:
			if seen == nil {
				seen = map[string]bool{}
			}
			if seen[v.Name] {
				continue
			}
			frag := doc.Fragments.ForName(v.Name)
			if frag == nil {
				continue
			}
			seen[v.Name] = true
			out = append(out, collect(doc, frag.SelectionSet, seen)...)
			delete(seen, v.Name)
		}
	}
	return out
}

func isList(t *ast.Type) bool {
	for ; t != nil; t = t.Elem {
		if t.Elem != nil {
			return true
		}
	}
	return false
}

// pageSize is a connection field's first or last, from a literal, a
// variable or the argument's default.
func pageSize(f *ast.Field, vars map[string]any) (int, bool) {
	for _, name := range []string{"first", "last"} {
		def := f.Definition.Arguments.ForName(name)
		if def == nil {
			continue
		}
		if a := f.Arguments.ForName(name); a != nil {
			v, err := a.Value.Value(vars)
			if err == nil {
				if n, ok := toInt(v); ok {
					return n, true
				}
			}
			continue
		}
		if def.DefaultValue != nil {
			if n, err := strconv.Atoi(def.DefaultValue.Raw); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

// batchArguments are the list fields that answer one object per element
// of an argument: a router's _entities per representation, creditChecks per
// bidder. Their size is the argument's length, not ListSize.
var batchArguments = map[string]string{"_entities": "representations", "creditChecks": "usccs"}

// batchSize is the length of a batch field's key argument.
func batchSize(f *ast.Field, vars map[string]any) (int, bool) {
	arg, ok := batchArguments[f.Name]
	if !ok {
		return 0, false
	}
	a := f.Arguments.ForName(arg)
	if a == nil {
		return 0, false
	}
	v, err := a.Value.Value(vars)
	if err != nil {
		return 0, false
	}
	list, ok := v.([]any)
	return len(list), ok
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	case interface{ Int64() (int64, error) }:
		n, err := x.Int64()
		return int(n), err == nil
	}
	return 0, false
}

const maxInt = int(^uint(0) >> 1)

func satAdd(a, b int) int {
	if a > maxInt-b {
		return maxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a != 0 && b > maxInt/a {
		return maxInt
	}
	return a * b
}
