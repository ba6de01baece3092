-- +goose Up
-- What the hub reads: one row per record with the codes resolved to their
-- labels and an inspection's findings as a jsonb array, so that to_jsonb of a
-- view row carries everything the mapping needs. Both views are simple joins
-- (the aggregates are scalar subqueries in the select list), so PostgreSQL
-- flattens them into the hub's query and a condition on unit_code still uses
-- the base table's index; EXPLAIN shows an Index Scan on fire_inspection_unit.
-- A code missing from code_dict comes out as a NULL label, which the mapping
-- reports instead of guessing.
CREATE VIEW v_inspection AS
SELECT i.id,
       i.unit_code,
       u.unit_name,
       u.risk_class,
       i.insp_no,
       i.insp_type_cd,
       ty.label AS insp_type,
       i.inspected_at,
       i.inspectors,
       i.result_cd,
       rs.label AS result,
       i.org_cd,
       og.label AS org_name,
       i.published_at,
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'seq', f.seq,
                   'hazard_cd', f.hazard_cd,
                   'hazard', hz.label,
                   'rectify_deadline', f.rectify_deadline,
                   'rectified_at', f.rectified_at) ORDER BY f.seq), '[]'::jsonb)
          FROM insp_finding f
          LEFT JOIN code_dict hz ON hz.cd_type = 'HAZARD' AND hz.cd = f.hazard_cd
         WHERE f.insp_id = i.id) AS findings
  FROM fire_inspection i
  JOIN fire_unit u ON u.unit_code = i.unit_code
  LEFT JOIN code_dict ty ON ty.cd_type = 'INSP' AND ty.cd = i.insp_type_cd
  LEFT JOIN code_dict rs ON rs.cd_type = 'RESULT' AND rs.cd = i.result_cd
  LEFT JOIN code_dict og ON og.cd_type = 'ORG' AND og.cd = i.org_cd;

CREATE VIEW v_penalty AS
SELECT p.id,
       p.unit_code,
       u.unit_name,
       p.insp_id,
       p.decision_no,
       p.decided_at,
       p.hazard_cd,
       hz.label AS violation,
       p.basis,
       p.penalty_cds,
       ARRAY(SELECT d.label
               FROM unnest(p.penalty_cds) WITH ORDINALITY AS c (cd, n)
               JOIN code_dict d ON d.cd_type = 'PENALTY' AND d.cd = c.cd
              ORDER BY c.n) AS penalty_kinds,
       p.fine_yuan,
       p.org_cd,
       og.label AS org_name,
       p.published_at,
       p.revoked_at
  FROM fire_penalty p
  JOIN fire_unit u ON u.unit_code = p.unit_code
  LEFT JOIN code_dict hz ON hz.cd_type = 'HAZARD' AND hz.cd = p.hazard_cd
  LEFT JOIN code_dict og ON og.cd_type = 'ORG' AND og.cd = p.org_cd;

-- +goose Down
DROP VIEW v_penalty;
DROP VIEW v_inspection;
