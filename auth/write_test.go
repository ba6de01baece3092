package auth_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"credithub/auth"
	"credithub/graph"
)

// Every mutation of the real schema names a write scope of the hub's;
// none names a read scope.
func TestEveryMutationHasAWriteScope(t *testing.T) {
	t.Parallel()
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	rules, err := auth.RulesFromSchema(schema)
	if err != nil {
		t.Fatal(err)
	}
	writes := rules.Writes(schema.Mutation.Name)
	if len(writes) != len(schema.Mutation.Fields) {
		t.Fatalf("%d mutations, %d with a write scope", len(schema.Mutation.Fields), len(writes))
	}
	for f, scope := range writes {
		if !slices.Contains(auth.Scopes, scope) || slices.Contains(auth.ReadScopes, scope) {
			t.Errorf("Mutation.%s needs %q: not a write scope", f, scope)
		}
	}
}

// SECURITY: a mutation added without @write, with an unknown scope, with a
// read scope, or gated by @open instead, stops the hub at start-up.
func TestMutationWithoutWriteScopeIsRefused(t *testing.T) {
	t.Parallel()
	const head = `directive @open(level: Openness!, scope: String, mask: Mask = NONE) on OBJECT | INTERFACE | FIELD_DEFINITION
directive @write(scope: String!) on FIELD_DEFINITION
enum Openness { PUBLIC SHARED PERSONAL } enum Mask { NONE ID_NUMBER MOBILE NAME }
type Query @open(level: PUBLIC) { a: Int }
type Mutation @open(level: PUBLIC) { ok: Int @write(scope: "list:write") `
	for _, tc := range []struct{ name, field, want string }{
		{"none", `forgotten: Int`, "forgotten"},
		{"open only", `opened: Int @open(level: SHARED, scope: "entity:read")`, "opened"},
		{"unknown scope", `typo: Int @write(scope: "list:wirte")`, `unknown scope "list:wirte"`},
		{"read scope", `reader: Int @write(scope: "audit:read")`, "read scope"},
		{"open shared beside write", `both: Int @write(scope: "list:write") @open(level: SHARED)`, "not gated by @open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := gqlparser.LoadSchema(&ast.Source{Input: head + tc.field + " }"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = auth.RulesFromSchema(s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("RulesFromSchema = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	t.Run("write outside Mutation", func(t *testing.T) {
		s, err := gqlparser.LoadSchema(&ast.Source{Input: strings.Replace(head, "a: Int }", `a: Int @write(scope: "list:write") }`, 1) + " }"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := auth.RulesFromSchema(s); err == nil || !strings.Contains(err.Error(), "Query.a") {
			t.Fatalf("RulesFromSchema = %v, want an error naming Query.a", err)
		}
	})
}

// A mutation's @open(level: PUBLIC, only: [...]) beside its @write names
// the callers it is for: the field middleware refuses the others before
// it runs (auth.OnlyFor), as on any field.
func TestMutationKeepsItsCallers(t *testing.T) {
	t.Parallel()
	rules, err := auth.RulesFromSchema(graph.NewExecutableSchema(graph.Config{}).Schema())
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string][]auth.Caller{
		"submitFinding": {auth.CallerAgency},
		"acceptFinding": {auth.CallerSupervisors},
		"rejectFinding": {auth.CallerSupervisors},
	} {
		rule := rules.For("Mutation", field)
		if !slices.Equal(rule.Only, want) || rule.Write == "" {
			t.Errorf("Mutation.%s: only %v, write %q; want only %v beside its write scope", field, rule.Only, rule.Write, want)
		}
	}
}
