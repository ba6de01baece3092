-- +goose Up
-- 黑河市生态环境局的其他行政行为（T26）：行政强制、排污费征收、行政奖励。
-- The bureau's other administrative decisions (T26): coercion, the
-- pollutant discharge fee it levied until 2018, and rewards. Named, keyed
-- and counted as its other tables: pinyin initials, the organisation code
-- on older rows, amounts in 万元, multi-valued fields comma-separated.

CREATE TABLE hb_xzqz (
    id        bigserial PRIMARY KEY,
    tyshxydm  varchar(18),
    zzjgdm    varchar(9),
    dwmc      text NOT NULL,
    qzjdswh   text NOT NULL,
    qzlx      text NOT NULL,
    qzdx      text,
    qzyj      text,
    qzrq      date NOT NULL,
    jcrq      date,
    qzjg      text NOT NULL,
    gsrq      date,
    zt        text NOT NULL DEFAULT '实施中',
    CHECK (tyshxydm IS NOT NULL OR zzjgdm IS NOT NULL),
    CHECK (qzlx IN ('查封', '扣押', '代履行')),
    CHECK (zt IN ('实施中', '已解除', '执行完毕', '撤销')),
    CHECK ((zt = '已解除') = (jcrq IS NOT NULL))
);
COMMENT ON TABLE hb_xzqz IS '环境行政强制 Environmental administrative coercion (行政强制): seal-ups and seizures of facilities causing pollution, and performance by a third party at the polluter''s cost';
COMMENT ON COLUMN hb_xzqz.id IS '主键 Row id';
COMMENT ON COLUMN hb_xzqz.tyshxydm IS '统一社会信用代码 Unified social credit code, NULL on rows keyed by organisation code only';
COMMENT ON COLUMN hb_xzqz.zzjgdm IS '组织机构代码 Organisation code (GB 11714, 9 characters, no hyphen), set on older rows';
COMMENT ON COLUMN hb_xzqz.dwmc IS '单位名称 Name of the unit';
COMMENT ON COLUMN hb_xzqz.qzjdswh IS '强制决定书文号 Decision number, e.g. 黑环查封〔2024〕5号';
COMMENT ON COLUMN hb_xzqz.qzlx IS '强制类型 查封 (seal-up) or 扣押 (seizure), 行政强制措施 under 《中华人民共和国环境保护法》第二十五条; 代履行 (performance by a third party at the unit''s cost), 行政强制执行 under 《中华人民共和国行政强制法》第五十条';
COMMENT ON COLUMN hb_xzqz.qzdx IS '强制对象 The facilities, equipment or pollutants concerned';
COMMENT ON COLUMN hb_xzqz.qzyj IS '强制依据 The provisions applied';
COMMENT ON COLUMN hb_xzqz.qzrq IS '强制决定日期 Day of the decision';
COMMENT ON COLUMN hb_xzqz.jcrq IS '解除日期 Day a seal-up or seizure was lifted';
COMMENT ON COLUMN hb_xzqz.qzjg IS '决定机关 Deciding authority';
COMMENT ON COLUMN hb_xzqz.gsrq IS '公示日期 Day the decision was published online, NULL when never published';
COMMENT ON COLUMN hb_xzqz.zt IS '状态 Status in Chinese words: 实施中 in force, 已解除 lifted, 执行完毕 performed, 撤销 revoked';

CREATE TABLE hb_pwfzs (
    id        bigserial PRIMARY KEY,
    tyshxydm  varchar(18),
    zzjgdm    varchar(9),
    dwmc      text NOT NULL,
    jftzdh    text NOT NULL,
    pwflb     text NOT NULL,
    zsqj      text NOT NULL,
    zsje_wy   numeric(16, 6) NOT NULL,
    hdrq      date NOT NULL,
    jkrq      date,
    zsjg      text NOT NULL,
    gsrq      date,
    zt        text NOT NULL,
    CHECK (tyshxydm IS NOT NULL OR zzjgdm IS NOT NULL),
    CHECK (zt IN ('已缴清', '未缴清', '撤销')),
    CHECK ((zt = '已缴清') = (jkrq IS NOT NULL)),
    CHECK (hdrq < DATE '2018-01-01')
);
COMMENT ON TABLE hb_pwfzs IS '排污费征收 Pollutant discharge fees assessed (行政征收), 《排污费征收使用管理条例》; replaced from 2018-01-01 by the environmental protection tax, which the tax office collects';
COMMENT ON COLUMN hb_pwfzs.id IS '主键 Row id';
COMMENT ON COLUMN hb_pwfzs.tyshxydm IS '统一社会信用代码 Unified social credit code, NULL on rows keyed by organisation code only';
COMMENT ON COLUMN hb_pwfzs.zzjgdm IS '组织机构代码 Organisation code (GB 11714, 9 characters, no hyphen), set on older rows';
COMMENT ON COLUMN hb_pwfzs.dwmc IS '单位名称 Name of the payer';
COMMENT ON COLUMN hb_pwfzs.jftzdh IS '排污费缴纳通知单号 Payment notice number, e.g. 黑环排费〔2016〕213号';
COMMENT ON COLUMN hb_pwfzs.pwflb IS '排污费类别 Fee items, comma-separated Chinese words (污水排污费, 废气排污费, 固体废物排污费, 噪声超标排污费)';
COMMENT ON COLUMN hb_pwfzs.zsqj IS '征收期间 Period assessed, e.g. 2016年第3季度';
COMMENT ON COLUMN hb_pwfzs.zsje_wy IS '征收金额（万元） Amount assessed in units of 10,000 yuan';
COMMENT ON COLUMN hb_pwfzs.hdrq IS '核定日期 Day the amount was assessed: the decision date';
COMMENT ON COLUMN hb_pwfzs.jkrq IS '缴款日期 Day paid in full, NULL while outstanding';
COMMENT ON COLUMN hb_pwfzs.zsjg IS '征收机关 Levying authority';
COMMENT ON COLUMN hb_pwfzs.gsrq IS '公告日期 Day the amount was announced online (条例第十一条), NULL when never';
COMMENT ON COLUMN hb_pwfzs.zt IS '状态 Status in Chinese words: 已缴清 paid, 未缴清 outstanding, 撤销 annulled';

