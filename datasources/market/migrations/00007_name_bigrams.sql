-- +goose Up
-- Issue #16: a name search of two characters uses an index. pg_trgm's
-- trigrams need three characters, and most Chinese searches people type
-- are two or three (对俄, 黑河, 五金). The name's character bigrams
-- (lower-cased, as ILIKE compares) are kept in a stored column with a GIN
-- index: any term of two or more characters narrows to the names holding
-- all of its bigrams, and the ILIKE beside it checks their order. Stored,
-- not an expression index, so that a plan filtering rows in code order
-- tests an array instead of calling the function per row, and ANALYZE
-- keeps the bigrams' frequencies (a larger statistics target: there are
-- thousands of distinct bigrams). pg_bigm does the same but is not a
-- Debian package; this needs no extension.
-- +goose StatementBegin
CREATE FUNCTION name_bigrams(s text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(lower(s), i, 2)), '{}')
    FROM generate_series(1, length(s) - 1) AS i
$$;
-- +goose StatementEnd
ALTER TABLE registry_entity ADD COLUMN name_bigrams text[] GENERATED ALWAYS AS (name_bigrams(name)) STORED;
ALTER TABLE registry_entity ALTER COLUMN name_bigrams SET STATISTICS 1000;
CREATE INDEX registry_entity_name_bigram ON registry_entity USING gin (name_bigrams);

-- +goose Down
DROP INDEX registry_entity_name_bigram;
ALTER TABLE registry_entity DROP COLUMN name_bigrams;
DROP FUNCTION name_bigrams(text);
