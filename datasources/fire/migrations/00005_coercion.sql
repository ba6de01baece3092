-- +goose Up
-- 行政强制 (T26): the fire service's temporary seal-up of premises whose
-- hazards threaten public safety (临时查封, 《中华人民共和国消防法》第五十四条),
-- usually ordered at the inspection that found them, and its enforcement of
-- decisions the unit did not carry out (强制执行 of an order to stop using
-- premises or operations, 第七十条; 加处罚款 on an unpaid fine,
-- 《中华人民共和国行政处罚法》第七十二条). Coded and timed as the service's
-- other records: code_dict COERCE, timestamptz.
INSERT INTO code_dict (cd_type, cd, label) VALUES
    ('COERCE', '1', '临时查封'),
    ('COERCE', '2', '强制执行（停止使用、停产停业）'),
    ('COERCE', '3', '加处罚款');

CREATE TABLE fire_coercion (
    id            bigserial PRIMARY KEY,
    unit_code     varchar(18) NOT NULL REFERENCES fire_unit (unit_code),
    -- the inspection that found the hazard, for a seal-up
    insp_id       bigint REFERENCES fire_inspection (id),
    -- the penalty enforced, for an enforcement
    penalty_id    bigint REFERENCES fire_penalty (id),
    -- code_dict ORG
    org_cd        text NOT NULL,
    -- 临时查封决定书 黑消临封字〔2024〕0012号, 强制执行决定书 黑消强执字〔2024〕0003号
    decision_no   text NOT NULL,
    -- code_dict COERCE
    coerce_cd     text NOT NULL,
    -- code_dict HAZARD: the hazard that justified it
    hazard_cd     text,
    -- the premises, part or facility sealed up
    scope         text,
    basis         text,
    decided_at    timestamptz NOT NULL,
    -- when the seal-up was lifted after the hazard was removed (解除临时查封)
    lifted_at     timestamptz,
    published_at  timestamptz,
    -- set when the decision was revoked (行政复议 or court)
    revoked_at    timestamptz
);
CREATE INDEX fire_coercion_unit ON fire_coercion
    (unit_code, ((decided_at AT TIME ZONE 'Asia/Shanghai')::date) DESC, id DESC);

-- What the hub reads, as v_inspection and v_penalty: the codes resolved, a
-- plain join PostgreSQL flattens into the hub's query.
CREATE VIEW v_coercion AS
SELECT c.id,
       c.unit_code,
       u.unit_name,
       c.insp_id,
       c.penalty_id,
       c.decision_no,
       c.coerce_cd,
       co.label AS coercion,
       c.hazard_cd,
       hz.label AS hazard,
       c.scope,
       c.basis,
       c.decided_at,
       c.lifted_at,
       c.org_cd,
       og.label AS org_name,
       c.published_at,
       c.revoked_at
  FROM fire_coercion c
  JOIN fire_unit u ON u.unit_code = c.unit_code
  LEFT JOIN code_dict co ON co.cd_type = 'COERCE' AND co.cd = c.coerce_cd
  LEFT JOIN code_dict hz ON hz.cd_type = 'HAZARD' AND hz.cd = c.hazard_cd
  LEFT JOIN code_dict og ON og.cd_type = 'ORG' AND og.cd = c.org_cd;

-- +goose Down
DROP VIEW v_coercion;
DROP TABLE fire_coercion;
DELETE FROM code_dict WHERE cd_type = 'COERCE';