CREATE TABLE hb_xzjl (
    id        bigserial PRIMARY KEY,
    tyshxydm  varchar(18),
    zzjgdm    varchar(9),
    dwmc      text NOT NULL,
    jljdwh    text NOT NULL,
    jlmc      text NOT NULL,
    jljb      text NOT NULL,
    jlxs      text NOT NULL,
    jlje_wy   numeric(16, 6),
    jlsy      text NOT NULL,
    jlrq      date NOT NULL,
    jljg      text NOT NULL,
    gsrq      date,
    zt        text NOT NULL DEFAULT '有效',
    CHECK (tyshxydm IS NOT NULL OR zzjgdm IS NOT NULL),
    CHECK (zt IN ('有效', '撤销'))
);
COMMENT ON TABLE hb_xzjl IS '环境保护行政奖励 Environmental administrative rewards (行政奖励)';
COMMENT ON COLUMN hb_xzjl.id IS '主键 Row id';
COMMENT ON COLUMN hb_xzjl.tyshxydm IS '统一社会信用代码 Unified social credit code, NULL on rows keyed by organisation code only';
COMMENT ON COLUMN hb_xzjl.zzjgdm IS '组织机构代码 Organisation code (GB 11714, 9 characters, no hyphen), set on older rows';
COMMENT ON COLUMN hb_xzjl.dwmc IS '单位名称 Name of the unit rewarded';
COMMENT ON COLUMN hb_xzjl.jljdwh IS '奖励决定文号 Decision number, e.g. 黑环发〔2024〕21号';
COMMENT ON COLUMN hb_xzjl.jlmc IS '奖励名称 Name of the honour';
COMMENT ON COLUMN hb_xzjl.jljb IS '奖励级别 Level: 市级 or 省级';
COMMENT ON COLUMN hb_xzjl.jlxs IS '奖励形式 Forms, comma-separated Chinese words (荣誉称号, 通报表扬, 奖金)';
COMMENT ON COLUMN hb_xzjl.jlje_wy IS '奖金金额（万元） Prize money in units of 10,000 yuan, NULL when none';
COMMENT ON COLUMN hb_xzjl.jlsy IS '奖励事由 What it rewards';
COMMENT ON COLUMN hb_xzjl.jlrq IS '奖励日期 Day of the decision';
COMMENT ON COLUMN hb_xzjl.jljg IS '奖励机关 Deciding authority';
COMMENT ON COLUMN hb_xzjl.gsrq IS '公示日期 Day the decision was published online, NULL when never published';
COMMENT ON COLUMN hb_xzjl.zt IS '状态 Status in Chinese words: 有效 in force, 撤销 withdrawn';

CREATE INDEX hb_xzqz_tyshxydm ON hb_xzqz (tyshxydm, qzrq DESC, id DESC) WHERE tyshxydm IS NOT NULL;
CREATE INDEX hb_xzqz_zzjgdm ON hb_xzqz (zzjgdm, qzrq DESC, id DESC) WHERE zzjgdm IS NOT NULL;
CREATE INDEX hb_pwfzs_tyshxydm ON hb_pwfzs (tyshxydm, hdrq DESC, id DESC) WHERE tyshxydm IS NOT NULL;
CREATE INDEX hb_pwfzs_zzjgdm ON hb_pwfzs (zzjgdm, hdrq DESC, id DESC) WHERE zzjgdm IS NOT NULL;
CREATE INDEX hb_xzjl_tyshxydm ON hb_xzjl (tyshxydm, jlrq DESC, id DESC) WHERE tyshxydm IS NOT NULL;
CREATE INDEX hb_xzjl_zzjgdm ON hb_xzjl (zzjgdm, jlrq DESC, id DESC) WHERE zzjgdm IS NOT NULL;

-- +goose Down
DROP TABLE hb_xzjl;
DROP TABLE hb_pwfzs;
DROP TABLE hb_xzqz;
