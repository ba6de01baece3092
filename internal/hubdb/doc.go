// Package hub is the datasource of the hub's own database (credithub): what
// the city credit office owns rather than any department. For now that is
// the information catalogue (T8) and the publication periods of dishonesty
// information; the workflows (commitments, lists, objections, repairs,
// cases), authorisations and the query log join it as they are built.
//
// Rules that change with the law are rows here, each with its source, not
// constants in code.
package hubdb
