// Package hotlist writes the hub's hottest answers, a page of credit
// records and a page of market entities, in one pass instead of gqlgen's
// field by field execution.
//
// Why: a page of 100 entities with 5 records each is about 5,000 fields,
// and gqlgen runs each through a field context, the field middleware and a
// marshaller; on the S2 benchmark that is half of the hub's CPU
// (dev/bench/README.md, "Issue #16 (3)"), and on a page of 100 entities
// two thirds. Every field of a record page is a plain value of
// credit.Base, and every field of an entity page the hub writes here is a
// plain value of the entity or of its legal representative, so the page
// can be written directly.
//
// What stays the same: the answer, byte for byte (TestOnePassWritesWhatGqlgenWrites
// and TestOnePassWritesEntityPagesAsGqlgen compare both paths over every
// kind of caller), and every field's openness, decided by
// auth.Rules.OpensAsIs, the rule the field middleware applies. The
// middleware still runs for the field that returns the page; this package
// only takes over the fields under it, and only when each of them would
// reach the caller untouched. A selection it does not know (a concrete
// type's own field, an entity's records or any other field with a resolver
// of its own, a deferred fragment, a field with arguments), a field that
// would be refused, masked or logged as personal, a value gqlgen would
// refuse as null: any of these and the page goes to gqlgen as before,
// whole.
package hotlist

import (
	"bytes"
	"context"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"credithub/auth"
	"credithub/graph/model"
	"credithub/internal/credit"
)

// Writer is the field middleware that writes record and entity pages in
// one pass.
type Writer struct {
	rules *auth.Rules
	// implementors are the type conditions each record type satisfies, as
	// gqlgen's generated code lists them: the type, its interfaces and
	// the unions it is in.
	implementors map[string][]string
	Options
}

// Options are what a Writer needs from above it.
type Options struct {
	// RecordPages and EntityPages, when set, are told of every page of
	// their kind: written in one pass or handed to gqlgen.
	RecordPages, EntityPages func(onePass bool)
	// LegalRepresentatives answers MarketEntity.legalRepresentative for a
	// page's entities at once, as its resolver answers it for each (the
	// resolvers package wires it); nil hands pages that ask for it to
	// gqlgen.
	LegalRepresentatives func(ctx context.Context, ents []*model.MarketEntity) ([]*model.Person, error)
}

// New returns a Writer for the schema, deciding openness with rules.
func New(schema *ast.Schema, rules *auth.Rules, opts Options) *Writer {
	w := &Writer{rules: rules, implementors: map[string][]string{}, Options: opts}
	names := []string{"MarketEntity", "Person"}
	for _, name := range credit.TypeNames {
		names = append(names, name)
	}
	for _, name := range names {
		def := schema.Types[name]
		if def == nil {
			continue
		}
		impl := append([]string{name}, def.Interfaces...)
		for _, t := range schema.Types {
			if t.Kind == ast.Union {
				for _, member := range t.Types {
					if member == name {
						impl = append(impl, t.Name)
					}
				}
			}
		}
		w.implementors[name] = impl
	}
	return w
}

// FieldMiddleware runs inside the openness middleware: the field that
// returns a page has passed its rule before the page is written.
func (w *Writer) FieldMiddleware(ctx context.Context, next graphql.Resolver) (any, error) {
	v, err := next(ctx)
	if err != nil {
		return v, err
	}
	var write func(p *page, sel ast.SelectionSet)
	var counted func(onePass bool)
	switch conn := v.(type) {
	case *model.CreditRecordConnection:
		if conn == nil {
			return v, nil
		}
		write, counted = func(p *page, sel ast.SelectionSet) { p.connection(sel, conn) }, w.RecordPages
	case *model.MarketEntityConnection:
		if conn == nil {
			return v, nil
		}
		write, counted = func(p *page, sel ast.SelectionSet) { p.entityConnection(sel, conn) }, w.EntityPages
	default:
		return v, nil
	}
	fc, oc := graphql.GetFieldContext(ctx), graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return v, nil
	}
	p := page{Writer: w, ctx: ctx, oc: oc, byType: map[string][]graphql.CollectedField{},
		nested: map[*ast.Field][]graphql.CollectedField{}}
	write(&p, fc.Field.Selections)
	if counted != nil {
		counted(p.ok())
	}
	if !p.ok() {
		return v, nil
	}
	out := p.buf.Bytes()
	return graphql.WriterFunc(func(wr io.Writer) { wr.Write(out) }), nil
}

