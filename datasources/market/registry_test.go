package market_test

import (
	"context"
	"testing"

	"credithub/datasources/dstest"
	"credithub/datasources/market"
	"credithub/dev/world"
	"credithub/internal/ident"
)

// EntitiesByKey finds entities by code, organisation code and registration
// number in one statement, each key compared only with its own kind's
// column.
func TestEntitiesByKey(t *testing.T) {
	t.Parallel()
	w := world.New(7, 300)
	db := dstest.Open(t, market.Setup, w)
	reg := &market.RegistryStore{DB: db}
	want := map[market.Key]string{}
	var keys []market.Key
	for i, e := range w.Entities[:30] {
		k := market.Key{Kind: ident.KeyUSCC, Value: e.USCC}
		switch {
		case i%3 == 1:
			k = market.Key{Kind: ident.KeyOrgCode, Value: e.OrgCode}
		case i%3 == 2 && e.RegNo != "":
			k = market.Key{Kind: ident.KeyRegistrationNumber, Value: e.RegNo}
		}
		keys, want[k] = append(keys, k), e.USCC
	}
	// A key of the wrong kind names nothing; nor does an unknown one.
	e := w.Entities[40]
	keys = append(keys, market.Key{Kind: ident.KeyRegistrationNumber, Value: e.OrgCode},
		market.Key{Kind: ident.KeyOrgCode, Value: e.USCC}, market.Key{Kind: ident.KeyUSCC, Value: "91110000600037341L"})
	before := db.Statements()
	got, err := reg.EntitiesByKey(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Errorf("%d statements, want 1", n)
	}
	if len(got) != len(want) {
		t.Errorf("%d keys found, want %d: %v", len(got), len(want), got)
	}
	for k, uscc := range want {
		if got[k] == nil || got[k].USCC != uscc {
			t.Errorf("%v: %v, want %s", k, got[k], uscc)
		}
	}
}
