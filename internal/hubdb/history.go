package hubdb

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// EventRow is a row of workflow_history: one transition of one workflow
// object, who made it and why.
type EventRow struct {
	Workflow string    `db:"workflow"`
	ObjectID int64     `db:"object_id"`
	Action   string    `db:"action"`
	From     string    `db:"from_state"`
	To       string    `db:"to_state"`
	Actor    string    `db:"actor"`
	ActorOrg string    `db:"actor_org"`
	At       time.Time `db:"at"`
	Reason   string    `db:"reason"`
}

// HistoryStore keeps one history for every workflow: every transition is
// written with the state it made, in the same transaction.
type HistoryStore interface {
	// Record writes the history row of a transition.
	Record(ctx context.Context, e EventRow) error
	// Of returns the events of objects of a workflow, oldest first, by
	// object id, in one statement.
	Of(ctx context.Context, workflow string, ids []int64) (map[int64][]EventRow, error)
}

// History returns the workflows' history.
func (d *DB) History() HistoryStore { return history{d} }

type history struct{ d *DB }

func (h history) Record(ctx context.Context, e EventRow) error {
	_, err := h.d.exec(ctx, `INSERT INTO workflow_history (workflow, object_id, action, from_state, to_state, actor, actor_org, at, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.Workflow, e.ObjectID, e.Action, e.From, e.To, e.Actor, e.ActorOrg, e.At, e.Reason)
	return err
}

func (h history) Of(ctx context.Context, workflow string, ids []int64) (map[int64][]EventRow, error) {
	var rows []EventRow
	err := h.d.sel(ctx, &rows, `SELECT workflow, object_id, action, from_state, to_state, actor, actor_org, at, reason
		FROM workflow_history WHERE workflow = $1 AND object_id = ANY($2) ORDER BY object_id, at, id`, workflow, pq.Array(ids))
	if err != nil {
		return nil, err
	}
	out := map[int64][]EventRow{}
	for _, e := range rows {
		out[e.ObjectID] = append(out[e.ObjectID], e)
	}
	return out, nil
}
