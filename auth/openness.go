package auth

import (
	"context"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"credithub/internal/apperr"
	"credithub/internal/credit"
	"credithub/internal/ident"
)

// FieldMiddleware is the one place the schema's openness markings and the
// mutations' write scopes (@write, refused before the mutation runs) are
// enforced. gqlgen calls it for every field it resolves, however the query
// reached it (aliases, fragments, interfaces, node, lists, connections), so
// no resolver can forget a rule.
//
// A field under a credit record is as closed as the record: the record's
// publicity (from the information catalogue) raises the field's marking.
// A refused field is null with an error naming what is missing, or for
// masked fields (ID numbers, mobiles) the masked value with that error. A
// personal value that is let through is noted for the query log.
func (r *Rules) FieldMiddleware(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return next(ctx)
	}
	rule := r.For(fc.Object, fc.Field.Name)
	if rule.Write != "" && !FromContext(ctx).HasScope(rule.Write) {
		// Before the mutation runs: nothing is read, locked or written.
		return nil, apperr.New(apperr.Forbidden, "%s needs the %s scope", fc.Field.Name, rule.Write).
			With("requiredScopes", []string{rule.Write})
	}
	level, scope := fieldLevel(rule, fc.Parent)
	if level == Public && len(rule.Only) == 0 {
		return next(ctx)
	}
	subj := r.subjectOf(fc)
	err := Decide(ctx, level, scope, subj)
	if err == nil {
		err = OnlyFor(ctx, rule.Only, subj)
	}
	if err != nil {
		if rule.Mask == MaskNone {
			return nil, err
		}
		v, rerr := next(ctx)
		if rerr != nil {
			return nil, rerr
		}
		graphql.AddError(ctx, err)
		return mask(v, rule.Mask), nil
	}
	v, err := next(ctx)
	if err == nil && level == Personal && !isNil(v) {
		RequestFrom(ctx).Disclose(subj, fc.Object+"."+fc.Field.Name, withholdPath(fc))
	}
	return v, err
}

// fieldLevel is a field's marking under its parent: the schema's, raised
// by the parent's publicity when the parent is a credit record (or a list
// entry whose openness is data). Reflection only for a list's elements
// (deref); an object's own fields are decided by a type switch.
func fieldLevel(rule Rule, parent *graphql.FieldContext) (Level, string) {
	if parent == nil {
		return rule.Level, rule.Scope
	}
	res := parent.Result
	if parent.Index != nil {
		// A list's element comes as a pointer to it (&v[i]): without
		// unwrapping, an objection to a person's record listed in myWork
		// was not raised to personal, and its read went unlogged.
		res = deref(res)
	}
	return levelUnder(rule, res)
}

func levelUnder(rule Rule, parent any) (Level, string) {
	level, scope := rule.Level, rule.Scope
	// A record's shared level is record:read's to open; another
	// object's (a key-attention list entry) entity:read's.
	var p credit.Publicity
	sharedScope := ScopeRecordRead
	switch x := parent.(type) {
	case credit.Record:
		p = x.Common().Publicity
	case opened:
		p, sharedScope = x.OpennessLevel(), ScopeEntityRead
	}
	if l := LevelOf(p); p != "" && l > level {
		level, scope = l, sharedScope
		if l == Personal {
			scope = ScopePersonRead
		}
	}
	return level, scope
}

// OpensAsIs reports whether FieldMiddleware would hand object.field, under
// parent (the object's value), to this caller as it is: not refused, not
// masked, and not personal (a personal value is noted for the query log,
// which only the middleware does). subject is whose data the field is;
// nil when the caller cannot tell, and then only a field open to all
// passes. Code that writes part of an answer without gqlgen's field
// execution (internal/hotlist) asks it for every field it writes, so that
// a field is as open there as on every other path.
func (r *Rules) OpensAsIs(ctx context.Context, object, field string, parent any, subject func() Subject) bool {
	rule := r.For(object, field)
	if rule.Write != "" || rule.Mask != MaskNone {
		return false
	}
	level, scope := levelUnder(rule, parent)
	switch {
	case level == Personal:
		return false
	case level == Public && len(rule.Only) == 0:
		return true
	case subject == nil:
		return false
	}
	subj := subject()
	return Decide(ctx, level, scope, subj) == nil && OnlyFor(ctx, rule.Only, subj) == nil
}

// SubjectFunc tells whose data an object of the graph is, for the objects
// auth cannot know itself (the generated entity and person models); the
// app wires it in, so that auth depends on no generated code.
type SubjectFunc func(obj any) (Subject, bool)

// dataSubject is implemented by the workflows' objects.
type dataSubject interface {
	DataSubject() (uscc, idNumber string)
}

// opened is implemented by objects whose openness is data (list entries).
type opened interface{ OpennessLevel() credit.Publicity }

// subjectOf finds whose data a field is: the nearest entity, person, record
// or workflow object above it, or for a root field its idNumber/uscc
// argument.
func (r *Rules) subjectOf(fc *graphql.FieldContext) Subject {
	for it := fc.Parent; it != nil; it = it.Parent {
		v := deref(it.Result)
		switch x := v.(type) {
		case credit.Record:
			return RecordSubject(x)
		case dataSubject:
			u, id := x.DataSubject()
			return Subject{USCC: u, IDNumber: id}
		}
		if r.Subjects != nil {
			if s, ok := r.Subjects(v); ok {
				return s
			}
		}
	}
	var s Subject
	if id, ok := fc.Args["idNumber"].(string); ok {
		s.IDNumber = id
	}
	if u, ok := fc.Args["uscc"].(string); ok {
		s.USCC = u
	}
	return s
}

// deref unwraps the pointers gqlgen puts around list elements (&v[i]).
func deref(v any) any {
	for v != nil {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			return v
		}
		switch rv.Elem().Kind() {
		case reflect.Pointer, reflect.Interface:
			if rv.Elem().IsNil() {
				return nil
			}
			v = rv.Elem().Interface()
		default:
			return v
		}
	}
	return nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return rv.IsNil()
	}
	return false
}

// withholdPath is the path of the nearest field that may be null: what the
// answer loses if its personal data has to be withheld.
func withholdPath(fc *graphql.FieldContext) ast.Path {
	for it := fc; it != nil; it = it.Parent {
		if it.Index != nil || it.Field.Field == nil || it.Field.Definition == nil {
			continue
		}
		if !it.Field.Definition.Type.NonNull {
			return it.Path()
		}
	}
	return fc.Path()
}

func mask(v any, m Mask) any {
	s, ok := v.(*string)
	if !ok || s == nil {
		return nil
	}
	var out string
	switch m {
	case MaskIDNumber:
		out = ident.MaskResidentID(*s)
	case MaskMobile:
		out = ident.MaskMobile(*s)
	case MaskName:
		out = ident.MaskName(*s)
	default:
		return nil
	}
	return &out
}