// page is one page being written; declined says why it went to gqlgen.
type page struct {
	*Writer
	ctx      context.Context
	oc       *graphql.OperationContext
	buf      bytes.Buffer
	declined string
	// byType caches the fields a record node selects, per record type;
	// nested the fields of each nested selection (a record's source and
	// disclosure), which every record of the page shares.
	byType map[string][]graphql.CollectedField
	nested map[*ast.Field][]graphql.CollectedField
	// entities are an entity page's nodes, and legalReps their legal
	// representatives, read for all of them the first time one is asked.
	entities  []*model.MarketEntity
	legalReps map[*model.MarketEntity]*model.Person
}

func (p *page) ok() bool { return p.declined == "" }

func (p *page) decline(why string) { p.declined = why }

// fields collects a selection for the type conditions satisfies, and
// declines what gqlgen alone can run: deferred fragments and fields with
// arguments.
func (p *page) fields(sel ast.SelectionSet, satisfies ...string) []graphql.CollectedField {
	fs := graphql.CollectFields(p.oc, sel, satisfies)
	for _, f := range fs {
		if len(f.Deferrables) > 0 || len(f.Arguments) > 0 {
			p.decline("deferred or with arguments: " + f.Name)
		}
	}
	return fs
}

// nestedFields is fields for a nested object's selection under f,
// collected once a page.
func (p *page) nestedFields(f graphql.CollectedField, satisfies ...string) []graphql.CollectedField {
	fs, ok := p.nested[f.Field]
	if !ok {
		fs = p.fields(f.Selections, satisfies...)
		p.nested[f.Field] = fs
	}
	return fs
}

// open asks the one rule whether object.field under parent reaches this
// caller untouched; subject (may be nil) is whose data it is.
func (p *page) open(object, field string, parent any, subject func() auth.Subject) bool {
	if !p.rules.OpensAsIs(p.ctx, object, field, parent, subject) {
		p.decline("not open as is: " + object + "." + field)
		return false
	}
	return true
}

// object writes {"alias":value,...} for fields, each value by write;
// __typename is written here, as gqlgen does, without a rule.
func (p *page) object(typeName string, fs []graphql.CollectedField, parent any, subject func() auth.Subject, write func(f graphql.CollectedField)) {
	p.buf.WriteByte('{')
	for i, f := range fs {
		if !p.ok() {
			return
		}
		if i > 0 {
			p.buf.WriteByte(',')
		}
		graphql.MarshalString(f.Alias).MarshalGQL(&p.buf)
		p.buf.WriteByte(':')
		if f.Name == "__typename" {
			graphql.MarshalString(typeName).MarshalGQL(&p.buf)
			continue
		}
		if p.open(typeName, f.Name, parent, subject) {
			write(f)
		}
	}
	p.buf.WriteByte('}')
}

func (p *page) connection(sel ast.SelectionSet, conn *model.CreditRecordConnection) {
	const typeName = "CreditRecordConnection"
	p.object(typeName, p.fields(sel, typeName), conn, nil, func(f graphql.CollectedField) {
		switch f.Name {
		case "edges":
			p.edges(f.Selections, conn.Edges)
		case "pageInfo":
			p.pageInfo(f.Selections, conn.PageInfo)
		case "complete":
			p.boolean(conn.Complete)
		case "missingSources":
			fs := p.fields(f.Selections, "Department")
			list(p, conn.MissingSources, func(d *credit.Department) { p.department(fs, d, nil) })
		default:
			p.decline("field " + f.Name)
		}
	})
}

func (p *page) edges(sel ast.SelectionSet, edges []*model.CreditRecordEdge) {
	const typeName = "CreditRecordEdge"
	fs := p.fields(sel, typeName)
	list(p, edges, func(e *model.CreditRecordEdge) {
		if e == nil {
			p.decline("a null edge")
			return
		}
		p.object(typeName, fs, e, nil, func(f graphql.CollectedField) {
			switch f.Name {
			case "cursor":
				graphql.MarshalString(e.Cursor).MarshalGQL(&p.buf)
			case "node":
				p.record(f.Selections, e.Node)
			default:
				p.decline("field " + f.Name)
			}
		})
	})
}

// list writes a JSON list of items, each by write, and stops at the first
// that declines the page.
func list[T any](p *page, items []T, write func(T)) {
	p.buf.WriteByte('[')
	for i, it := range items {
		if !p.ok() {
			return
		}
		if i > 0 {
			p.buf.WriteByte(',')
		}
		write(it)
	}
	p.buf.WriteByte(']')
}

