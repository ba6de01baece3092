// Package resolvers holds the graph's resolvers: thin functions from
// arguments to a check, a loader or store, and the mapping to the model.
// resolver.go is the one place that wires their dependencies.
package resolvers

import (
	"log/slog"

	"credithub/catalogue"
	"credithub/datasources/market"
	"credithub/gid"
)

// Resolver is the root resolver; its fields are the hub's dependencies.
// Per-request state (the dataloaders, the caller) travels in the context.
type Resolver struct {
	// Registry is the market regulator's registry, for listing entities.
	Registry market.Registry
	// Catalogue is the information catalogue.
	Catalogue *catalogue.Catalogue
	// Sealer turns ID numbers into opaque person IDs and back.
	Sealer *gid.Sealer
	Logger *slog.Logger
}
