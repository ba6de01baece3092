-- +goose Up
-- The statements a transition runs on its own rows, indexed, so that a
-- transition costs the same whatever the size of the city: ending a
-- listing's hub records, and deactivating the overlays a workflow object
-- put on records. Without them each was a scan of its table per
-- transition. (A case's pushes are found through case_push's
-- UNIQUE (case_id, department).)
CREATE INDEX hub_record_list_entry ON hub_record ((detail->>'listEntryId'));
CREATE INDEX record_overlay_source ON record_overlay (source, source_id) WHERE active;

-- +goose Down
DROP INDEX record_overlay_source;
DROP INDEX hub_record_list_entry;
