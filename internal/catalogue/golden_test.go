package catalogue_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"credithub/datasources/dstest"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/hubdb"
	"credithub/internal/workday"
)

var update = flag.Bool("update", false, "rewrite testdata/catalogue.golden.json from a freshly migrated hub database")

// goldenFile is what a reviewer reads to see, for every kind of record, how
// open it is, whether it must be published within 7 working days, on what
// legal basis, and how long dishonesty information stays published.
var goldenFile = filepath.Join("testdata", "catalogue.golden.json")

// goldenCatalogue is the whole information catalogue as the hub loads it.
type goldenCatalogue struct {
	Entries            []catalogue.Entry
	PublicationPeriods []catalogue.Period
}

// The information catalogue the migrations leave is the one in the golden
// file, line by line, and lists the record kinds in credit.Kinds' order,
// no more. After a migration changes it, rewrite the file with
//
//	go test ./internal/catalogue -run Golden -update
//
// and review the diff like the migration itself.
func TestCatalogueGolden(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	cat, err := catalogue.Load(context.Background(), hubdb.New(db.DB).Catalogues(), workday.Default())
	if err != nil {
		t.Fatal(err)
	}

	var kinds []credit.Kind
	for _, e := range cat.Entries() {
		kinds = append(kinds, e.Kind)
	}
	if !slices.Equal(kinds, credit.Kinds) {
		t.Errorf("the catalogue lists %v, want credit.Kinds %v", kinds, credit.Kinds)
	}

	g := goldenCatalogue{Entries: cat.Entries()}
	for _, s := range credit.Severities {
		g.PublicationPeriods = append(g.PublicationPeriods, cat.Period(s))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()

	if *update {
		if err := os.WriteFile(goldenFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the catalogue differs from %s %s\nIf the change is intended, run go test ./internal/catalogue -run Golden -update and review the diff.",
			goldenFile, firstDifference(string(got), string(want)))
	}
}

// firstDifference names the first line on which got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("at line %d:\n got: %s\nwant: %s", i+1, gl, wl)
		}
	}
	return ""
}
