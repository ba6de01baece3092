-- +goose Up
-- The bureau's other administrative decisions (T26), filed as its other
-- registers are: the credit code in social_credit_no, the enterprise's
-- name as recorded, amounts in 万元, statuses in Chinese words.

-- 行政确认: the filings the bureau confirms once a project is complete:
-- 竣工验收备案 (《房屋建筑和市政基础设施工程竣工验收备案管理办法》) and, for
-- projects outside the special review, 建设工程消防验收备案 (《建设工程消防
-- 设计审查验收管理暂行规定》). A filing obtained with false documents is
-- revoked (撤销).
CREATE TABLE completion_filing (
    id               bigserial PRIMARY KEY,
    social_credit_no varchar(18) NOT NULL,
    enterprise_name  text NOT NULL,
    -- 竣工验收备案, 消防验收备案
    filing_type      text NOT NULL CHECK (filing_type IN ('竣工验收备案', '消防验收备案')),
    -- 备案编号: the city's code, the year and a serial, e.g. 231100-2024-JB-0123
    filing_no        text NOT NULL UNIQUE,
    project_name     text NOT NULL,
    filed_on         date NOT NULL,
    authority        text NOT NULL,
    published_on     date,
    status           text NOT NULL DEFAULT '有效' CHECK (status IN ('有效', '撤销'))
);

-- 行政征收: the city infrastructure fee (城市基础设施配套费) assessed on a
-- building project by its floor area, before its construction permit.
CREATE TABLE infrastructure_fee (
    id               bigserial PRIMARY KEY,
    social_credit_no varchar(18) NOT NULL,
    enterprise_name  text NOT NULL,
    -- 缴费通知书编号 黑建配费〔2024〕57号
    notice_no        text NOT NULL,
    project_name     text NOT NULL,
    floor_area_m2    numeric(12, 2) NOT NULL CHECK (floor_area_m2 > 0),
    fee_wan          numeric(14, 4) NOT NULL CHECK (fee_wan >= 0),
    assessed_on      date NOT NULL,
    paid_on          date,
    authority        text NOT NULL,
    published_on     date,
    -- 已缴清, 未缴清, 撤销 (the project was cancelled and the fee annulled)
    status           text NOT NULL CHECK (status IN ('已缴清', '未缴清', '撤销')),
    CHECK ((status = '已缴清') = (paid_on IS NOT NULL))
);

-- 行政给付: subsidies the bureau grants to enterprises from the funds it
-- administers (保障性安居工程补助资金, 建筑节能与绿色建筑补助资金, 老旧小区
-- 改造补助资金). A subsidy unlawfully obtained is recovered (收回).
CREATE TABLE housing_subsidy (
    id               bigserial PRIMARY KEY,
    social_credit_no varchar(18) NOT NULL,
    enterprise_name  text NOT NULL,
    subsidy_type     text NOT NULL,
    project_name     text,
    -- 拨付文件文号 黑建发〔2024〕12号
    grant_no         text NOT NULL,
    amount_wan       numeric(14, 4) NOT NULL CHECK (amount_wan > 0),
    granted_on       date NOT NULL,
    paid_on          date,
    authority        text NOT NULL,
    published_on     date,
    -- 已拨付, 待拨付, 收回
    status           text NOT NULL CHECK (status IN ('已拨付', '待拨付', '收回')),
    CHECK ((status = '待拨付') = (paid_on IS NULL))
);

-- 行政补偿: compensation of an enterprise whose premises on state-owned
-- land were expropriated (《国有土地上房屋征收与补偿条例》): the agreement
-- the expropriation office signed (补偿协议) or the city government's
-- compensation decision (补偿决定, 第二十六条). The compensation of each
-- household is announced within the expropriation area (第二十九条,
-- announced_on), not online.
CREATE TABLE expropriation_compensation (
    id               bigserial PRIMARY KEY,
    social_credit_no varchar(18) NOT NULL,
    enterprise_name  text NOT NULL,
    project_name     text NOT NULL,
    -- 黑河征补协字〔2023〕0045号 (agreement) or 黑政征补决字〔2023〕3号 (decision)
    decision_no      text NOT NULL,
    -- 货币补偿, 产权调换
    form             text NOT NULL CHECK (form IN ('货币补偿', '产权调换')),
    amount_wan       numeric(14, 4),
    decided_on       date NOT NULL,
    authority        text NOT NULL,
    announced_on     date,
    -- 有效; 撤销 (the decision was annulled by the court)
    status           text NOT NULL DEFAULT '有效' CHECK (status IN ('有效', '撤销'))
);

CREATE INDEX completion_filing_credit_no ON completion_filing (social_credit_no, filed_on DESC, id DESC);
CREATE INDEX infrastructure_fee_credit_no ON infrastructure_fee (social_credit_no, assessed_on DESC, id DESC);
CREATE INDEX housing_subsidy_credit_no ON housing_subsidy (social_credit_no, granted_on DESC, id DESC);
CREATE INDEX expropriation_compensation_credit_no ON expropriation_compensation (social_credit_no, decided_on DESC, id DESC);

-- +goose Down
DROP TABLE expropriation_compensation;
DROP TABLE housing_subsidy;
DROP TABLE infrastructure_fee;
DROP TABLE completion_filing;
