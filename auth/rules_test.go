package auth_test

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"credithub/auth"
	"credithub/graph"
	"credithub/internal/app"
	"credithub/internal/catalogue"
	"credithub/internal/credit"
	"credithub/internal/workday"
)

// Every field of the real schema carries an openness marking.
func TestEveryFieldIsMarked(t *testing.T) {
	t.Parallel()
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	rules, err := auth.RulesFromSchema(schema)
	if err != nil {
		t.Fatal(err)
	}
	if r := rules.For("Person", "idNumber"); r.Level != auth.Personal || r.Mask != auth.MaskIDNumber {
		t.Errorf("Person.idNumber = %+v", r)
	}
	if r := rules.For("MarketEntity", "name"); r.Level != auth.Public {
		t.Errorf("MarketEntity.name = %+v", r)
	}
}

// A field added without a marking stops the hub at start-up.
func TestUnmarkedFieldIsRefused(t *testing.T) {
	t.Parallel()
	src := `directive @open(level: Openness!, scope: String, mask: Mask = NONE) on OBJECT | INTERFACE | FIELD_DEFINITION
enum Openness { PUBLIC SHARED PERSONAL } enum Mask { NONE ID_NUMBER MOBILE NAME }
type Query @open(level: PUBLIC) { a: Int b: Thing }
type Thing { marked: Int @open(level: SHARED) forgotten: String }`
	s, err := gqlparser.LoadSchema(&ast.Source{Input: src})
	if err != nil {
		t.Fatal(err)
	}
	_, err = auth.RulesFromSchema(s)
	if err == nil || !strings.Contains(err.Error(), "Thing.forgotten") || strings.Contains(err.Error(), "Thing.marked") {
		t.Fatalf("RulesFromSchema = %v, want an error naming Thing.forgotten only", err)
	}
}

// The schema's markings of record types agree with the information
// catalogue, and a disagreement stops the hub.
func TestSchemaAgreesWithTheCatalogue(t *testing.T) {
	t.Parallel()
	rules, err := auth.RulesFromSchema(graph.NewExecutableSchema(graph.Config{}).Schema())
	if err != nil {
		t.Fatal(err)
	}
	entries := func(mod func(*catalogue.Entry)) []catalogue.Entry {
		var es []catalogue.Entry
		for _, k := range credit.Kinds {
			e := catalogue.Entry{Kind: k, EntityPublicity: credit.Public, PersonPublicity: credit.Personal}
			switch k {
			case credit.KindEnvironmentalRating, credit.KindAccident, credit.KindConsumptionRestriction,
				credit.KindInterview, credit.KindKeyAttention, credit.KindMonitoringFinding:
				e.EntityPublicity = credit.Shared
			}
			if mod != nil {
				mod(&e)
			}
			es = append(es, e)
		}
		return es
	}
	periods := []catalogue.Period{{Severity: credit.Minor}, {Severity: credit.General}, {Severity: credit.Serious}}
	good, err := catalogue.New(entries(nil), periods, workday.Default())
	if err != nil {
		t.Fatal(err)
	}
	if err := app.CheckOpenness(rules, good); err != nil {
		t.Fatalf("the shipped schema disagrees with the catalogue: %v", err)
	}
	bad, _ := catalogue.New(entries(func(e *catalogue.Entry) {
		if e.Kind == credit.KindAccident {
			e.EntityPublicity = credit.Public
		}
	}), periods, workday.Default())
	if err := app.CheckOpenness(rules, bad); err == nil || !strings.Contains(err.Error(), "QualitySafetyAccident") {
		t.Fatalf("CheckOpenness = %v, want a disagreement on QualitySafetyAccident", err)
	}
	// The schema is the ceiling (T8): a catalogue that closes a kind
	// further than its marking is accepted; the field middleware raises
	// the fields to the record's publicity.
	closed, _ := catalogue.New(entries(func(e *catalogue.Entry) {
		if e.Kind == credit.KindComplaint || e.Kind == credit.KindPenalty {
			e.EntityPublicity = credit.Personal
		}
	}), periods, workday.Default())
	if err := app.CheckOpenness(rules, closed); err != nil {
		t.Fatalf("a catalogue closing complaints and penalties further than the schema: %v", err)
	}
}
