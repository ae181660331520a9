-- +goose Up
-- xAPI forwarding: each organisation's LRS, sealed secret and all (sealed
-- to the organisation's id), with its outbox's cursor over record_feed
-- (cursor_tx is 0 on SQLite, where one writer commits at a time).
CREATE TABLE xapi_destinations (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    endpoint        TEXT NOT NULL,
    auth            TEXT NOT NULL CHECK (auth IN ('basic', 'oauth2')),
    client_key      TEXT NOT NULL,
    sealed_secret   TEXT NOT NULL,
    token_url       TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT 'en',
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    cursor_tx       BIGINT NOT NULL DEFAULT 0,
    cursor_seq      BIGINT NOT NULL DEFAULT 0,
    updated_at      DATETIME NOT NULL
);

-- Statements an LRS refused (4xx), with its reply, until replayed.
CREATE TABLE xapi_dead_letters (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    record_id       TEXT NOT NULL,
    statement       TEXT NOT NULL,
    status          INTEGER NOT NULL,
    reply           TEXT NOT NULL,
    created_at      DATETIME NOT NULL,
    PRIMARY KEY (organisation_id, record_id)
);

-- +goose Down
DROP TABLE xapi_dead_letters;
DROP TABLE xapi_destinations;
