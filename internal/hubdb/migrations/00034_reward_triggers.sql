-- +goose Up
-- 守信激励 (T19, T26; issue #14 point 7): a reward measure rests on what
-- earns it, and a credit check names it as the trigger, as it names the
-- records behind a restriction:
--
--   * an administrative reward in force (ADMINISTRATIVE_REWARD, published
--     three years: info_catalogue.publication_months);
--   * an honour the entity declared and the department named verified
--     (SELF_DECLARATION of kind HONOUR, VERIFIED: 诚信典型);
--   * the entity's grade now (grades: A, 信用风险低, the 2022 risk
--     classification), for the measures that reward a clean record.
--
-- record_kinds of a reward name the kinds that may rest it (only records
-- that reward count: a verified honour, not any declaration); grades the
-- grades. A reward is never given to an entity a restriction applies to,
-- or with a listing or a dishonesty record of GENERAL or above in force
-- (失信 excludes 守信激励), or when a department did not answer.
ALTER TABLE measure ADD COLUMN grades text[] NOT NULL DEFAULT '{}'
    CHECK (grades <@ ARRAY['A', 'B', 'C', 'D']);
COMMENT ON COLUMN measure.grades IS 'Grades of the entity that trigger a reward measure (守信激励).';

-- 国发〔2016〕33号 二（二）：对诚信典型和连续三年无不良信用记录的行政相对人，
-- 可根据实际情况实施“绿色通道”和“容缺受理”等便利服务措施；二（三）：在实施
-- 财政性资金项目安排、招商引资配套优惠政策等各类政府优惠政策中，优先考虑诚信
-- 市场主体。
UPDATE measure
   SET name = '守信激励：行政审批容缺受理（次要材料缺失时先行受理，限期补正）',
       legal_basis = '国发〔2016〕33号 二（二）：对诚信典型和连续三年无不良信用记录的行政相对人，可实施“绿色通道”和“容缺受理”等便利服务措施',
       scenarios = '{ADMINISTRATIVE_APPROVAL,MARKET_ACCESS}',
       record_kinds = '{ADMINISTRATIVE_REWARD,SELF_DECLARATION}',
       grades = '{A}'
 WHERE code = 'M-MKT-R1';
INSERT INTO measure (code, name, kind, department, legal_basis, list_types, scenarios, record_kinds, min_severity, person_scenarios, grades) VALUES
 ('M-MKT-R2', '守信激励：行政审批绿色通道（优先办理、简化程序）', 'REWARD', 'market',
  '国发〔2016〕33号 二（二）：探索建立行政审批“绿色通道”；《若干措施》第三条第（二）项（奖惩到位）', '{}',
  '{ADMINISTRATIVE_APPROVAL,QUALIFICATION_REVIEW,MARKET_ACCESS}', '{ADMINISTRATIVE_REWARD,SELF_DECLARATION}', NULL, '{}', '{A}'),
 ('M-FND-R1', '守信激励：财政性资金项目安排中优先考虑', 'REWARD', 'market',
  '国发〔2016〕33号 二（三）：在实施财政性资金项目安排等各类政府优惠政策中，优先考虑诚信市场主体', '{}',
  '{STATE_FUNDING}', '{ADMINISTRATIVE_REWARD,SELF_DECLARATION}', NULL, '{}', '{}');

-- +goose Down
DELETE FROM measure_application WHERE measure IN ('M-MKT-R2', 'M-FND-R1');
DELETE FROM measure WHERE code IN ('M-MKT-R2', 'M-FND-R1');
UPDATE measure
   SET name = '守信激励：行政审批绿色通道、容缺受理', legal_basis = '国发〔2016〕33号',
       scenarios = '{ADMINISTRATIVE_APPROVAL,MARKET_ACCESS,STATE_FUNDING}', record_kinds = '{}'
 WHERE code = 'M-MKT-R1';
ALTER TABLE measure DROP COLUMN grades;
