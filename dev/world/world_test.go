package world

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"testing"
)

// digest hashes every field of every entity (the persons by value) and
// every individual.
func digest(h hash.Hash, e *Entity) {
	c := *e
	c.LegalRep, c.Principal, c.Controller = nil, nil, nil
	fmt.Fprintf(h, "%+v|", c)
	for _, p := range []*Person{e.LegalRep, e.Principal, e.Controller} {
		if p != nil {
			fmt.Fprintf(h, "%+v|", *p)
		} else {
			fmt.Fprint(h, "nil|")
		}
	}
}

// TestSameWorld pins the world: the digests are those of the world as it
// was generated before the generator streamed (its codes taken kept as
// strings, its legal representatives as persons). Seeded databases,
// tests and the benchmark all count on a seed giving the same city.
func TestSameWorld(t *testing.T) {
	t.Parallel()
	want := map[int]string{
		0:     "4d0e6bf5952e51a24a6c00d940026cd27590ecc4cca46efda20cb328bd7ada06",
		1:     "49baa3c51770d5508f0458028690de66071999ab806566ccc9fdffcb8a699228",
		7:     "c4e6be6b9d14f5ac6908bdf66e820a5efe33dde7aa5fb25f606c4fdf47b018d8",
		20000: "5cf5e345b1d035b2279206b04403ca9dae1fb3b32843e7a45baa823e11a2d48d",
	}
	for n, w := range want {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			for _, world := range []*World{New(1, n), Stream(1, n)} {
				h := sha256.New()
				count := 0
				if err := world.Each(func(e *Entity) error { count++; digest(h, e); return nil }); err != nil {
					t.Fatal(err)
				}
				for _, p := range world.Individuals {
					fmt.Fprintf(h, "%+v|", *p)
				}
				if got := fmt.Sprintf("%x", h.Sum(nil)); got != w || count != n || world.Len() != n {
					t.Errorf("streamed %v: %d entities (Len %d), digest %s, want %d, %s", world.Entities == nil, count, world.Len(), got, n, w)
				}
			}
		})
	}
}

func TestEachStopsAndShowcases(t *testing.T) {
	t.Parallel()
	w, full := Stream(3, 500), New(3, 500)
	var seen []string
	err := w.Each(func(e *Entity) error {
		if e.Index == 20 {
			return ErrStop
		}
		seen = append(seen, e.USCC)
		return nil
	})
	if err != nil || len(seen) != 20 || w.Individuals != nil {
		t.Fatalf("Each stopped with %v after %d entities, individuals %v; want nil after 20, none", err, len(seen), w.Individuals)
	}
	for i, code := range seen {
		if code != full.Entities[i].USCC {
			t.Errorf("entity %d is %s, want %s", i, code, full.Entities[i].USCC)
		}
	}
	boom := errors.New("boom")
	if err := w.Each(func(*Entity) error { return boom }); err != boom {
		t.Errorf("Each returned %v, want fn's error", err)
	}
	sc := w.Showcases()
	if len(sc) != ShowcaseCount || sc[9].USCC != full.Entities[9].USCC || !sc[9].Showcase {
		t.Errorf("showcases %d, the tenth %+v", len(sc), sc[len(sc)-1])
	}
	if got := len(Stream(3, 4).Showcases()); got != 4 {
		t.Errorf("a world of 4 has %d showcases, want 4", got)
	}
}

func BenchmarkStream(b *testing.B) {
	for range b.N {
		_ = Stream(1, 100000).Each(func(*Entity) error { return nil })
	}
}

func TestChunks(t *testing.T) {
	t.Parallel()
	for _, w := range []*World{New(2, 25), Stream(2, 25)} {
		var sizes []int
		next := 0
		if err := w.Chunks(10, func(es []*Entity) error {
			sizes = append(sizes, len(es))
			for _, e := range es {
				if e.Index != next {
					t.Errorf("entity %d where %d was due", e.Index, next)
				}
				next++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(sizes) != "[10 10 5]" {
			t.Errorf("chunks of %v, want [10 10 5]", sizes)
		}
	}
}

func TestSet(t *testing.T) {
	t.Parallel()
	s := newSet(1) // grows
	for k := uint64(1); k <= 5000; k++ {
		s.add(k * 7919)
	}
	s.add(7919)
	if s.n != 5000 {
		t.Errorf("%d keys, want 5000", s.n)
	}
	for k := uint64(1); k <= 5000; k++ {
		if !s.has(k*7919) || s.has(k*7919+1) {
			t.Fatalf("key %d: has %v, its neighbour %v", k*7919, s.has(k*7919), s.has(k*7919+1))
		}
	}
}
