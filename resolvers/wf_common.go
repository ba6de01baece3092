package resolvers

import (
	"context"

	"credithub/workflow"
)

// history returns the events of one workflow object, oldest first.
func (r *Resolver) history(ctx context.Context, machine string, id int64) ([]*workflow.Event, error) {
	byID, err := workflow.History(ctx, r.HubDB, machine, []int64{id})
	if err != nil {
		return nil, err
	}
	out := make([]*workflow.Event, len(byID[id]))
	for i := range byID[id] {
		out[i] = &byID[id][i]
	}
	return out, nil
}
