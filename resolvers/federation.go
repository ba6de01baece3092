package resolvers

import (
	"context"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"credithub/graph/model"
	"credithub/internal/apperr"
)

// A router resolving a federated query sends the entities another subgraph
// named as representations in one _entities call; these resolve them. What
// a caller may see of them is the openness middleware's, as everywhere:
// _entities opens nothing by itself.

// MaxRepresentations bounds one _entities call, as creditChecks bounds its
// codes: a router's batch for a page of 100 entities fits many times over.
const MaxRepresentations = 1000

func tooManyRepresentations(n int) error {
	if n > MaxRepresentations {
		return apperr.BadInput("representations", "at most %d representations in one _entities call, got %d", MaxRepresentations, n)
	}
	return nil
}

// federatedNodes resolves representations keyed by a global id (persons,
// workflow objects, plans) through Query.node, concurrently so that the
// dataloaders batch what they can. An id of another type is an error at
// its index; an unknown one is null.
func federatedNodes[T model.Node](ctx context.Context, r *Resolver, typeName string, ids []string) ([]T, error) {
	if err := tooManyRepresentations(len(ids)); err != nil {
		return nil, err
	}
	startNodes(ctx, ids)
	out := make([]T, len(ids))
	errs := make(graphql.BatchErrorList, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			n, err := r.Query().Node(ctx, id)
			if err != nil {
				errs[i] = err
				return
			}
			if n == nil {
				return
			}
			v, ok := n.(T)
			if !ok {
				errs[i] = apperr.BadInput(fmt.Sprintf("representations[%d].id", i), "id is not the id of a %s", typeName)
				return
			}
			out[i] = v
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return out, errs
		}
	}
	return out, nil
}

func idsOf[T any](reps []*T, id func(*T) string) []string {
	out := make([]string, len(reps))
	for i, rep := range reps {
		out[i] = id(rep)
	}
	return out
}
