// Package resolvers holds the graph's resolvers: thin functions from
// arguments to a check, a loader or service, and the mapping to the model.
//
// <area>.resolvers.go holds the resolvers of the fields schema/<area>.graphqls
// declares (schema.resolvers.go those of schema.graphqls, entity.resolvers.go
// federation's _entities), as gqlgen generates them; their bodies are ours.
// What several areas share is in files named for what they hold: args.go
// (reading and checking arguments), connections.go (cursors and pages),
// mapping.go (to the graph's model), prefetch.go (looking ahead at what a
// level will be asked), visibility.go (what a caller may see of records and
// workflow objects), departments.go, calendar.go and federation.go.
// resolver.go is the one place that wires their dependencies.
package resolvers

import (
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"credithub/datasources/court"
	"credithub/datasources/market"
	"credithub/internal/catalogue"
	"credithub/internal/feed"
	"credithub/internal/gid"
	"credithub/internal/stats"
	"credithub/internal/supervision"
	"credithub/internal/workflow"
)

// Resolver is the root resolver; its fields are the hub's dependencies.
// Per-request state (the dataloaders, the caller) travels in the context.
type Resolver struct {
	// Registry is the market regulator's registry, for listing entities.
	Registry market.Registry
	// CourtLists searches the court's published lists (T27).
	CourtLists *court.Lists
	// CatalogueEditor writes the credit office's catalogue changes (T8).
	CatalogueEditor *catalogue.Editor
	// Catalogue is the information catalogue.
	Catalogue *catalogue.Catalogue
	// Measures is the measures catalogue (T19).
	Measures *catalogue.Measures
	// Sealer turns ID numbers into opaque person IDs and back.
	Sealer *gid.Sealer
	// HubDB is the hub's own database, where its workflows write.
	HubDB *sqlx.DB
	// Workflows runs the state machines (workflow/).
	Workflows *workflow.Service
	// Reports issues and checks signed credit reports (T7, T30).
	Reports *supervision.Reports
	// Warnings feeds the warnings subscription (T25).
	Warnings *supervision.Broker
	// Work feeds a department's work subscription (workArrived).
	Work *workflow.WorkBroker
	// Supervision answers credit checks, grades and inspection plans
	// (T12–T13, T19–T20).
	Supervision *supervision.Service
	// Feed reads the agencies' change feed (T30).
	Feed *feed.Service
	// Stats answers the dashboards' city-wide figures (issue #13).
	Stats  *stats.Service
	Logger *slog.Logger
	// Now is the clock (tests set it).
	Now func() time.Time
}

func (r *Resolver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
