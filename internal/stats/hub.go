package stats

import (
	"context"

	"credithub/datasources"
)

// HubFigures are the figures of the hub's own database.
type HubFigures struct{}

// hub computes the sections of the hub's database a request asks for, in
// one statement.
func (s *Service) hub(ctx context.Context, req Request, divs datasources.EntityDivisions) (*HubFigures, error) {
	return &HubFigures{}, nil
}
