// Package credithub is the GraphQL integration hub for Heihe's credit-based
// supervision of market entities. The code lives in its subpackages; this file
// only carries the code generation step:
//
//	go generate ./...   # schema.graphqls, schema/*.graphqls → graph/ and resolver skeletons
package credithub

//go:generate go tool gqlgen generate --config gqlgen.yml
