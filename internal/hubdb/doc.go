// Package hubdb owns the hub's own database (credithub): every statement on
// its tables is in this package, one store per aggregate, the way
// Sourcegraph's database package owns theirs. What the city credit office
// keeps lives here rather than in any department: the information catalogue
// (T8) and the publication periods, the workflows (commitments, list entries
// and interviews, joint-punishment cases and pushes, objections, repairs,
// agencies' findings),
// their history and the overlays they put on departments' records, the
// idempotency keys, agencies' authorisations, the query log, the trusted
// operations and rate windows, and supervision's checks, grades, inspection
// plans, reports and warnings.
//
// A store is a small interface with a PostgreSQL implementation over
// sqlx.ExtContext, handed out by DB: over the pool, or inside Transact over
// one transaction, so that a workflow's every write commits together. The
// rules (who may do what, which state follows which) are not here: they are
// in workflow and supervision, which call these stores.
//
// Rules that change with the law are rows here, each with its source, not
// constants in code. The migrations are in migrations/.
package hubdb
