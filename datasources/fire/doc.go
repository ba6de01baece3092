// Package fire is the datasource of 黑河市消防救援支队, the fire and rescue
// detachment (database dept_fire).
//
// It holds fire-safety inspections (消防监督检查) with the hazards each one
// found (火灾隐患, with the deadline to rectify them and when a follow-up
// inspection found them rectified), and fire administrative penalties
// (消防行政处罚). Units are registered in fire_unit as 一般单位 or 重点单位
// (消防安全重点单位). Its coercion (行政强制, T26) is the temporary seal-up
// of premises ordered at the inspection that found the hazard (临时查封,
// lifted once every hazard is rectified) and the enforcement of orders and
// fines a unit did not carry out (fire_coercion, read through v_coercion,
// code_dict COERCE).
//
// Its habits:
//
//   - Everything is keyed by unit_code, the unit's unified social credit
//     code; there are no legacy keys.
//   - Times are timestamptz (inspected_at, decided_at, rectified_at,
//     published_at). The day of a decision is the China-time date of the
//     time: an inspection at 2024-03-01T17:30:00Z (01:30 in Heihe, a night
//     check of an entertainment venue) is dated 2024-03-02.
//   - Results, inspection types, hazards, penalty types and the deciding fire
//     organ are codes (result_cd '01' 合格, '02' 责令限期改正, '03' 临时查封,
//     '04' 责令停止使用; hazard_cd H01 疏散通道堵塞 …) explained by the table
//     code_dict(cd_type, cd, label), which the migration fills.
//   - The hub reads two views, v_inspection and v_penalty, that resolve the
//     codes and gather an inspection's findings into a jsonb array. They are
//     plain joins, so PostgreSQL flattens them and a lookup by unit still
//     uses the base tables' indexes.
//
// Authority: units in the city proper (爱辉区) and the free trade zone are
// supervised by 黑河市消防救援支队 itself; units in the counties and
// county-level cities by their brigade (北安市消防救援大队, 逊克县消防救援大队 …),
// which signs its own inspections and penalties. The organ is stored per row
// (org_cd), so a unit that moves keeps its old decisions' signatures.
//
// Penalties weigh the same as the market regulator's (credit.PenaltySeverity).
// An inspection that passed counts for nothing; one that ordered the hazards
// rectified is MINOR; a temporary seal-up or an order to stop using the
// premises is GENERAL.
package fire
