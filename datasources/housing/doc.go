// Package housing is the datasource of 住建局, the housing and urban-rural
// development bureau (database dept_housing).
//
// It holds three registers about construction enterprises: their
// qualification certificates (建筑业企业资质, one row per qualification item
// of a certificate), the quality and safety accidents on their sites
// (质量安全事故) once the investigation has been concluded and the bureau
// has decided on them, and the construction-market bad-conduct records
// (建筑市场不良行为记录) coded after the national standard
// 全国建筑市场各方主体不良行为记录认定标准 (A1-1 … A5-1 for construction
// companies). Its other decisions of T26 (decisions.go): completion and
// fire acceptance filings (行政确认), the city infrastructure fee on
// building projects (行政征收), subsidies from the housing funds (行政给付)
// and the compensation of enterprises whose premises were expropriated
// (行政补偿; announced within the expropriation area, not online, so its
// table keeps no publication day).
//
// Its habits: the unified social credit code lives in a column named
// social_credit_no, never uscc, and rows carry the enterprise's name as the
// bureau recorded it. The accident grade of 生产安全事故报告和调查处理条例
// art. 3 is stored as a small integer, 1 一般 … 4 特别重大; direct economic
// losses are kept in 万元 (numeric, converted to yuan exactly). Certificate
// numbers read D + the issuing level (1 ministry, 2 province, 3 city) + the
// province code 23 + six digits, so certificates of second grade are signed
// by the province's department (黑龙江省住房和城乡建设厅) even though the
// city keeps them in its register. Statuses are Chinese words: 有效, 注销,
// 撤回 for certificates; 公布中 and 期满撤下 for bad-conduct records, which
// are published for a fixed period (6 months to 3 years) and taken down by
// the bureau when it ends.
//
// The bureau keeps no records of natural persons here: the bad conduct of
// registered practitioners (注册人员) is held by the province.
package housing
