-- +goose Up
-- Issue #16: a page of a name search in code order, fast for every term.
-- The GIN index of 00007 finds a term's names but not in code order: for a
-- common term (种植, 五金, 科技: tens of thousands of names at a million
-- entities, the co-operatives' and shops' codes all late in code order) a
-- page of 20 either sorts every match or walks the code index testing
-- every name before the matches begin; PostgreSQL cannot tell which
-- terms are which. This table is the bigram index kept in code order: one
-- row per name bigram (lower-cased, as name_bigrams gives them) and
-- entity, its primary key (bigram, uscc) the postings of each bigram
-- sorted by code. A page of a term walks the postings of one of its
-- bigrams (the rarest, by the statistics) from the cursor on, and reads
-- only the entities it returns and those it passes over; for a term of two
-- characters, one bigram, every posting is a match.
--
-- It follows registry_entity by statement triggers over transition
-- tables on insert and delete, so that a bulk load (COPY) writes its
-- postings in one statement, and a row trigger on a change of name or
-- code.
CREATE TABLE registry_name_bigram (
    bigram text NOT NULL,
    uscc   varchar(18) NOT NULL
);
INSERT INTO registry_name_bigram (bigram, uscc)
SELECT b, e.uscc FROM registry_entity e, unnest(e.name_bigrams) b;
ALTER TABLE registry_name_bigram ADD PRIMARY KEY (bigram, uscc);
-- Thousands of distinct bigrams: the planner's estimate of a two-character
-- term's postings is from their frequencies.
ALTER TABLE registry_name_bigram ALTER COLUMN bigram SET STATISTICS 1000;

-- +goose StatementBegin
CREATE FUNCTION registry_name_bigram_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO registry_name_bigram (bigram, uscc)
        SELECT b, n.uscc FROM new_rows n, unnest(n.name_bigrams) b;
    ELSE
        DELETE FROM registry_name_bigram p USING old_rows o
        WHERE p.uscc = o.uscc AND p.bigram = ANY (o.name_bigrams);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION registry_name_bigram_rename() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM registry_name_bigram p
    WHERE p.uscc = OLD.uscc AND p.bigram = ANY (OLD.name_bigrams);
    INSERT INTO registry_name_bigram (bigram, uscc)
    SELECT b, NEW.uscc FROM unnest(NEW.name_bigrams) b;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER registry_name_bigram_insert AFTER INSERT ON registry_entity
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_name_bigram_sync();
CREATE TRIGGER registry_name_bigram_delete AFTER DELETE ON registry_entity
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION registry_name_bigram_sync();
-- Renames and code changes are rare and one at a time; a row trigger
-- with a WHEN costs the updates that change neither (a status, an
-- organisation type) nothing, where a statement trigger would join their
-- old and new rows.
CREATE TRIGGER registry_name_bigram_update AFTER UPDATE OF name, uscc ON registry_entity
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.uscc IS DISTINCT FROM NEW.uscc)
    EXECUTE FUNCTION registry_name_bigram_rename();

-- +goose Down
DROP TRIGGER registry_name_bigram_delete ON registry_entity;
DROP TRIGGER registry_name_bigram_update ON registry_entity;
DROP TRIGGER registry_name_bigram_insert ON registry_entity;
DROP FUNCTION registry_name_bigram_rename();
DROP FUNCTION registry_name_bigram_sync();
DROP TABLE registry_name_bigram;
