-- +goose Up
-- T23: what kind of organisation an entity is (机关 ORGAN, 事业单位
-- PUBLIC_INSTITUTION, 国有企业 STATE_OWNED_ENTERPRISE, or OTHER) and, for the
-- first three, the code of its superior body (上级主管部门), which the hub
-- notifies when the entity breaks the law or breaks faith.
ALTER TABLE registry_entity
    ADD COLUMN org_type text NOT NULL DEFAULT 'OTHER'
        CHECK (org_type IN ('ORGAN', 'PUBLIC_INSTITUTION', 'STATE_OWNED_ENTERPRISE', 'OTHER')),
    ADD COLUMN superior_code text,
    ADD CONSTRAINT registry_entity_superior CHECK (org_type <> 'OTHER' OR superior_code IS NULL);

-- +goose Down
ALTER TABLE registry_entity DROP CONSTRAINT registry_entity_superior,
    DROP COLUMN superior_code, DROP COLUMN org_type;
