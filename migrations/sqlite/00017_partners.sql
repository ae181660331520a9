-- +goose Up
-- Partner API tokens: one organisation each, with scopes, an expiry and a
-- name. Only the SHA-256 of the secret is kept; the secret is shown once.
CREATE TABLE partner_tokens (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    secret_hash     TEXT NOT NULL UNIQUE,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    expires_at      DATETIME NOT NULL,
    last_used_at    DATETIME,
    revoked_at      DATETIME
);
CREATE INDEX partner_tokens_organisation ON partner_tokens (organisation_id, created_at);

-- The record feed's order. SQLite has one writer at a time, so a position
-- taken at insert is also the order records commit in; the feed reads
-- record_feed by seq alone.
CREATE TABLE record_feed (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id TEXT NOT NULL UNIQUE
);
INSERT INTO record_feed (record_id) SELECT id FROM scoring_events ORDER BY created_at, id;
-- +goose StatementBegin
CREATE TRIGGER scoring_events_feed AFTER INSERT ON scoring_events
BEGIN
    INSERT INTO record_feed (record_id) VALUES (NEW.id);
END;
-- +goose StatementEnd

-- Partner calls are audited against their organisation, which its org
-- admins read back.
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, seq);

-- A person erased keeps their id (their records and the cohort totals
-- stay right) but nothing that names them.
ALTER TABLE users ADD COLUMN erased_at DATETIME;

-- +goose Down
ALTER TABLE users DROP COLUMN erased_at;
DROP INDEX audit_log_target;
DROP TRIGGER scoring_events_feed;
DROP TABLE record_feed;
DROP TABLE partner_tokens;
