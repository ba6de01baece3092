package loaders

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/graph-gophers/dataloader/v7"
	"github.com/vektah/gqlparser/v2/ast"
)

// hinted is a key whose Then is a hint, not part of what it names.
type hinted struct {
	ID   int
	Then string
}

// counting is a batch function that answers each key with its ID and
// remembers the batches it was called with.
type counting struct {
	mu      sync.Mutex
	batches [][]hinted
}

func (c *counting) fn(_ context.Context, keys []hinted) []*dataloader.Result[int] {
	c.mu.Lock()
	c.batches = append(c.batches, keys)
	c.mu.Unlock()
	out := make([]*dataloader.Result[int], len(keys))
	for i, k := range keys {
		out[i] = &dataloader.Result[int]{Data: k.ID}
	}
	return out
}

func (c *counting) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.batches)
}

func withoutThen(k hinted) hinted { k.Then = ""; return k }

// Keys that differ only in their hints share one answer: a second LoadAll
// of the same objects with other hints (an alias of the same list) and the
// fields' own loads send nothing more.
func TestHintsAreNotPartOfAKey(t *testing.T) {
	var c counting
	b := newBatched(time.Millisecond, c.fn, withoutThen)
	ctx := context.Background()
	b.LoadAll(ctx, []hinted{{1, "history"}, {2, "history"}})
	b.LoadAll(ctx, []hinted{{1, ""}, {2, "cases"}, {2, ""}})
	for _, k := range []hinted{{1, "pushes"}, {2, ""}} {
		if n, err := b.Load(ctx, k)(); err != nil || n != k.ID {
			t.Fatalf("Load(%v) = %d, %v", k, n, err)
		}
	}
	if n := c.calls(); n != 1 {
		t.Errorf("%d batches, want 1: %v", n, c.batches)
	}
}

// Inside a mutation a fresh loader answers every read anew: a step of the
// mutation never sees what an earlier one read (and LoadAll, whose answers
// no read there would use, sends nothing). Outside, reads share the cache.
func TestFreshLoadersCacheNothingInAMutation(t *testing.T) {
	mutation := graphql.WithOperationContext(context.Background(),
		&graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: ast.Mutation}})
	query := graphql.WithOperationContext(context.Background(),
		&graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: ast.Query}})
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		fresh bool
		want  int
	}{
		{"fresh loader in a mutation", mutation, true, 2},
		{"fresh loader in a query", query, true, 1},
		{"department loader in a mutation", mutation, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c counting
			b := newBatched(time.Millisecond, c.fn, withoutThen)
			b.fresh = tc.fresh
			b.LoadAll(tc.ctx, []hinted{{7, ""}})
			for range 2 {
				if n, err := b.Load(tc.ctx, hinted{7, ""})(); err != nil || n != 7 {
					t.Fatalf("Load = %d, %v", n, err)
				}
			}
			if n := c.calls(); n != tc.want {
				t.Errorf("%d batches, want %d", n, tc.want)
			}
		})
	}
}

// Sibling resolvers that prefetch the same keys at the same moment (the
// aliases of entityByKey, each calling LoadAll with every alias's key)
// send one batch between them, not one each: a CI run under load once
// saw two registry statements for 17 aliases.
func TestConcurrentLoadAllsSendOneBatch(t *testing.T) {
	t.Parallel()
	for round := range 20 {
		c := &counting{}
		b := NewBatched(time.Millisecond, c.fn)
		keys := []hinted{{ID: 1}, {ID: 2}, {ID: 3}}
		ctx := context.Background()
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				b.LoadAll(ctx, keys)
				if v, err := b.Load(ctx, keys[2])(); err != nil || v != 3 {
					t.Errorf("Load = %v, %v", v, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if n := c.calls(); n != 1 {
			t.Fatalf("round %d: 32 concurrent LoadAlls of the same keys sent %d batches, want 1", round, n)
		}
	}
}
