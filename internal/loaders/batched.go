package loaders

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"
)

// Batched is a dataloader with its cache and batch function at hand, so that
// a list resolver can also send one batch for a whole level at once.
//
// The dataloader alone batches what arrives within its wait window; on a
// busy machine the last of a hundred child resolvers can start after the
// window closed and cost a second statement. LoadAll does not depend on
// timing: one call, one batch.
type Batched[K comparable, V any] struct {
	*dataloader.Loader[K, V]
	cache dataloader.Cache[K, V]
	fn    dataloader.BatchFunc[K, V]
	// identity is what a key names, without the hints it carries (nil: the
	// key itself): keys of one identity share one answer.
	identity func(K) K
	// fresh makes every read inside a mutation ask again (see Load).
	fresh bool
	// loadingAll makes LoadAll's look in the cache and its batch one step:
	// sibling resolvers prefetch the same keys at once (entityByKey's
	// aliases), and each would otherwise find them missing and send a
	// statement of its own.
	loadingAll sync.Mutex
}

func NewBatched[K comparable, V any](wait time.Duration, fn dataloader.BatchFunc[K, V]) *Batched[K, V] {
	return newBatched(wait, fn, nil)
}

// newBatched is NewBatched whose keys carry hints: identity strips them.
func newBatched[K comparable, V any](wait time.Duration, fn dataloader.BatchFunc[K, V], identity func(K) K) *Batched[K, V] {
	if identity == nil {
		identity = func(k K) K { return k }
	}
	cache := &identityCache[K, V]{identity: identity, thunks: map[K]dataloader.Thunk[V]{}}
	return &Batched[K, V]{
		Loader: dataloader.NewBatchedLoader(fn,
			dataloader.WithWait[K, V](wait),
			dataloader.WithBatchCapacity[K, V](BatchCapacity),
			dataloader.WithCache[K, V](cache)),
		cache:    cache,
		fn:       fn,
		identity: identity,
	}
}

// Load loads a key, as the dataloader does, except for a loader of the
// hub's workflows (fresh) inside a mutation: a mutation's steps change what
// the previous ones read, so each read there asks again and nothing cached
// is shown stale.
func (b *Batched[K, V]) Load(ctx context.Context, key K) dataloader.Thunk[V] {
	if b.fresh && inMutation(ctx) {
		results := b.run(ctx, []K{key})
		return func() (V, error) {
			r := results()[0]
			return r.Data, r.Error
		}
	}
	return b.Loader.Load(ctx, key)
}

// LoadAll starts one batch (per BatchCapacity keys) for the keys not yet
// loaded or loading, and returns without waiting: a later Load of any of
// those keys waits for this batch instead of starting its own. Inside a
// mutation a fresh loader starts nothing, since no read there would use it.
func (b *Batched[K, V]) LoadAll(ctx context.Context, keys []K) {
	if b.fresh && inMutation(ctx) {
		return
	}
	b.loadingAll.Lock()
	defer b.loadingAll.Unlock()
	var todo []K
	seen := make(map[K]bool, len(keys))
	for _, k := range keys {
		if seen[b.identity(k)] {
			continue
		}
		seen[b.identity(k)] = true
		if _, ok := b.cache.Get(ctx, k); !ok {
			todo = append(todo, k)
		}
	}
	for len(todo) > 0 {
		n := min(len(todo), BatchCapacity)
		results := b.run(ctx, todo[:n])
		for i, k := range todo[:n] {
			b.cache.Set(ctx, k, func() (V, error) {
				r := results()[i]
				return r.Data, r.Error
			})
		}
		todo = todo[n:]
	}
}

// run calls the batch function for keys in the background; the function it
// returns waits for the results, one per key.
func (b *Batched[K, V]) run(ctx context.Context, keys []K) func() []*dataloader.Result[V] {
	done := make(chan struct{})
	var results []*dataloader.Result[V]
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				results = fail[V](len(keys), fmt.Errorf("panic in batch function: %v", p))
			}
		}()
		results = b.fn(ctx, keys)
		if len(results) != len(keys) {
			results = fail[V](len(keys), fmt.Errorf("batch function returned %d results for %d keys", len(results), len(keys)))
		}
	}()
	return func() []*dataloader.Result[V] {
		<-done
		return results
	}
}

// identityCache is the dataloaders' cache: it files a key under its
// identity, so that keys differing only in their hints share one answer.
type identityCache[K comparable, V any] struct {
	identity func(K) K
	mu       sync.Mutex
	thunks   map[K]dataloader.Thunk[V]
}

func (c *identityCache[K, V]) Get(_ context.Context, k K) (dataloader.Thunk[V], bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.thunks[c.identity(k)]
	return t, ok
}

func (c *identityCache[K, V]) Set(_ context.Context, k K, t dataloader.Thunk[V]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.thunks[c.identity(k)] = t
}

func (c *identityCache[K, V]) Delete(_ context.Context, k K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.thunks[c.identity(k)]
	delete(c.thunks, c.identity(k))
	return ok
}

func (c *identityCache[K, V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.thunks)
}
