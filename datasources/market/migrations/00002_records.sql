-- +goose Up
-- Records decided by the market regulator. Rows from before the 2015 reform
-- carry only the registration number (uscc NULL); newer rows carry the
-- unified code and usually no registration number.

CREATE TABLE admin_licence (
    id            bigserial PRIMARY KEY,
    uscc          varchar(18),
    reg_no        varchar(15),
    licence_no    text NOT NULL,
    licence_name  text NOT NULL,
    content       text,
    decision_no   text,
    decision_date date NOT NULL,
    valid_from    date,
    valid_to      date,
    authority     text NOT NULL,
    published_on  date,
    -- 有效, 注销, 撤销, 过期
    status        text NOT NULL DEFAULT '有效',
    CHECK (uscc IS NOT NULL OR reg_no IS NOT NULL)
);

CREATE TABLE admin_penalty (
    id               bigserial PRIMARY KEY,
    uscc             varchar(18),
    reg_no           varchar(15),
    decision_no      text NOT NULL,
    decision_date    date NOT NULL,
    violation        text NOT NULL,
    facts            text,
    basis            text,
    -- 警告, 通报批评, 罚款, 没收违法所得, 暂扣许可证件, 吊销许可证件, 责令停产停业
    penalty_kinds    text[] NOT NULL,
    fine_yuan        numeric(14, 2),
    confiscated_yuan numeric(14, 2),
    authority        text NOT NULL,
    published_on     date,
    -- 有效, 撤销
    status           text NOT NULL DEFAULT '有效',
    CHECK (uscc IS NOT NULL OR reg_no IS NOT NULL)
);

-- 双随机、一公开 inspection results.
CREATE TABLE random_inspection (
    id           bigserial PRIMARY KEY,
    uscc         varchar(18) NOT NULL,
    plan_no      text NOT NULL,
    task_name    text NOT NULL,
    inspected_on date NOT NULL,
    -- 1 未发现问题, 2 发现问题已责令改正, 3 未按规定公示应当公示的信息,
    -- 4 未发现开展本次抽查涉及的经营活动, 5 通过登记的住所（经营场所）无法联系
    result_code  varchar(1) NOT NULL,
    authority    text NOT NULL,
    published_on date
);

-- 12315 complaints.
CREATE TABLE complaint_12315 (
    id          bigserial PRIMARY KEY,
    uscc        varchar(18) NOT NULL,
    ticket_no   text NOT NULL,
    received_at timestamptz NOT NULL,
    category    text NOT NULL,
    summary     text NOT NULL,
    -- 已办结, 处理中
    state       text NOT NULL,
    mediated    boolean NOT NULL DEFAULT false
);

-- 经营异常名录.
CREATE TABLE abnormal_operation (
    id             bigserial PRIMARY KEY,
    uscc           varchar(18) NOT NULL,
    decision_no    text NOT NULL,
    listed_on      date NOT NULL,
    -- 未按规定报送年度报告, 通过登记的住所无法联系, 公示信息隐瞒真实情况弄虚作假, 未按规定公示即时信息
    reason         text NOT NULL,
    authority      text NOT NULL,
    removed_on     date,
    removal_reason text,
    published_on   date
);

-- +goose Down
DROP TABLE abnormal_operation;
DROP TABLE complaint_12315;
DROP TABLE random_inspection;
DROP TABLE admin_penalty;
DROP TABLE admin_licence;
