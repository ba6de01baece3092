-- +goose Up
-- Push outcomes (issue #15, departments): a department answers the case
-- pushed to it with the measure it APPLIED (answerPush), or that no
-- measure is NOT_APPLICABLE or that it DECLINED (declinePush), with a
-- reason. The push is ANSWERED in every outcome; measure_applied and
-- applied_on are set for APPLIED only, reason for the other two.
ALTER TABLE case_push
    ADD COLUMN outcome text CHECK (outcome IN ('APPLIED', 'NOT_APPLICABLE', 'DECLINED')),
    ADD COLUMN reason  text;
UPDATE case_push SET outcome = 'APPLIED' WHERE state = 'ANSWERED';
ALTER TABLE case_push
    ADD CONSTRAINT case_push_outcome CHECK ((state = 'ANSWERED') = (outcome IS NOT NULL)
        AND (outcome IS DISTINCT FROM 'APPLIED' OR (measure_applied IS NOT NULL AND applied_on IS NOT NULL AND reason IS NULL))
        AND (outcome NOT IN ('NOT_APPLICABLE', 'DECLINED') OR (reason IS NOT NULL AND measure_applied IS NULL AND applied_on IS NULL)));

-- +goose Down
ALTER TABLE case_push DROP CONSTRAINT case_push_outcome;
ALTER TABLE case_push DROP COLUMN reason, DROP COLUMN outcome;
