-- +goose Up
-- T10, 消费投诉公示: a 12315 complaint is published once it has been handled
-- (its entity, date, category, summary and handling result; the
-- complainant is never held by the hub at all). Until then it stays shared
-- among departments. public_once_concluded says so for a kind: its records
-- are as open as entity_publicity only once concluded, and shared before.
ALTER TABLE info_catalogue ADD COLUMN public_once_concluded boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN info_catalogue.public_once_concluded IS
  'Records of this kind are as open as entity_publicity only once concluded (a complaint handled); SHARED before.';

UPDATE info_catalogue
   SET entity_publicity = 'PUBLIC', public_once_concluded = true,
       legal_basis = '《市场监督管理投诉举报处理暂行办法》；《若干措施》第二条第（一）项（消费投诉公示）'
 WHERE kind = 'COMPLAINT';

-- +goose Down
UPDATE info_catalogue
   SET entity_publicity = 'SHARED',
       legal_basis = '《市场监督管理投诉举报处理暂行办法》；《若干措施》第二条第（一）项'
 WHERE kind = 'COMPLAINT';
ALTER TABLE info_catalogue DROP COLUMN public_once_concluded;
