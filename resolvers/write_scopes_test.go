package resolvers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"credithub/auth"
	"credithub/graph"
	"credithub/internal/app/apptest"
	"credithub/internal/apperr"
)

// SECURITY: every mutation of the schema, sent with syntactically valid
// arguments by a department, an agency and an entity that hold every read
// scope and a purpose — and by a department holding every scope but the
// mutation's own — is refused FORBIDDEN naming the mutation's @write scope,
// before anything is written: the hub's tables keep their row counts. A
// read scope never grants a write.
func TestEveryMutationNeedsItsWriteScope(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Entities: 30})
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	uscc := h.World.Entities[0].USCC
	readers := map[string]func(t *testing.T) map[string]string{
		"department": func(t *testing.T) map[string]string {
			return apptest.As(t, auth.KindDepartment, "market", "LAW_ENFORCEMENT", auth.ReadScopes...)
		},
		"agency": func(t *testing.T) map[string]string {
			return apptest.As(t, auth.KindAgency, "agency-1", "AUTHORIZED_QUERY", auth.ReadScopes...)
		},
		"entity": func(t *testing.T) map[string]string {
			return apptest.As(t, auth.KindEntity, uscc, "ADMINISTRATIVE_APPROVAL", auth.ReadScopes...)
		},
	}
	before := hubRowCounts(t, h)
	if len(schema.Mutation.Fields) < 26 {
		t.Fatalf("the schema has %d mutations", len(schema.Mutation.Fields))
	}
	for _, f := range schema.Mutation.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		d := f.Directives.ForName("write")
		if d == nil || d.Arguments.ForName("scope") == nil {
			t.Errorf("Mutation.%s has no @write scope", f.Name)
			continue
		}
		scope := d.Arguments.ForName("scope").Value.Raw
		doc := mutationDocument(schema, f)
		callers := map[string]map[string]string{}
		for who, as := range readers {
			callers[who+" with every read scope"] = as(t)
		}
		var others []string
		for _, s := range auth.Scopes {
			if s != scope {
				others = append(others, s)
			}
		}
		callers["department with every other scope"] = apptest.As(t, auth.KindDepartment, "market", "LAW_ENFORCEMENT", others...)
		for who, headers := range callers {
			t.Run(f.Name+"/"+who, func(t *testing.T) {
				r := h.Do(t, doc, nil, headers)
				if len(r.Errors) != 1 || r.Errors[0].Code() != apperr.Forbidden {
					t.Fatalf("%s: want one FORBIDDEN error, got: %.600s", doc, r.Body)
				}
				got, _ := r.Errors[0].Extensions["requiredScopes"].([]any)
				if len(got) != 1 || got[0] != scope {
					t.Errorf("requiredScopes = %v, want [%s]", got, scope)
				}
				if v := apptest.Get(r.Data, f.Name); v != nil {
					t.Errorf("data.%s = %v, want null", f.Name, v)
				}
			})
		}
	}
	after := hubRowCounts(t, h)
	for table, n := range after {
		// The rate limiter's windows count every request, refused ones
		// too (a refused caller still spends its budget), and its sync
		// writes them every second: accounting, not the mutation's write.
		if table == "public.rate_window" {
			continue
		}
		if before[table] != n {
			t.Errorf("hub table %s: %d rows before, %d after refused mutations", table, before[table], n)
		}
	}
}

// hubRowCounts counts the rows of every table of the hub's database.
func hubRowCounts(t *testing.T, h *apptest.Hub) map[string]int {
	t.Helper()
	db := h.DBs["hub"]
	var tables []string
	if err := db.Select(&tables, `SELECT quote_ident(schemaname) || '.' || quote_ident(relname) FROM pg_stat_user_tables ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, tb := range tables {
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM `+tb); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	if len(out) == 0 {
		t.Fatal("the hub's database has no tables")
	}
	return out
}

// mutationDocument writes a call of mutation f with a literal for every
// argument (optional ones too), generated from their types.
func mutationDocument(s *ast.Schema, f *ast.FieldDefinition) string {
	var args []string
	for _, a := range f.Arguments {
		args = append(args, a.Name+": "+literal(s, a.Type, 0))
	}
	call := f.Name
	if len(args) > 0 {
		call += "(" + strings.Join(args, ", ") + ")"
	}
	if def := s.Types[f.Type.Name()]; def != nil && (def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union) {
		call += " { __typename }"
	}
	return "mutation { " + call + " }"
}

// literal is a syntactically valid value of type t.
func literal(s *ast.Schema, t *ast.Type, depth int) string {
	if t.Elem != nil {
		return "[" + literal(s, t.Elem, depth) + "]"
	}
	switch t.NamedType {
	case "ID":
		return `"T2JqZWN0OjE"`
	case "String":
		return `"x"`
	case "Int":
		return "1"
	case "Float":
		return "0.5"
	case "Boolean":
		return "true"
	case "Date":
		return `"2026-01-05"`
	case "Time":
		return `"2026-01-05T10:00:00+08:00"`
	case "Decimal":
		return `"1.00"`
	}
	def := s.Types[t.NamedType]
	switch {
	case def == nil:
		panic("unknown type " + t.NamedType)
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def.Kind == ast.Scalar:
		return `"x"`
	case def.Kind == ast.InputObject:
		var fields []string
		for _, in := range def.Fields {
			if !in.Type.NonNull && depth > 2 {
				continue
			}
			fields = append(fields, in.Name+": "+literal(s, in.Type, depth+1))
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	panic(fmt.Sprintf("no literal for %s (%s)", t.NamedType, def.Kind))
}
