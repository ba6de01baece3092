// Package court is the datasource of 市中级人民法院, the city's intermediate
// people's court (database dept_court), which keeps the enforcement lists of
// the courts of Heihe: its own and those of the basic courts of 爱辉区, 逊克县,
// 孙吴县, 北安市, 五大连池市 and 嫩江市.
//
// It holds the list of dishonest judgment debtors (失信被执行人: the case,
// the enforcement basis and the obligation it set, how far it was performed,
// the dishonest behaviour, and when the entry was published and removed),
// consumption restriction orders (限制消费令, and when they were lifted) and
// the list of false-litigation dishonest persons (虚假诉讼失信人).
//
// Its habits: natural persons and organisations are parties of one table,
// party, keyed by party_id_no, which is a resident ID number for a person
// (party_type P) and a unified social credit code for an organisation
// (party_type O); every list refers to its party by that column. The type
// column, not the shape of the key, tells which it is: legacy pilot codes
// fail the USCC checksum and old person rows may still carry 15-digit
// first-generation ID numbers, so no validator can sort them. The lists are
// read through views (dishonest_debtor_v, consumption_restriction_v,
// false_litigation_v) that join the party in, so that every row carries its
// party's type and name; for organisations the court also publishes the
// legal representative's name.
//
// A consumption restriction order against an organisation binds its legal
// representative personally too (最高人民法院关于限制被执行人高消费及有关消费的
// 若干规定, art. 3): the order names that person in restricted_person_id_no,
// and the order is among that person's own records. It remains the
// organisation's record: fetched by reference, its subject is the
// organisation.
//
// Case numbers follow the courts' form, (2023)黑1102执268号: the year, the
// court's code (黑11 for the intermediate court, 黑1102 … 黑1183 for the
// basic courts, after the division codes) and the case type (执, 执恢, 民初…).
// Summaries carry the case number and never a party's ID number or name.
package court
