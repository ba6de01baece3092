package hubdb

import "context"

// InspectorStore reads the departments' rosters of inspectors, from which
// inspection plans draw (T13).
type InspectorStore interface {
	// Active returns the ids of a department's active inspectors, in id
	// order.
	Active(ctx context.Context, department string) ([]int64, error)
}

// Inspectors returns the inspector roster store.
func (d *DB) Inspectors() InspectorStore { return inspectors{d} }

type inspectors struct{ d *DB }

func (i inspectors) Active(ctx context.Context, department string) ([]int64, error) {
	var out []int64
	err := i.d.sel(ctx, &out, `SELECT id FROM inspector WHERE department = $1 AND active ORDER BY id`, department)
	return out, err
}
