-- +goose Up
-- 失信被执行人名单 (最高人民法院关于公布失信被执行人名单信息的若干规定).
CREATE TABLE dishonest_debtor (
    id                   bigserial PRIMARY KEY,
    -- 执行案号: (2023)黑1102执268号.
    case_no              text NOT NULL,
    party_id_no          varchar(18) NOT NULL REFERENCES party,
    court_name           text NOT NULL,
    -- 执行依据文号 and 做出执行依据单位.
    enforcement_basis_no text,
    basis_unit           text,
    -- 生效法律文书确定的义务.
    obligation           text NOT NULL,
    -- 被执行人的履行情况.
    performance          text NOT NULL CHECK (performance IN ('全部未履行', '部分未履行')),
    -- 失信被执行人行为具体情形.
    behaviour            text NOT NULL,
    -- 立案时间.
    filed_on             date NOT NULL,
    -- The decision to list the debtor.
    decided_on           date NOT NULL,
    -- 发布时间 on 中国执行信息公开网.
    published_on         date,
    -- 删除: performed, settled, or the listing period over.
    removed_on           date,
    removal_reason       text,
    CHECK (decided_on >= filed_on),
    CHECK (removed_on IS NULL OR removed_on >= decided_on)
);

-- 限制消费令. Against an organisation, the order binds its legal
-- representative (or principal, or actual controller) personally, who is
-- then restricted_person_id_no (a party of type P).
CREATE TABLE consumption_restriction (
    id                      bigserial PRIMARY KEY,
    case_no                 text NOT NULL,
    party_id_no             varchar(18) NOT NULL REFERENCES party,
    restricted_person_id_no varchar(18) REFERENCES party,
    court_name              text NOT NULL,
    decided_on              date NOT NULL,
    published_on            date,
    -- 解除限制消费令.
    lifted_on               date,
    CHECK (lifted_on IS NULL OR lifted_on >= decided_on),
    CHECK (restricted_person_id_no <> party_id_no)
);

-- 虚假诉讼失信人名单.
CREATE TABLE false_litigation (
    id           bigserial PRIMARY KEY,
    -- The case in which the false litigation was found (民初 …).
    case_no      text NOT NULL,
    party_id_no  varchar(18) NOT NULL REFERENCES party,
    court_name   text NOT NULL,
    description  text NOT NULL,
    decided_on   date NOT NULL,
    published_on date,
    removed_on   date,
    CHECK (removed_on IS NULL OR removed_on >= decided_on)
);

-- The lists as the hub reads them: each row with its party's type and name.
CREATE VIEW dishonest_debtor_v AS
SELECT d.*, p.party_type, p.name AS party_name, p.legal_rep_name
FROM dishonest_debtor d JOIN party p ON p.party_id_no = d.party_id_no;

CREATE VIEW consumption_restriction_v AS
SELECT c.*, p.party_type, p.name AS party_name, p.legal_rep_name, rp.name AS restricted_person_name
FROM consumption_restriction c
JOIN party p ON p.party_id_no = c.party_id_no
LEFT JOIN party rp ON rp.party_id_no = c.restricted_person_id_no;

CREATE VIEW false_litigation_v AS
SELECT f.*, p.party_type, p.name AS party_name, p.legal_rep_name
FROM false_litigation f JOIN party p ON p.party_id_no = f.party_id_no;

-- +goose Down
DROP VIEW false_litigation_v;
DROP VIEW consumption_restriction_v;
DROP VIEW dishonest_debtor_v;
DROP TABLE false_litigation;
DROP TABLE consumption_restriction;
DROP TABLE dishonest_debtor;
