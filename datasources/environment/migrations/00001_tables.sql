-- +goose Up
-- 黑河市生态环境局的业务库，表名和字段名沿用省厅系统的拼音首字母命名。
-- The environment bureau's records, named the way the provincial systems name
-- them: tables and columns are pinyin initials of their Chinese names.
--
-- 主体键：2016 年以前的数据以及从未换码的单位只有组织机构代码（tyshxydm 为空，
-- zzjgdm 有值）；2016–2017 年过渡期两个都填；之后只填统一社会信用代码。
-- Keys: rows from before 2016, and every row of a unit the bureau never
-- re-keyed, carry only the 9-character organisation code; 2016–2017 rows of
-- the transition carry both; later rows only the unified code.
-- 金额单位：万元 (amounts are in units of 10,000 yuan).
-- 多值字段用逗号分隔的文本保存 (multi-valued fields are comma-separated text).

CREATE TABLE hb_pwxk (
    id        bigserial PRIMARY KEY,
    tyshxydm  varchar(18),
    zzjgdm    varchar(9),
    dwmc      text NOT NULL,
    hylb      text,
    xkzbh     text NOT NULL,
    gllb      text NOT NULL DEFAULT '重点管理',
    zywrw     text NOT NULL,
    fzrq      date NOT NULL,
    yxqq      date,
    yxqz      date,
    fzjg      text NOT NULL,
    gsrq      date,
    zt        text NOT NULL DEFAULT '有效',
    CHECK (tyshxydm IS NOT NULL OR zzjgdm IS NOT NULL)
);
COMMENT ON TABLE hb_pwxk IS '排污许可证 Pollutant discharge permits (排污许可)';
COMMENT ON COLUMN hb_pwxk.id IS '主键 Row id';
COMMENT ON COLUMN hb_pwxk.tyshxydm IS '统一社会信用代码 Unified social credit code, NULL on rows keyed by organisation code only';
COMMENT ON COLUMN hb_pwxk.zzjgdm IS '组织机构代码 Organisation code (GB 11714, 9 characters, no hyphen), set on older rows';
COMMENT ON COLUMN hb_pwxk.dwmc IS '单位名称 Name of the permit holder as written on the permit';
COMMENT ON COLUMN hb_pwxk.hylb IS '行业类别 Industry of the permit holder';
COMMENT ON COLUMN hb_pwxk.xkzbh IS '许可证编号 Permit number: 黑环排许字〔年〕号 before the 2017 national system, then the holder''s code + 3-digit serial + P';
COMMENT ON COLUMN hb_pwxk.gllb IS '管理类别 Management class: 重点管理 (key) or 简化管理 (simplified)';
COMMENT ON COLUMN hb_pwxk.zywrw IS '主要污染物 Main pollutants, comma-separated Chinese names (化学需氧量,氨氮)';
COMMENT ON COLUMN hb_pwxk.fzrq IS '发证日期 Day the permit was issued: the decision date';
COMMENT ON COLUMN hb_pwxk.yxqq IS '有效期起 First day of validity';
COMMENT ON COLUMN hb_pwxk.yxqz IS '有效期止 Last day of validity';
COMMENT ON COLUMN hb_pwxk.fzjg IS '发证机关 Issuing authority';
COMMENT ON COLUMN hb_pwxk.gsrq IS '公示日期 Day the permit was published online, NULL when never published';
COMMENT ON COLUMN hb_pwxk.zt IS '状态 Status in Chinese words: 有效 valid, 过期 expired, 注销 cancelled, 撤销 revoked';

