package resolvers

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"credithub/graph/model"
	"credithub/internal/apperr"
	"credithub/internal/ident"
	"credithub/internal/loaders"
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

// federatedEntities resolves MarketEntity representations by their uscc:
// the registry rows in one statement, then, for what the router asks of
// them (records, persons, grades), one statement per department for the
// whole batch. A malformed code is an error at its index; an unknown one
// is null.
func (r *Resolver) federatedEntities(ctx context.Context, reps []*model.MarketEntityByUsccsInput) ([]*model.MarketEntity, error) {
	if err := tooManyRepresentations(len(reps)); err != nil {
		return nil, err
	}
	usccs := make([]string, len(reps))
	for i, rep := range reps {
		usccs[i] = rep.Uscc
	}
	l := loaders.For(ctx)
	l.Entity.LoadAll(ctx, usccs)
	out := make([]*model.MarketEntity, len(reps))
	errs := make(graphql.BatchErrorList, len(reps))
	failed := false
	for i, u := range usccs {
		field := fmt.Sprintf("representations[%d].uscc", i)
		// Only a pilot code the registry holds may fail its check character.
		invalid := ident.ValidateUSCC(u)
		var ie *ident.Error
		if invalid != nil && (!errors.As(invalid, &ie) || ie.Rule != ident.RuleCheckCharacter) {
			errs[i], failed = identError(field, invalid), true
			continue
		}
		e, err := l.Entity.Load(ctx, u)()
		switch {
		case err != nil:
			errs[i], failed = err, true // the registry is down
		case invalid != nil && (e == nil || !e.USCCLegacy):
			errs[i], failed = identError(field, invalid), true
		case e != nil:
			out[i] = entityModel(e)
		}
	}
	found := make([]*model.MarketEntity, 0, len(out))
	for _, e := range out {
		if e != nil {
			found = append(found, e)
		}
	}
	r.prefetchEntities(ctx, found, graphql.CollectFieldsCtx(ctx, []string{"MarketEntity", "Node", "_Entity"}), true)
	if failed {
		return out, errs
	}
	return out, nil
}

// federatedNodes resolves representations keyed by a global id (persons,
// workflow objects, plans) through node(id), concurrently so that the
// dataloaders batch what they can. An id of another type is an error at
// its index; an unknown one is null.
func federatedNodes[T model.Node](ctx context.Context, r *Resolver, typeName string, ids []string) ([]T, error) {
	if err := tooManyRepresentations(len(ids)); err != nil {
		return nil, err
	}
	r.primeNodes(ctx, ids)
	out := make([]T, len(ids))
	errs := make(graphql.BatchErrorList, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			n, err := r.node(ctx, id)
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
