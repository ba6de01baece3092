// Package market is the datasource of 市场监管局, the market regulator
// (database dept_market).
//
// It holds the registry of market entities (name, unified social credit
// code, kind, status, registered capital, address, division, the legal
// representative and the other principal persons) and the records the
// regulator decides: administrative licences and penalties, 双随机
// inspection results, 12315 complaints and the abnormal-operation directory;
// and its other decisions of T26 (decisions.go): 查封 and 扣押 in cases and
// 加处罚款 on unpaid fines (行政强制), the honours it grants or administers
// for the city (行政奖励), and, as the city's intellectual property office,
// its rulings on patent infringement disputes (行政裁决), filed under the
// respondent.
//
// Its habits: everything is keyed by the unified social credit code, except
// licences and penalties decided before the 2015 reform, which carry only the
// 15-digit registration number (the registry maps it to the code). Registered
// capital is kept in 万元; statuses and roles are stored as Chinese words
// (存续, 法定代表人); inspection results as one-digit codes. The decisions
// of T26 began after the reform: they carry the unified code only.
package market
