package loaders

import (
	"context"
	"fmt"
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
	cache *dataloader.InMemoryCache[K, V]
	fn    dataloader.BatchFunc[K, V]
}

func NewBatched[K comparable, V any](wait time.Duration, fn dataloader.BatchFunc[K, V]) *Batched[K, V] {
	cache := dataloader.NewCache[K, V]()
	return &Batched[K, V]{
		Loader: dataloader.NewBatchedLoader(fn,
			dataloader.WithWait[K, V](wait),
			dataloader.WithBatchCapacity[K, V](BatchCapacity),
			dataloader.WithCache[K, V](cache)),
		cache: cache,
		fn:    fn,
	}
}

// LoadAll starts one batch (per BatchCapacity keys) for the keys not yet
// loaded or loading, and returns without waiting: a later Load of any of
// those keys waits for this batch instead of starting its own.
func (b *Batched[K, V]) LoadAll(ctx context.Context, keys []K) {
	var todo []K
	seen := make(map[K]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if _, ok := b.cache.Get(ctx, k); !ok {
			todo = append(todo, k)
		}
	}
	for len(todo) > 0 {
		n := min(len(todo), BatchCapacity)
		b.start(ctx, todo[:n])
		todo = todo[n:]
	}
}

func (b *Batched[K, V]) start(ctx context.Context, keys []K) {
	done := make(chan struct{})
	var results []*dataloader.Result[V]
	for i, k := range keys {
		b.cache.Set(ctx, k, func() (V, error) {
			<-done
			r := results[i]
			return r.Data, r.Error
		})
	}
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
}
