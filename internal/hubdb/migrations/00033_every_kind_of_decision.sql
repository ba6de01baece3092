-- +goose Up
-- T26 (issue #14 point 7): besides licensing and penalty decisions, the
-- measures ask that 行政强制, 行政确认, 行政征收, 行政给付, 行政裁决, 行政补偿
-- and 行政奖励 go online within 7 working days of the decision, 依法依规.
-- Each is a record kind of the departments that make it: the catalogue
-- says how open it is, whether the 7-working-day duty applies and how long
-- it stays published.
--
-- publication_months is how long a kind's records stay published, counted
-- from the decision, where the dishonesty classes (publication_period)
-- do not say: a record without a class, or a kind they do not apply to.
-- NULL: no period of its own (the department's state ends it: a lifted
-- seal-up, a cancelled filing). A reward counts for three years: 守信激励
-- rests on the honours of the last three years.
ALTER TABLE info_catalogue ADD COLUMN publication_months int CHECK (publication_months BETWEEN 1 AND 120);
COMMENT ON COLUMN info_catalogue.publication_months IS
  'Months a record of the kind stays published from its decision when the dishonesty classes do not say; NULL: no period of its own.';
ALTER TABLE catalogue_change ADD COLUMN publication_months int CHECK (publication_months BETWEEN 1 AND 120);

INSERT INTO info_catalogue (kind, name, sources, entity_publicity, person_publicity, person_publicity_ceiling,
                            disclosure_required, legal_basis, position, period_applies, publication_months) VALUES
 ('ADMINISTRATIVE_COERCION', '行政强制（查封、扣押、临时查封、强制执行）', '{market,environment,fire}', 'PUBLIC', 'PERSONAL', 'PERSONAL', true,
  '《中华人民共和国行政强制法》第九条、第十二条；《若干措施》第四条第（二）项：行政强制信息在作出行政决定后7个工作日内上网公开；强制执行（拒不履行行政决定）按失信信息的公示期限',
  20, true, NULL),
 ('ADMINISTRATIVE_CONFIRMATION', '行政确认（竣工验收备案、消防验收备案）', '{housing}', 'PUBLIC', 'PERSONAL', 'PERSONAL', true,
  '《房屋建筑和市政基础设施工程竣工验收备案管理办法》；《建设工程消防设计审查验收管理暂行规定》；《若干措施》第四条第（二）项',
  21, false, NULL),
 ('ADMINISTRATIVE_LEVY', '行政征收（排污费、城市基础设施配套费）', '{environment,housing}', 'PUBLIC', 'PERSONAL', 'PERSONAL', true,
  '《排污费征收使用管理条例》（国务院令第369号，2018年1月1日起由《中华人民共和国环境保护税法》取代）；城市基础设施配套费征收的地方规定；《若干措施》第四条第（二）项',
  22, false, NULL),
 ('ADMINISTRATIVE_BENEFIT', '行政给付（保障性安居工程、建筑节能补助资金）', '{housing}', 'PUBLIC', 'PERSONAL', 'PERSONAL', true,
  '《中央财政城镇保障性安居工程补助资金管理办法》；《若干措施》第四条第（二）项',
  23, false, NULL),
 ('ADMINISTRATIVE_ADJUDICATION', '行政裁决（专利侵权纠纷）', '{market}', 'PUBLIC', 'PERSONAL', 'PERSONAL', true,
  '《中华人民共和国专利法》第六十五条；中共中央办公厅、国务院办公厅《关于健全行政裁决制度加强行政裁决工作的意见》；《若干措施》第四条第（二）项',
  24, false, NULL),
 ('ADMINISTRATIVE_COMPENSATION', '行政补偿（国有土地上房屋征收补偿）', '{housing}', 'SHARED', 'PERSONAL', 'PERSONAL', false,
  '《国有土地上房屋征收与补偿条例》第二十九条：分户补偿情况在房屋征收范围内向被征收人公布，不上网公开；在部门间共享',
  25, false, NULL),
 ('ADMINISTRATIVE_REWARD', '行政奖励（表彰、奖励）', '{market,environment}', 'PUBLIC', 'PERSONAL', 'PERSONAL', true,
  '国发〔2016〕33号（建立完善守信联合激励制度）；《若干措施》第四条第（二）项：行政奖励信息在作出行政决定后7个工作日内上网公开；公示3年，期满不再作为守信激励的依据',
  26, false, 36);

-- +goose Down
DELETE FROM catalogue_change WHERE kind IN ('ADMINISTRATIVE_COERCION', 'ADMINISTRATIVE_CONFIRMATION', 'ADMINISTRATIVE_LEVY',
  'ADMINISTRATIVE_BENEFIT', 'ADMINISTRATIVE_ADJUDICATION', 'ADMINISTRATIVE_COMPENSATION', 'ADMINISTRATIVE_REWARD');
DELETE FROM info_catalogue WHERE kind IN ('ADMINISTRATIVE_COERCION', 'ADMINISTRATIVE_CONFIRMATION', 'ADMINISTRATIVE_LEVY',
  'ADMINISTRATIVE_BENEFIT', 'ADMINISTRATIVE_ADJUDICATION', 'ADMINISTRATIVE_COMPENSATION', 'ADMINISTRATIVE_REWARD');
ALTER TABLE catalogue_change DROP COLUMN publication_months;
ALTER TABLE info_catalogue DROP COLUMN publication_months;