func (p *page) pageInfo(sel ast.SelectionSet, pi *model.PageInfo) {
	const typeName = "PageInfo"
	if pi == nil {
		p.decline("no pageInfo")
		return
	}
	p.object(typeName, p.fields(sel, typeName), pi, nil, func(f graphql.CollectedField) {
		switch f.Name {
		case "hasNextPage":
			p.boolean(pi.HasNextPage)
		case "hasPreviousPage":
			p.boolean(pi.HasPreviousPage)
		case "startCursor":
			p.optString(pi.StartCursor)
		case "endCursor":
			p.optString(pi.EndCursor)
		default:
			p.decline("field " + f.Name)
		}
	})
}

// record writes a record node: only the CreditRecord interface's fields,
// every one a field of credit.Base, which every record type's GraphQL
// fields read as they are (TestRecordTypesReadTheBaseAsItIs).
func (p *page) record(sel ast.SelectionSet, rec credit.Record) {
	if rec == nil {
		p.decline("a null record")
		return
	}
	b := rec.Common()
	typeName, ok := credit.TypeNames[b.Kind]
	impl := p.implementors[typeName]
	if !ok || impl == nil {
		p.decline("record kind " + string(b.Kind))
		return
	}
	fs, ok := p.byType[typeName]
	if !ok {
		fs = p.fields(sel, impl...)
		p.byType[typeName] = fs
	}
	subject := func() auth.Subject { return auth.RecordSubject(rec) }
	p.object(typeName, fs, rec, subject, func(f graphql.CollectedField) {
		switch f.Name {
		case "id":
			graphql.MarshalID(b.ID).MarshalGQL(&p.buf)
		case "kind":
			b.Kind.MarshalGQL(&p.buf)
		case "source":
			if b.Source == nil {
				p.decline("a record without its source")
				return
			}
			p.department(p.nestedFields(f, "Department"), b.Source, subject)
		case "decisionNo":
			p.optString(b.DecisionNo)
		case "decisionDate":
			b.DecisionDate.MarshalGQL(&p.buf)
		case "summary":
			graphql.MarshalString(b.Summary).MarshalGQL(&p.buf)
		case "publicity":
			b.Publicity.MarshalGQL(&p.buf)
		case "status":
			b.Status.MarshalGQL(&p.buf)
		case "severity":
			nullable(p, b.Severity)
		case "authority":
			p.optString(b.Authority)
		case "legacyKey":
			p.optString(b.LegacyKey)
		case "disclosure":
			p.disclosure(p.nestedFields(f, "Disclosure"), b.Disclosure, subject)
		default:
			p.decline("field " + typeName + "." + f.Name)
		}
	})
}

func (p *page) department(fs []graphql.CollectedField, d *credit.Department, subject func() auth.Subject) {
	if d == nil {
		p.decline("a null department")
		return
	}
	p.object("Department", fs, d, subject, func(f graphql.CollectedField) {
		switch f.Name {
		case "code":
			graphql.MarshalID(d.Code).MarshalGQL(&p.buf)
		case "name":
			graphql.MarshalString(d.Name).MarshalGQL(&p.buf)
		default:
			p.decline("field Department." + f.Name)
		}
	})
}

func (p *page) disclosure(fs []graphql.CollectedField, d *credit.Disclosure, subject func() auth.Subject) {
	if d == nil {
		p.null()
		return
	}
	p.object("Disclosure", fs, d, subject, func(f graphql.CollectedField) {
		switch f.Name {
		case "dueDate":
			d.DueDate.MarshalGQL(&p.buf)
		case "publishedDate":
			nullable(p, d.PublishedDate)
		case "onTime":
			p.boolean(d.OnTime)
		case "overdue":
			p.boolean(d.Overdue)
		case "workingDaysLate":
			p.buf.WriteString(strconv.Itoa(d.WorkingDaysLate))
		default:
			p.decline("field Disclosure." + f.Name)
		}
	})
}

func (p *page) null() { p.buf.WriteString("null") }

// nullable writes an optional scalar or enum, null when it is nil, as
// gqlgen's marshaller of an optional value does.
func nullable[T interface{ MarshalGQL(w io.Writer) }](p *page, v *T) {
	if v == nil {
		p.null()
		return
	}
	(*v).MarshalGQL(&p.buf)
}

func (p *page) boolean(v bool) { p.buf.WriteString(strconv.FormatBool(v)) }

func (p *page) optString(s *string) {
	if s == nil {
		p.null()
		return
	}
	graphql.MarshalString(*s).MarshalGQL(&p.buf)
}