CREATE TABLE hb_xzcf (
    id           bigserial PRIMARY KEY,
    tyshxydm     varchar(18),
    zzjgdm       varchar(9),
    dwmc         text NOT NULL,
    cfjdswh      text NOT NULL,
    wfxw         text NOT NULL,
    cfyj         text,
    cflb         text NOT NULL,
    fkje_wy      numeric(16, 6),
    mswfsdje_wy  numeric(16, 6),
    cfrq         date NOT NULL,
    cfjg         text NOT NULL,
    gsrq         date,
    zt           text NOT NULL DEFAULT '有效',
    CHECK (tyshxydm IS NOT NULL OR zzjgdm IS NOT NULL)
);
COMMENT ON TABLE hb_xzcf IS '环境行政处罚 Environmental administrative penalties (行政处罚)';
COMMENT ON COLUMN hb_xzcf.id IS '主键 Row id';
COMMENT ON COLUMN hb_xzcf.tyshxydm IS '统一社会信用代码 Unified social credit code, NULL on rows keyed by organisation code only';
COMMENT ON COLUMN hb_xzcf.zzjgdm IS '组织机构代码 Organisation code (GB 11714, 9 characters, no hyphen), set on older rows';
COMMENT ON COLUMN hb_xzcf.dwmc IS '单位名称 Name of the penalised unit';
COMMENT ON COLUMN hb_xzcf.cfjdswh IS '处罚决定书文号 Decision number, e.g. 黑环罚〔2024〕15号';
COMMENT ON COLUMN hb_xzcf.wfxw IS '违法行为 The offence';
COMMENT ON COLUMN hb_xzcf.cfyj IS '处罚依据 The provisions applied';
COMMENT ON COLUMN hb_xzcf.cflb IS '处罚类别 Penalty types, comma-separated Chinese words (警告, 罚款, 没收违法所得, 责令停产整治, 吊销排污许可证, 责令关闭)';
COMMENT ON COLUMN hb_xzcf.fkje_wy IS '罚款金额（万元） Fine in units of 10,000 yuan, NULL when no fine';
COMMENT ON COLUMN hb_xzcf.mswfsdje_wy IS '没收违法所得金额（万元） Illegal gains confiscated, in units of 10,000 yuan';
COMMENT ON COLUMN hb_xzcf.cfrq IS '处罚日期 Day of the decision';
COMMENT ON COLUMN hb_xzcf.cfjg IS '处罚机关 Deciding authority';
COMMENT ON COLUMN hb_xzcf.gsrq IS '公示日期 Day the decision was published online, NULL when never published';
COMMENT ON COLUMN hb_xzcf.zt IS '状态 Status in Chinese words: 有效 in force, 撤销 revoked (行政复议 or court)';

CREATE TABLE hb_xypj (
    id        bigserial PRIMARY KEY,
    tyshxydm  varchar(18),
    zzjgdm    varchar(9),
    dwmc      text NOT NULL,
    hylb      text,
    pjnd      smallint NOT NULL,
    pjdj      text NOT NULL,
    pjrq      date NOT NULL,
    pjjg      text NOT NULL,
    ggwh      text,
    gsrq      date,
    CHECK (tyshxydm IS NOT NULL OR zzjgdm IS NOT NULL),
    CHECK (pjdj IN ('环保诚信企业', '环保良好企业', '环保警示企业', '环保不良企业'))
);
COMMENT ON TABLE hb_xypj IS '企业环境信用评价 Enterprise environmental credit evaluation, one row per unit and year (信用评价)';
COMMENT ON COLUMN hb_xypj.id IS '主键 Row id';
COMMENT ON COLUMN hb_xypj.tyshxydm IS '统一社会信用代码 Unified social credit code, NULL on rows keyed by organisation code only';
COMMENT ON COLUMN hb_xypj.zzjgdm IS '组织机构代码 Organisation code (GB 11714, 9 characters, no hyphen), set on older rows';
COMMENT ON COLUMN hb_xypj.dwmc IS '单位名称 Name of the evaluated unit';
COMMENT ON COLUMN hb_xypj.hylb IS '行业类别 Industry the unit was evaluated in';
COMMENT ON COLUMN hb_xypj.pjnd IS '评价年度 Year evaluated';
COMMENT ON COLUMN hb_xypj.pjdj IS '评价等级 Level in Chinese words: 环保诚信企业 (green), 环保良好企业 (blue), 环保警示企业 (yellow), 环保不良企业 (red)';
COMMENT ON COLUMN hb_xypj.pjrq IS '评价日期 Day the year''s results were decided, the same for every unit of a year';
COMMENT ON COLUMN hb_xypj.pjjg IS '评价机关 Evaluating authority';
COMMENT ON COLUMN hb_xypj.ggwh IS '公告文号 Number of the announcement that published the year''s results, e.g. 黑环发〔2024〕12号';
COMMENT ON COLUMN hb_xypj.gsrq IS '公示日期 Day the result was published online, NULL when never published';

-- +goose Down
DROP TABLE hb_xypj;
DROP TABLE hb_xzcf;
DROP TABLE hb_pwxk;
