// Package supervision turns the unified record into the decisions
// departments make every day: which measures apply in a scenario (credit
// checks, T19–T20), the credit grade of an entity (T12), the double-random
// inspection sample (T13), signed credit reports (T7, T30) and warnings
// (T25). The models are data in the hub's database (measures, grade
// factors and thresholds, warning rules); this package holds the logic that
// applies them, free of GraphQL and of SQL: it reads and writes the hub's
// database through internal/hubdb's stores, and the departments through
// the Departments interface (a request's loaders).
package supervision
