package loaders_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"credithub/datasources/dstest"
	"credithub/datasources/market"
	"credithub/dev/world"
	"credithub/internal/loaders"
)

// countingRegistry is the real registry, counting how its members are read.
type countingRegistry struct {
	*market.RegistryStore
	mu            sync.Mutex
	byUSCC, byIDs [][]string
}

func (r *countingRegistry) MembersByUSCC(ctx context.Context, usccs []string) (map[string][]market.Member, error) {
	r.mu.Lock()
	r.byUSCC = append(r.byUSCC, usccs)
	r.mu.Unlock()
	return r.RegistryStore.MembersByUSCC(ctx, usccs)
}

func (r *countingRegistry) MembersByEntityID(ctx context.Context, codes map[int64]string) (map[string][]market.Member, error) {
	var usccs []string
	for _, u := range codes {
		usccs = append(usccs, u)
	}
	r.mu.Lock()
	r.byIDs = append(r.byIDs, usccs)
	r.mu.Unlock()
	return r.RegistryStore.MembersByEntityID(ctx, codes)
}

// The members of entities the request has read (a page of the registry,
// entities found by code or by key) are read by the rows' ids, in one
// statement; those of an entity whose row is not read yet (entity(uscc)
// asks for them side by side with it) by code; a batch that mixes the two
// is one statement by code. The answers are the same on every path.
func TestMembersAreReadByIDWhereTheRowIsKnown(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, market.Setup, world.New(13, 60))
	store := &market.RegistryStore{DB: db}
	ctx := context.Background()
	ents, err := store.ListEntities(ctx, market.ListFilter{}, "", 60)
	if err != nil || len(ents) != 60 {
		t.Fatalf("ListEntities: %d rows, %v", len(ents), err)
	}
	usccs := make([]string, len(ents))
	for i, e := range ents {
		usccs[i] = e.USCC
	}
	want, err := store.MembersByUSCC(ctx, usccs)
	if err != nil {
		t.Fatal(err)
	}
	load := func(t *testing.T, prime, ask []string, found bool) *countingRegistry {
		t.Helper()
		reg := &countingRegistry{RegistryStore: store}
		l := loaders.New(&loaders.Deps{Registry: reg, RegistryTimeout: 10 * time.Second, Wait: time.Millisecond})
		if found {
			l.Entity.LoadAll(ctx, prime)
			for _, u := range prime {
				if _, err := l.Entity.Load(ctx, u)(); err != nil {
					t.Fatal(err)
				}
			}
		} else {
			for _, e := range ents {
				for _, u := range prime {
					if e.USCC == u {
						l.PrimeEntity(ctx, e)
					}
				}
			}
		}
		l.Members.LoadAll(ctx, ask)
		for _, u := range ask {
			got, err := l.Members.Load(ctx, u)()
			if err != nil || !reflect.DeepEqual(got, want[u]) {
				t.Errorf("%s: %v, %v; want %v", u, got, err, want[u])
			}
		}
		return reg
	}
	t.Run("a page", func(t *testing.T) {
		if reg := load(t, usccs, usccs, false); len(reg.byIDs) != 1 || len(reg.byIDs[0]) != 60 || len(reg.byUSCC) != 0 {
			t.Errorf("by id %d statements, by code %d, want one by id", len(reg.byIDs), len(reg.byUSCC))
		}
	})
	t.Run("entities found by code", func(t *testing.T) {
		if reg := load(t, usccs[:5], usccs[:5], true); len(reg.byIDs) != 1 || len(reg.byUSCC) != 0 {
			t.Errorf("by id %d statements, by code %d, want one by id", len(reg.byIDs), len(reg.byUSCC))
		}
	})
	t.Run("a row not read yet", func(t *testing.T) {
		if reg := load(t, nil, usccs[:1], false); len(reg.byIDs) != 0 || len(reg.byUSCC) != 1 {
			t.Errorf("by id %d statements, by code %d, want one by code", len(reg.byIDs), len(reg.byUSCC))
		}
	})
	t.Run("a mixed batch", func(t *testing.T) {
		if reg := load(t, usccs[:3], usccs[:6], false); len(reg.byIDs) != 0 || len(reg.byUSCC) != 1 {
			t.Errorf("by id %d statements, by code %d, want one by code", len(reg.byIDs), len(reg.byUSCC))
		}
	})
}
