package hotlist

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"credithub/auth"
	"credithub/graph"
	"credithub/internal/credit"
)

// The one pass writes a record's fields from credit.Base. gqlgen reads
// them from the record's own type (obj.Summary…), which is the same value
// only while no record type declares a field or method of those names
// over its embedded Base. A type that did would be answered differently
// by the two paths.
func TestRecordTypesReadTheBaseAsItIs(t *testing.T) {
	written := []string{"ID", "Kind", "Source", "DecisionNo", "DecisionDate", "Summary", "Publicity",
		"Status", "Severity", "Authority", "LegacyKey", "Disclosure"}
	fset := token.NewFileSet()
	files, err := filepath.Glob("../credit/*.go")
	if err != nil {
		t.Fatal(err)
	}
	records := 0
	declared := map[string][]string{} // type name → its own fields and methods
	embedsBase := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, fld := range st.Fields.List {
						if len(fld.Names) == 0 {
							if id, ok := fld.Type.(*ast.Ident); ok && id.Name == "Base" {
								embedsBase[ts.Name.Name] = true
							}
						}
						for _, n := range fld.Names {
							declared[ts.Name.Name] = append(declared[ts.Name.Name], n.Name)
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil || len(d.Recv.List) == 0 {
					continue
				}
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); ok {
					declared[id.Name] = append(declared[id.Name], d.Name.Name)
				}
			}
		}
	}
	for typ := range embedsBase {
		records++
		for _, name := range declared[typ] {
			if slices.Contains(written, name) {
				t.Errorf("credit.%s declares %s over its Base: the one pass would write Base's", typ, name)
			}
		}
	}
	if records != len(credit.TypeNames) {
		t.Errorf("%d record types embed Base, %d kinds have a GraphQL type", records, len(credit.TypeNames))
	}
}

// The type conditions a record satisfies are those gqlgen's generated
// code lists for it: a fragment on an interface or a union selects the
// same fields on both paths.
func TestImplementorsAreGqlgens(t *testing.T) {
	src, err := os.ReadFile("../../graph/generated.go")
	if err != nil {
		t.Fatal(err)
	}
	w := New(graph.NewExecutableSchema(graph.Config{}).Schema(), &auth.Rules{}, Options{})
	decl := regexp.MustCompile(`var \w+Implementors = \[\]string\{("[^\n]*)\}`)
	generated := map[string][]string{}
	for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
		var names []string
		for _, q := range strings.Split(m[1], ", ") {
			names = append(names, strings.Trim(q, `"`))
		}
		generated[names[0]] = names
	}
	types := map[string]string{"MarketEntity": "an entity page's node", "Person": "a legal representative"}
	for kind, typ := range credit.TypeNames {
		types[typ] = string(kind)
	}
	for typ, what := range types {
		got, want := w.implementors[typ], generated[typ]
		if want == nil || !slices.Equal(got, want) {
			t.Errorf("%s (%s): the one pass collects for %v, gqlgen for %v", typ, what, got, want)
		}
	}
}
