// Package market is the datasource of 市场监管局, the market regulator
// (database dept_market).
//
// It holds the registry of market entities (name, unified social credit
// code, kind, status, registered capital, address, division, the legal
// representative and the other principal persons) and the records the
// regulator decides: administrative licences and penalties, 双随机
// inspection results, 12315 complaints and the abnormal-operation directory.
//
// Its habits: everything is keyed by the unified social credit code, except
// licences and penalties decided before the 2015 reform, which carry only the
// 15-digit registration number (the registry maps it to the code). Registered
// capital is kept in 万元; statuses and roles are stored as Chinese words
// (存续, 法定代表人); inspection results as one-digit codes.
package market
