package hubdb

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/lib/pq"

	"credithub/internal/credit"
)

// CityQuery asks the hub's database for the dashboards' figures (cityStats)
// in one statement: the sections set are computed, each a part of one
// UNION ALL that tags its rows with the section's name.
type CityQuery struct {
	// OnlyDivisions, when not nil, keeps the entities of these divisions;
	// USCCs and Divisions are then the registry's map of those entities to
	// their divisions (sent only then: the sections that show a division
	// return the entities' codes, which the caller places).
	USCCs, Divisions, OnlyDivisions []string
	// From and To bound the period; Today and Soon (Today plus two working
	// days) decide what is overdue and what is due soon.
	From, To, Today, Soon time.Time
	// HideKeyAttention leaves key-attention entries out (the public).
	HideKeyAttention bool

	ListingFlows, ListedNow, Commitments, Objections, Repairs, Grades, Checks, Warnings, Dishonest bool

	// RecordEntityKinds and RecordPersonKinds, when either is set, ask for
	// the records the hub holds itself (CityRecords), of these kinds among
	// those about entities and about persons: the hub's part of the
	// records figure, beside the departments' (datasources.StatsQuery).
	RecordEntityKinds, RecordPersonKinds []credit.Kind
}

// CityRow is a row of a section of CityFigures: its section's name, up to
// four labels (see the sections' docs) and a count.
type CityRow struct {
	Section    string
	A, B, C, D string
	N          int
}

// The sections of CityFigures and their labels.
const (
	CityFlowIn     = "flow_in"     // month, list type, domain
	CityFlowOut    = "flow_out"    // month, list type, domain
	CityListed     = "listed"      // list type, domain, division
	CitySigned     = "signed"      // month, department
	CityCommitEnd  = "commit_end"  // month, department, state reached
	CityObjState   = "obj_state"   // state (of those filed in the period)
	CityObjDecided = "obj_decided" // filing day, decision day (decided in the period)
	CityObjDue     = "obj_due"     // "OVERDUE" or "SOON" (undecided now)
	CityRepState   = "rep_state"
	CityRepDecided = "rep_decided"
	CityRepDue     = "rep_due"
	CityGradeNow   = "grade_now"   // division, grade
	CityGradeMonth = "grade_month" // month, division, grade
	CityChecks     = "checks"      // month, department
	CityMeasures   = "measures"    // month, department, "APPLIED" or "NOT_APPLIED"
	CityWarnings   = "warnings"    // rule, division, the rule's row as JSON
	CityDishonest  = "dishonest"   // division
	// CityRecords counts the records the hub holds itself decided in the
	// period: month, kind, the entity's code ("" for a person), the
	// source the record is shown under (HeldSource).
	CityRecords = "records"
)

// WarningNotClosed is the condition, on a warning w, that it is still open
// (OPEN, ACKNOWLEDGED or ASSIGNED: the warnings' workflow,
// 00015_warning_handling.sql).
const WarningNotClosed = `w.state <> 'CLOSED'`

const cst = ` AT TIME ZONE 'Asia/Shanghai'`

