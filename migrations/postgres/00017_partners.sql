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
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    last_used_at    TIMESTAMPTZ,
    revoked_at      TIMESTAMPTZ
);
CREATE INDEX partner_tokens_organisation ON partner_tokens (organisation_id, created_at);

-- The record feed's order. Writers commit concurrently here, so a sequence
-- alone does not say commit order: a record may take seq 5, then commit
-- after seq 6 has been read. Each row also keeps the id of the transaction
-- that wrote it, and the feed serves rows by (tx, seq) only below the
-- oldest transaction still running: everything there has committed, and
-- anything written later has a larger tx.
CREATE TABLE record_feed (
    seq       BIGSERIAL PRIMARY KEY,
    tx        BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    record_id TEXT NOT NULL UNIQUE
);
CREATE INDEX record_feed_order ON record_feed (tx, seq);
INSERT INTO record_feed (record_id) SELECT id FROM scoring_events ORDER BY created_at, id;
-- +goose StatementBegin
CREATE FUNCTION sakimori_record_feed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO record_feed (record_id) VALUES (NEW.id);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER scoring_events_feed AFTER INSERT ON scoring_events
    FOR EACH ROW EXECUTE FUNCTION sakimori_record_feed();

-- Partner calls are audited against their organisation, which its org
-- admins read back.
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, seq);

-- A person erased keeps their id (their records and the cohort totals
-- stay right) but nothing that names them.
ALTER TABLE users ADD COLUMN erased_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE users DROP COLUMN erased_at;
DROP INDEX audit_log_target;
DROP TRIGGER scoring_events_feed ON scoring_events;
DROP FUNCTION sakimori_record_feed();
DROP TABLE record_feed;
DROP TABLE partner_tokens;
