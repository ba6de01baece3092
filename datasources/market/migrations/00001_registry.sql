-- +goose Up
-- The market regulator's registry of market entities and their principal
-- persons, as the 国家企业信用信息公示系统 shows them. Since the 2015 reform every
-- entity has a unified social credit code; entities registered before it
-- also keep their 15-digit registration number, which older rows in the
-- licence and penalty tables still use.
CREATE TABLE registry_entity (
    id              bigserial PRIMARY KEY,
    uscc            varchar(18) NOT NULL UNIQUE,
    -- Early pilot codes that fail the GB 32100 check; looked up as they are.
    uscc_legacy     boolean NOT NULL DEFAULT false,
    reg_no          varchar(15) UNIQUE,
    name            text NOT NULL,
    -- 市场主体类型 as the registry codes it: 1110 有限责任公司, 1151 一人有限责任公司,
    -- 1200 股份有限公司, 4000 非公司企业法人, 9600 个体工商户, 9310 农民专业合作社,
    -- 9900 其他组织.
    entity_type     varchar(4) NOT NULL,
    -- 登记状态 in the registry's own words: 存续, 吊销, 注销, 迁出.
    status          text NOT NULL,
    reg_capital_wan numeric(18, 4),
    established_on  date NOT NULL,
    address         text NOT NULL,
    division_code   varchar(6) NOT NULL,
    industry_code   varchar(1),
    industry        text,
    legal_rep_name  text NOT NULL
);
CREATE INDEX registry_entity_division ON registry_entity (division_code, uscc);
CREATE INDEX registry_entity_type ON registry_entity (entity_type, uscc);
CREATE INDEX registry_entity_status ON registry_entity (status, uscc);
-- nameContains searches; pg_trgm is a trusted extension since PostgreSQL 13.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX registry_entity_name_trgm ON registry_entity USING gin (name gin_trgm_ops);

-- 主要人员: the legal representative, the principal and the actual controller.
CREATE TABLE registry_member (
    id        bigserial PRIMARY KEY,
    entity_id bigint NOT NULL REFERENCES registry_entity (id),
    -- 法定代表人, 主要负责人, 实际控制人
    role      text NOT NULL,
    name      text NOT NULL,
    id_type   text NOT NULL DEFAULT '居民身份证',
    id_no     varchar(18) NOT NULL,
    mobile    varchar(11)
);
CREATE INDEX registry_member_entity ON registry_member (entity_id);
CREATE INDEX registry_member_id_no ON registry_member (id_no);

-- +goose Down
DROP TABLE registry_member;
DROP TABLE registry_entity;
