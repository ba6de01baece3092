// Package resolvers holds the graph's resolvers: thin functions from
// arguments to a check, a loader or store, and the mapping to the model.
// resolver.go is the one place that wires their dependencies.
package resolvers

// Resolver is the root resolver; its fields are the hub's dependencies.
type Resolver struct{}
