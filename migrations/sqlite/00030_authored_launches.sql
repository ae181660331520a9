-- +goose Up
-- Authored scenarios become labs. A version is launched by its digest, so a
-- running lab keeps the version it began with whatever is published after.
-- Unpublishing a version stops new launches of it and leaves running labs
-- alone. A version is published only after a rehearsal of that exact
-- version passed: every rehearsal is kept with its log.
ALTER TABLE authored_scenario_versions ADD COLUMN unpublished_at DATETIME;

CREATE TABLE authored_rehearsals (
    id          TEXT PRIMARY KEY,
    authored_id TEXT NOT NULL,
    digest      TEXT NOT NULL,
    started_by  TEXT NOT NULL REFERENCES users (id),
    started_at  DATETIME NOT NULL,
    finished_at DATETIME,
    passed      BOOLEAN NOT NULL DEFAULT FALSE,
    log         TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (authored_id, digest) REFERENCES authored_scenario_versions (authored_id, digest)
);

CREATE INDEX authored_rehearsals_version ON authored_rehearsals (authored_id, digest, started_at);

-- +goose Down
DROP TABLE authored_rehearsals;
ALTER TABLE authored_scenario_versions DROP COLUMN unpublished_at;
