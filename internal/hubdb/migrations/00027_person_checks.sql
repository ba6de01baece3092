-- +goose Up
-- T22: a natural person is checked for a scenario of their own (becoming a
-- legal representative, a director or senior manager, holding a
-- qualification). person_scenarios says where a measure applies to a
-- person; the entity scenarios (scenarios) stay the entities'.
ALTER TABLE measure ADD COLUMN person_scenarios text[] NOT NULL DEFAULT '{}';
UPDATE measure SET person_scenarios = '{LEGAL_REPRESENTATIVE,DIRECTOR_OR_SENIOR_MANAGER}' WHERE code = 'M-MKT-01';
INSERT INTO measure (code, name, kind, department, legal_basis, list_types, scenarios, record_kinds, min_severity, person_scenarios) VALUES
 ('M-CRT-02', '失信被执行人不得担任企业法定代表人、董事、监事、高级管理人员', 'RESTRICTION', 'court',
  '《最高人民法院关于公布失信被执行人名单信息的若干规定》第十一条；发改财金〔2016〕141号', '{}', '{}',
  '{DISHONEST_DEBTOR}', NULL, '{LEGAL_REPRESENTATIVE,DIRECTOR_OR_SENIOR_MANAGER}'),
 ('M-QLF-01', '限制取得相关从业任职资格、限制获得认证证书', 'RESTRICTION', 'market',
  '发改财金〔2016〕141号；国办发〔2020〕49号', '{JOINT_PUNISHMENT,MARKET_BAN}', '{}',
  '{FALSE_LITIGATION,DISHONEST_DEBTOR}', 'SERIOUS', '{PROFESSIONAL_QUALIFICATION}');

-- +goose Down
DELETE FROM measure WHERE code IN ('M-CRT-02', 'M-QLF-01');
ALTER TABLE measure DROP COLUMN person_scenarios;
