-- +goose Up
-- Every party of an enforcement or litigation list, persons and
-- organisations alike.
CREATE TABLE party (
    -- A resident ID number (P) or a unified social credit code (O).
    party_id_no    varchar(18) PRIMARY KEY,
    -- P 自然人, O 法人或者其他组织.
    party_type     char(1) NOT NULL CHECK (party_type IN ('P', 'O')),
    name           text NOT NULL,
    -- 法定代表人或者负责人姓名, which the court publishes with an
    -- organisation's entries.
    legal_rep_name text,
    CHECK (party_type = 'O' OR legal_rep_name IS NULL)
);

-- +goose Down
DROP TABLE party;
