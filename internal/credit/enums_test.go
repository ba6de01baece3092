package credit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"credithub/graph"
	"credithub/internal/credit"
	"credithub/internal/scalars"
)

// schema is the hub's GraphQL schema, as the server executes it.
func schema() *ast.Schema { return graph.NewExecutableSchema(graph.Config{}).Schema() }

// boundEnum is a Go type bound to a schema enum in gqlgen.yml, seen through
// gqlgen's interfaces the way the generated code calls it.
type boundEnum struct {
	schemaName string
	values     []string
	marshal    func(string) graphql.Marshaler
	unmarshal  func(any) (string, error)
}

func bind[T interface {
	~string
	graphql.Marshaler
}, P interface {
	*T
	graphql.Unmarshaler
}](schemaName string, values []T) boundEnum {
	e := boundEnum{
		schemaName: schemaName,
		marshal:    func(s string) graphql.Marshaler { return T(s) },
		unmarshal: func(v any) (string, error) {
			var dst T
			err := P(&dst).UnmarshalGQL(v)
			return string(dst), err
		},
	}
	for _, v := range values {
		e.values = append(e.values, string(v))
	}
	return e
}

var boundEnums = []boundEnum{
	bind("RecordKind", credit.Kinds),
	bind("Publicity", credit.Publicities),
	bind("RecordStatus", credit.Statuses),
	bind("Severity", credit.Severities),
	bind("AccidentLevel", credit.AccidentLevels),
	bind("EnvironmentalCreditLevel", credit.EnvLevels),
	bind("ListType", credit.ListTypes),
	bind("InterviewType", credit.InterviewTypes),
	bind("ResponsibleRole", credit.Roles),
	bind("Scenario", credit.Scenarios),
}

// Each enum accepts exactly the schema's values: a value the schema has but
// the Go list lacks would be refused in a variable, and one the Go list has
// but the schema lacks would break the response.
func TestEnumsMatchTheSchema(t *testing.T) {
	t.Parallel()
	s := schema()
	for _, e := range boundEnums {
		t.Run(e.schemaName, func(t *testing.T) {
			t.Parallel()
			def := s.Types[e.schemaName]
			if def == nil || def.Kind != ast.Enum {
				t.Fatalf("the schema has no enum %s", e.schemaName)
			}
			var inSchema []string
			for _, v := range def.EnumValues {
				inSchema = append(inSchema, v.Name)
			}
			goValues := slices.Clone(e.values)
			slices.Sort(inSchema)
			slices.Sort(goValues)
			if !slices.Equal(goValues, inSchema) {
				t.Errorf("Go values %v, schema values %v", goValues, inSchema)
			}
		})
	}
}

// Every value goes out as a JSON string and comes back as itself.
func TestEnumsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, e := range boundEnums {
		t.Run(e.schemaName, func(t *testing.T) {
			t.Parallel()
			for _, v := range e.values {
				var buf bytes.Buffer
				e.marshal(v).MarshalGQL(&buf)
				var decoded string
				if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil || decoded != v {
					t.Errorf("MarshalGQL(%s) wrote %s: not the JSON string %q (%v)", v, buf.Bytes(), v, err)
				}
				got, err := e.unmarshal(v)
				if err != nil || got != v {
					t.Errorf("UnmarshalGQL(%q) = %q, %v; want %q", v, got, err, v)
				}
			}
		})
	}
}

// SECURITY: values arriving in variables are not checked by gqlgen's
// validation for custom-bound enums; anything outside the enum, or not a
// string, is refused as bad user input that names the enum, and nothing is
// written to the destination.
func TestEnumsRefuseValuesOutsideTheEnum(t *testing.T) {
	t.Parallel()
	for _, e := range boundEnums {
		t.Run(e.schemaName, func(t *testing.T) {
			t.Parallel()
			first := e.values[0]
			for _, v := range []any{
				"", "NOT_" + first, strings.ToLower(first), first + " ", `"` + first + `"`,
				1, nil, true, []any{first}, map[string]any{"value": first},
			} {
				got, err := e.unmarshal(v)
				if !errors.Is(err, scalars.ErrInvalid) {
					t.Errorf("UnmarshalGQL(%#v) = %v, want an error wrapping scalars.ErrInvalid", v, err)
					continue
				}
				if !strings.Contains(err.Error(), e.schemaName) {
					t.Errorf("UnmarshalGQL(%#v): %q does not name the enum %s", v, err, e.schemaName)
				}
				if got != "" {
					t.Errorf("UnmarshalGQL(%#v) wrote %q to the destination", v, got)
				}
			}
		})
	}
}

// Kinds, TypeNames and the schema's record types describe the same set:
// each kind once, each with its own concrete type implementing CreditRecord.
func TestKindsHaveOneTypeEach(t *testing.T) {
	t.Parallel()
	seenKind := map[credit.Kind]bool{}
	byType := map[string]credit.Kind{}
	for _, k := range credit.Kinds {
		if seenKind[k] {
			t.Errorf("kind %s is listed twice in credit.Kinds", k)
		}
		seenKind[k] = true
		name := credit.TypeNames[k]
		if name == "" {
			t.Errorf("kind %s has no type name", k)
			continue
		}
		if other, dup := byType[name]; dup {
			t.Errorf("kinds %s and %s share the type name %s", other, k, name)
		}
		byType[name] = k
	}
	for k := range credit.TypeNames {
		if !seenKind[k] {
			t.Errorf("TypeNames names kind %s, which credit.Kinds does not list", k)
		}
	}

	s := schema()
	var implementations []string
	for _, d := range s.GetPossibleTypes(s.Types["CreditRecord"]) {
		implementations = append(implementations, d.Name)
	}
	var named []string
	for name := range byType {
		named = append(named, name)
	}
	slices.Sort(implementations)
	slices.Sort(named)
	if !slices.Equal(named, implementations) {
		t.Errorf("TypeNames names %v; the schema's CreditRecord types are %v", named, implementations)
	}
}
