-- +goose Up
-- Terminal sessions recorded as asciicast files; the files live in the
-- data directory, these rows say which lab and person each belongs to.
CREATE TABLE terminal_recordings (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES lab_instances (id) ON DELETE CASCADE,
    trainee_id  TEXT NOT NULL,
    by_staff    BOOLEAN NOT NULL DEFAULT FALSE,
    started_at  DATETIME NOT NULL,
    ended_at    DATETIME,
    bytes       INTEGER NOT NULL DEFAULT 0,
    truncated   BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX terminal_recordings_instance ON terminal_recordings (instance_id, started_at);

-- +goose Down
DROP TABLE terminal_recordings;
