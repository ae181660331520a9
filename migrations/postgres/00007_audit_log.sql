-- +goose Up
-- What staff and partners did, one row per action, never changed or
-- removed. seq orders the log and pages it; actor_id has no foreign key,
-- so the log outlives the accounts it names.
CREATE TABLE audit_log (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_role  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL DEFAULT '',
    target_id   TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '{}',
    request_id  TEXT NOT NULL DEFAULT '',
    source_ip   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- Append-only by the database, not by convention: the audit log, and the
-- scoring events every score is derived from, refuse UPDATE, DELETE and
-- TRUNCATE whoever sends them.
-- +goose StatementBegin
CREATE FUNCTION sakimori_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION sakimori_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION sakimori_append_only();
CREATE TRIGGER scoring_events_append_only BEFORE UPDATE OR DELETE ON scoring_events
    FOR EACH ROW EXECUTE FUNCTION sakimori_append_only();
CREATE TRIGGER scoring_events_no_truncate BEFORE TRUNCATE ON scoring_events
    FOR EACH STATEMENT EXECUTE FUNCTION sakimori_append_only();

-- +goose Down
DROP TRIGGER scoring_events_no_truncate ON scoring_events;
DROP TRIGGER scoring_events_append_only ON scoring_events;
DROP TABLE audit_log;
DROP FUNCTION sakimori_append_only();
