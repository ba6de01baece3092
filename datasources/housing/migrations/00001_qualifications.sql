-- +goose Up
-- 建筑业企业资质: the bureau's register of the qualification certificates of
-- the construction enterprises of the city. A certificate lists one or more
-- qualifications (资质类别及等级); each is a row, under the same cert_no.
CREATE TABLE qualification_cert (
    id                bigserial PRIMARY KEY,
    -- The unified social credit code, under the bureau's own column name.
    social_credit_no  varchar(18) NOT NULL,
    enterprise_name   text NOT NULL,
    -- D + issuing level (1 住建部, 2 省厅, 3 市局) + province 23 + six digits.
    cert_no           varchar(10) NOT NULL,
    -- 建筑工程施工总承包三级, 市政公用工程施工总承包二级, 建筑装修装饰工程专业承包二级 …
    qual_name         text NOT NULL,
    -- The licensing decision (准予资质许可决定书); older items carry none.
    approval_no       text,
    issued_on         date NOT NULL,
    valid_until       date,
    issuing_authority text NOT NULL,
    published_on      date,
    -- 有效; 注销 (cancelled, also when it ran out unrenewed); 撤回 (withdrawn
    -- because the enterprise no longer meets the standard).
    status            text NOT NULL DEFAULT '有效' CHECK (status IN ('有效', '注销', '撤回')),
    UNIQUE (cert_no, qual_name)
);

-- +goose Down
DROP TABLE qualification_cert;
