-- +goose Up
-- The regulator's other administrative decisions (T26): coercion, rewards
-- and patent-dispute rulings. They began after the 2015 reform, so every
-- row carries the unified code; statuses are Chinese words as elsewhere.

-- 行政强制: a seal-up or seizure in a case (行政强制措施, 《中华人民共和国
-- 行政强制法》第九条: 查封, 扣押), or the enforcement of a penalty the party
-- did not pay (行政强制执行, 第十二条、第四十五条: 加处罚款).
CREATE TABLE admin_coercion (
    id            bigserial PRIMARY KEY,
    uscc          varchar(18) NOT NULL,
    -- 黑市监强制〔2024〕12号
    decision_no   text NOT NULL,
    decision_date date NOT NULL,
    -- 查封, 扣押, 加处罚款
    measure       text NOT NULL CHECK (measure IN ('查封', '扣押', '加处罚款')),
    -- what was sealed up or seized (涉案物品、场所), or the penalty enforced
    object        text,
    basis         text,
    authority     text NOT NULL,
    published_on  date,
    -- 实施中; 已解除 (a seal-up or seizure lifted, lifted_on); 执行完毕 (an
    -- enforcement carried out); 撤销 (revoked on review)
    status        text NOT NULL DEFAULT '实施中' CHECK (status IN ('实施中', '已解除', '执行完毕', '撤销')),
    lifted_on     date,
    CHECK ((status = '已解除') = (lifted_on IS NOT NULL))
);

-- 行政奖励: the honours and awards the regulator grants or administers for
-- the city (黑河市政府质量奖 is the city government's, signed by it).
CREATE TABLE admin_reward (
    id            bigserial PRIMARY KEY,
    uscc          varchar(18) NOT NULL,
    -- 黑市监奖〔2024〕3号, 黑政发〔2023〕15号
    decision_no   text NOT NULL,
    decision_date date NOT NULL,
    reward_name   text NOT NULL,
    -- 市级, 省级
    reward_level  text NOT NULL,
    -- 荣誉称号, 通报表扬, 奖金
    reward_forms  text[] NOT NULL,
    prize_yuan    numeric(12, 2),
    reason        text NOT NULL,
    authority     text NOT NULL,
    published_on  date,
    -- 有效; 撤销 (the award was obtained by deception and withdrawn)
    status        text NOT NULL DEFAULT '有效' CHECK (status IN ('有效', '撤销'))
);

-- 行政裁决: patent infringement disputes the regulator (as the city's
-- intellectual property office, 《中华人民共和国专利法》第六十五条) ruled
-- on; the row is filed under the respondent.
CREATE TABLE patent_ruling (
    id              bigserial PRIMARY KEY,
    respondent_uscc varchar(18) NOT NULL,
    claimant_name   text NOT NULL,
    patent_no       text NOT NULL,
    -- 黑市监知裁字〔2024〕0002号
    decision_no     text NOT NULL,
    decision_date   date NOT NULL,
    -- 侵权成立, 侵权不成立
    ruling          text NOT NULL CHECK (ruling IN ('侵权成立', '侵权不成立')),
    -- the order when infringement was found (责令立即停止侵权行为 …)
    order_text      text,
    authority       text NOT NULL,
    published_on    date,
    -- 生效; 撤销 (annulled by the court)
    status          text NOT NULL DEFAULT '生效' CHECK (status IN ('生效', '撤销'))
);

CREATE INDEX admin_coercion_uscc ON admin_coercion (uscc, decision_date DESC, id DESC);
CREATE INDEX admin_reward_uscc ON admin_reward (uscc, decision_date DESC, id DESC);
CREATE INDEX patent_ruling_respondent ON patent_ruling (respondent_uscc, decision_date DESC, id DESC);

-- +goose Down
DROP TABLE patent_ruling;
DROP TABLE admin_reward;
DROP TABLE admin_coercion;
