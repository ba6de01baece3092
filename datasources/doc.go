// Package datasources is the contract between the hub and the departments'
// databases. Each department has its own package below this one
// (market, environment, fire, housing, court) with its migrations, its row
// types, the mapping of its rows to credit records and its seed generator;
// hub/ is the hub's own database.
//
// A department describes its record tables once (RecordTable: where a table's
// rows are, how its key columns match an entity, which column is the decision
// date) and Source turns that description into the few batched statements the
// hub needs: every entity's newest records after a cursor, record counts, and
// records by reference. Keys are matched the department's way, so a row that
// a department filed under a legacy organisation code or registration number
// still lands on its entity.
package datasources
