// Package environment is the datasource of 黑河市生态环境局, the ecology and
// environment bureau (database dept_environment).
//
// It holds three kinds of records: pollutant discharge permits (排污许可,
// table hb_pwxk), environmental administrative penalties (行政处罚, hb_xzcf)
// and the yearly enterprise environmental credit evaluation (企业环境信用评价,
// hb_xypj), whose four levels 环保诚信企业, 环保良好企业, 环保警示企业 and
// 环保不良企业 (green, blue, yellow, red) are stored as those Chinese words.
// Its other decisions of T26 (decisions.go) are seal-ups and seizures of
// the facilities causing pollution and 代履行 at the polluter's cost
// (hb_xzqz, 行政强制), the pollutant discharge fee it assessed until the
// environmental protection tax, which the tax office collects, replaced it
// on 2018-01-01 (hb_pwfzs, 行政征收: its rows end with 2017, so most carry
// the organisation code), and its honours (hb_xzjl, 行政奖励).
//
// Its habits, as the provincial systems it inherited them from:
//
//   - Tables and columns are named with pinyin initials (hb_xzcf 环保·行政处罚,
//     tyshxydm 统一社会信用代码, fkje_wy 罚款金额（万元）); every table and
//     column carries a Chinese and English COMMENT in the migration.
//   - Older rows are keyed by the 9-character organisation code only
//     (tyshxydm NULL, zzjgdm set): everything decided before 2016, and every
//     row of a unit the bureau never re-keyed (world.Entity.LegacyKeys).
//     Rows of the 2016–2017 transition carry both keys. Individual businesses
//     never had an organisation code, so their rows always carry the unified
//     code. A record matched through the organisation code reports it as its
//     LegacyKey.
//   - Amounts are in 万元 (ten thousand yuan), numeric with six decimals so
//     that a fen is representable; the mapping converts them exactly to yuan.
//   - Multi-valued fields (main pollutants, penalty types) are comma-separated
//     text rather than arrays.
//   - An evaluation year's results are decided on one day and published in one
//     announcement (公告文号), so all rows of a year share a date and number.
//
// Every decision is signed 黑河市生态环境局. Penalties weigh the same as the
// market regulator's (credit.PenaltySeverity, on the amount in yuan);
// evaluations count against the unit when they are 环保警示企业 (GENERAL) or
// 环保不良企业 (SERIOUS).
package environment
