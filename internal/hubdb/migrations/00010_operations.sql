-- +goose Up
-- Production traffic: the budgets of the rate limit, shared by every hub
-- instance, and the operations registered for agencies (their safelist).

-- Cost points spent per client in each hourly window (GitHub's model).
CREATE TABLE rate_window (
    client       text NOT NULL,
    window_start timestamptz NOT NULL,
    used         bigint NOT NULL,
    PRIMARY KEY (client, window_start)
);

-- Operations an agency may run, by the SHA-256 of their text.
CREATE TABLE trusted_operation (
    org           text NOT NULL,
    sha256        text NOT NULL,
    name          text NOT NULL,
    query         text NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org, sha256)
);

-- +goose Down
DROP TABLE trusted_operation;
DROP TABLE rate_window;
