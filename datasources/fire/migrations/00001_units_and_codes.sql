-- +goose Up
-- The fire and rescue detachment's supervision system. Units are keyed by
-- their unified social credit code (unit_code); results, hazards, penalty
-- types and the deciding fire organ are stored as codes that code_dict
-- explains; times are timestamptz, so the day of a decision is the China-time
-- date of the time.

-- Code table shared by every coded column: cd_type says which column.
--   ORG      the fire organ (支队 or county 大队), by division code
--   RESULT   fire_inspection.result_cd
--   INSP     fire_inspection.insp_type_cd
--   HAZARD   insp_finding.hazard_cd and fire_penalty.hazard_cd
--   PENALTY  fire_penalty.penalty_cds
CREATE TABLE code_dict (
    cd_type text NOT NULL,
    cd      text NOT NULL,
    label   text NOT NULL,
    PRIMARY KEY (cd_type, cd)
);

-- The city proper and the free trade zone are supervised by the detachment
-- itself; each county and county-level city by its brigade (大队).
INSERT INTO code_dict (cd_type, cd, label) VALUES
    ('ORG', '231100', '黑河市消防救援支队'),
    ('ORG', '231181', '北安市消防救援大队'),
    ('ORG', '231182', '五大连池市消防救援大队'),
    ('ORG', '231183', '嫩江市消防救援大队'),
    ('ORG', '231123', '逊克县消防救援大队'),
    ('ORG', '231124', '孙吴县消防救援大队'),
    ('RESULT', '01', '合格'),
    ('RESULT', '02', '责令限期改正'),
    ('RESULT', '03', '临时查封'),
    ('RESULT', '04', '责令停止使用'),
    ('INSP', '1', '日常消防监督检查'),
    ('INSP', '2', '双随机消防监督抽查'),
    ('INSP', '3', '举报投诉核查'),
    ('INSP', '4', '大型活动前消防安全检查'),
    ('INSP', '5', '夜间消防安全检查'),
    ('HAZARD', 'H01', '疏散通道堵塞'),
    ('HAZARD', 'H02', '安全出口锁闭'),
    ('HAZARD', 'H03', '消防设施未保持完好有效'),
    ('HAZARD', 'H04', '电气线路私拉乱接'),
    ('HAZARD', 'H05', '未组织防火检查'),
    ('HAZARD', 'H06', '消防车通道被占用'),
    ('HAZARD', 'H07', '违规使用明火'),
    ('HAZARD', 'H08', '埋压、圈占、遮挡消火栓'),
    ('HAZARD', 'H09', '电动自行车在疏散通道停放充电'),
    ('HAZARD', 'H10', '未经消防验收擅自投入使用'),
    ('HAZARD', 'H11', '防火门损坏或处于常开状态'),
    ('HAZARD', 'H12', '人员密集场所门窗设置影响逃生的障碍物'),
    ('PENALTY', '1', '警告'),
    ('PENALTY', '2', '罚款'),
    ('PENALTY', '3', '责令停止使用'),
    ('PENALTY', '4', '责令停产停业'),
    ('PENALTY', '5', '责令停止施工');

-- 消防安全管理单位: the units the fire service supervises.
CREATE TABLE fire_unit (
    unit_code     varchar(18) PRIMARY KEY,
    unit_name     text NOT NULL,
    address       text NOT NULL,
    -- 一般单位 or 重点单位 (消防安全重点单位)
    risk_class    text NOT NULL CHECK (risk_class IN ('一般单位', '重点单位')),
    -- code_dict ORG: who supervises the unit
    org_cd        text NOT NULL,
    contact_name  text
);

-- +goose Down
DROP TABLE fire_unit;
DROP TABLE code_dict;