// CityFigures computes the sections q asks for, in one statement.
func (d *DB) CityFigures(ctx context.Context, q CityQuery) ([]CityRow, error) {
	var only any
	if q.OnlyDivisions != nil {
		only = pq.Array(q.OnlyDivisions)
	}
	args := []any{pq.Array(q.USCCs), pq.Array(q.Divisions), day(q.From), day(q.To), day(q.Today), day(q.Soon), only, q.HideKeyAttention}
	// in keeps an entity (by its code column) of the divisions asked.
	in := func(col string) string {
		if q.OnlyDivisions == nil {
			return ` WHERE TRUE`
		}
		return ` JOIN m ON m.k = ` + col + ` WHERE m.d = ANY($7::text[])`
	}
	period := func(expr string) string { return ` AND (` + expr + `)::date BETWEEN $3::date AND $4::date` }
	var parts []string
	// add adds a section of three labels, add4 one of four.
	add := func(s string) {
		parts = append(parts, `SELECT x.s, x.a, x.b, x.c, NULL::text, x.n FROM (`+s+`) x(s, a, b, c, n)`)
	}
	add4 := func(s string) { parts = append(parts, s) }
	const noKA = ` AND NOT ($8::boolean AND e.list_type = 'KEY_ATTENTION')`
	if q.ListingFlows {
		add(`SELECT '` + CityFlowIn + `', to_char(e.entered_on, 'YYYY-MM'), e.list_type, coalesce(e.domain, ''), count(*) FROM list_entry e` +
			in("e.uscc") + period("e.entered_on") + noKA + ` GROUP BY 2, 3, 4`)
		add(`SELECT '` + CityFlowOut + `', to_char(e.removed_on, 'YYYY-MM'), e.list_type, coalesce(e.domain, ''), count(*) FROM list_entry e` +
			in("e.uscc") + period("e.removed_on") + noKA + ` GROUP BY 2, 3, 4`)
	}
	if q.ListedNow {
		add(`SELECT '` + CityListed + `', e.list_type, coalesce(e.domain, ''), e.uscc, count(*) FROM list_entry e` +
			in("e.uscc") + ` AND e.state = 'LISTED'` + noKA + ` GROUP BY 2, 3, 4`)
	}
	if q.Commitments {
		add(`SELECT '` + CitySigned + `', to_char(c.signed_at` + cst + `, 'YYYY-MM'), c.department, '', count(*) FROM commitment c` +
			in("c.uscc") + period("c.signed_at"+cst) + ` GROUP BY 2, 3`)
		add(`SELECT '` + CityCommitEnd + `', to_char(h.at` + cst + `, 'YYYY-MM'), c.department, h.to_state, count(*)
			FROM workflow_history h JOIN commitment c ON c.id = h.object_id` + in("c.uscc") +
			` AND h.workflow = 'commitment' AND h.to_state IN ('FULFILLED', 'BREACHED', 'FOUND_FALSE')` + period("h.at"+cst) + ` GROUP BY 2, 3, 4`)
	}
	timeliness := func(table, code, uscc, decided, overdue, undecided, secState, secDecided, secDue string) {
		add(`SELECT '` + secState + `', o.state, '', '', count(*) FROM ` + table + ` o` + in("o."+uscc) + period("o."+code+cst) + ` GROUP BY 2`)
		add(`SELECT '` + secDecided + `', to_char((o.` + code + cst + `)::date, 'YYYY-MM-DD'), to_char((d.at` + cst + `)::date, 'YYYY-MM-DD'), '', count(*)
			FROM ` + table + ` o CROSS JOIN LATERAL (SELECT min(h.at) AS at FROM workflow_history h
				WHERE h.workflow = '` + table + `' AND h.object_id = o.id AND h.to_state IN (` + decided + `)) d` +
			in("o."+uscc) + ` AND d.at IS NOT NULL` + period("d.at"+cst) + ` GROUP BY 2, 3`)
		add(`SELECT '` + secDue + `', CASE WHEN ` + strings.ReplaceAll(overdue, "%[1]s", "$5::date") + ` THEN 'OVERDUE' ELSE 'SOON' END, '', '', count(*)
			FROM ` + table + ` o` + in("o."+uscc) + ` AND o.state IN (` + undecided + `)
			AND (` + strings.ReplaceAll(overdue, "%[1]s", "$5::date") + ` OR ` + strings.ReplaceAll(overdue, "%[1]s", "($6::date + 1)") + `) GROUP BY 2`)
	}
	if q.Objections {
		timeliness("objection", "filed_at", "subject_uscc", `'UPHELD', 'REJECTED'`,
			`((o.state = 'FILED' AND o.check_due < %[1]s) OR (o.state = 'CHECKED' AND o.decision_due < %[1]s))`, `'FILED', 'CHECKED'`,
			CityObjState, CityObjDecided, CityObjDue)
	}
	if q.Repairs {
		timeliness("repair", "applied_at", "uscc", `'REFUSED', 'REPAIRED', 'DENIED'`,
			`((o.state = 'APPLIED' AND o.accept_due < %[1]s) OR (o.state = 'ACCEPTED' AND o.decision_due < %[1]s))`, `'APPLIED', 'ACCEPTED'`,
			CityRepState, CityRepDecided, CityRepDue)
	}
	if q.Grades {
		add(`SELECT '` + CityGradeNow + `', g.division, g.grade, '', count(*) FROM entity_grade g` + in("g.uscc") + ` GROUP BY 2, 3`)
		add(`SELECT '` + CityGradeMonth + `', g.month, g.division, g.grade, g.entities FROM grade_month g
			WHERE ($7::text[] IS NULL OR g.division = ANY($7::text[])) AND g.month BETWEEN to_char($3::date, 'YYYY-MM') AND to_char($4::date, 'YYYY-MM')`)
	}
	if q.Checks {
		add(`SELECT '` + CityChecks + `', to_char(c.asked_at` + cst + `, 'YYYY-MM'), c.asked_org, '', count(*) FROM credit_check c` +
			in("c.uscc") + period("c.asked_at"+cst) + ` GROUP BY 2, 3`)
		add(`SELECT '` + CityMeasures + `', to_char(c.asked_at` + cst + `, 'YYYY-MM'), c.asked_org, CASE WHEN a.applied THEN 'APPLIED' ELSE 'NOT_APPLIED' END, count(*)
			FROM measure_application a JOIN credit_check c ON c.id = a.check_id` + in("c.uscc") + period("c.asked_at"+cst) + ` GROUP BY 2, 3, 4`)
	}
	if q.Warnings {
		add(`SELECT '` + CityWarnings + `', w.rule, w.uscc, (SELECT to_jsonb(r)::text FROM warning_rule r WHERE r.code = w.rule), count(*)
			FROM warning w` + in("w.uscc") + ` AND ` + WarningNotClosed + ` GROUP BY 2, 3`)
	}
	if q.Dishonest {
		// An entity with a serious dishonesty record in force at the last
		// grade recompute, or on the joint-punishment list now.
		add(`SELECT '` + CityDishonest + `', x.uscc, '', '', 1 FROM (
				SELECT g.uscc FROM entity_grade g WHERE g.reasons @> '[{"factor": "SERIOUS_RECORD"}]'
				UNION SELECT e.uscc FROM list_entry e WHERE e.state = 'LISTED' AND e.list_type = 'JOINT_PUNISHMENT') x` +
			in("x.uscc"))
	}
	if ek, pk := heldKindList(q.RecordEntityKinds), heldKindList(q.RecordPersonKinds); len(ek) > 0 || len(pk) > 0 {
		args = append(args, pq.Array(ek), pq.Array(pk))
		add4(`SELECT '` + CityRecords + `', to_char(h.decision_date, 'YYYY-MM'), h.kind, h.subject_uscc, ` + heldSourceSQL() + `, count(*)
			FROM hub_record h WHERE h.decision_date BETWEEN $3::date AND $4::date
			AND ((h.subject_uscc <> '' AND h.kind = ANY($9::text[])) OR (h.subject_id_no <> '' AND h.kind = ANY($10::text[])))
			GROUP BY 2, 3, 4, 5`)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	// p types the parameters the sections asked for do not use.
	query := `WITH m(k, d) AS MATERIALIZED (SELECT * FROM unnest($1::text[], $2::text[])),
		p AS (SELECT $3::date, $4::date, $5::date, $6::date, $7::text[], $8::boolean) ` + strings.Join(parts, " UNION ALL ")
	rows, err := d.x.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CityRow
	for rows.Next() {
		var r CityRow
		var a, b, c, d sql.NullString
		if err := rows.Scan(&r.Section, &a, &b, &c, &d, &r.N); err != nil {
			return nil, err
		}
		r.A, r.B, r.C, r.D = a.String, b.String, c.String, d.String
		out = append(out, r)
	}
	return out, rows.Err()
}
