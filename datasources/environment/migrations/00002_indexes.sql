-- +goose Up
-- 按主体键 + 日期倒序查找：统一社会信用代码和组织机构代码各一个部分索引，
-- EntityMatch 中的 OR 由两者的 BitmapOr 完成。
-- The hub looks records up by either key, newest first: one partial index per
-- key column, which the planner combines (BitmapOr) for the OR of EntityMatch.
-- Built after the tables so that a bulk load into an empty database can drop
-- and rebuild them.
CREATE INDEX hb_pwxk_tyshxydm ON hb_pwxk (tyshxydm, fzrq DESC, id DESC) WHERE tyshxydm IS NOT NULL;
CREATE INDEX hb_pwxk_zzjgdm ON hb_pwxk (zzjgdm, fzrq DESC, id DESC) WHERE zzjgdm IS NOT NULL;
CREATE INDEX hb_xzcf_tyshxydm ON hb_xzcf (tyshxydm, cfrq DESC, id DESC) WHERE tyshxydm IS NOT NULL;
CREATE INDEX hb_xzcf_zzjgdm ON hb_xzcf (zzjgdm, cfrq DESC, id DESC) WHERE zzjgdm IS NOT NULL;
CREATE INDEX hb_xypj_tyshxydm ON hb_xypj (tyshxydm, pjrq DESC, id DESC) WHERE tyshxydm IS NOT NULL;
CREATE INDEX hb_xypj_zzjgdm ON hb_xypj (zzjgdm, pjrq DESC, id DESC) WHERE zzjgdm IS NOT NULL;

-- +goose Down
DROP INDEX hb_xypj_zzjgdm;
DROP INDEX hb_xypj_tyshxydm;
DROP INDEX hb_xzcf_zzjgdm;
DROP INDEX hb_xzcf_tyshxydm;
DROP INDEX hb_pwxk_zzjgdm;
DROP INDEX hb_pwxk_tyshxydm;
