-- +goose Up
-- Every submission and hint taken, append-only: scores are derived from it.
CREATE TABLE scoring_events (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('submission', 'hint', 'reveal')),
    trainee_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instance_id  TEXT NOT NULL,
    scenario_id  TEXT NOT NULL,
    objective_id TEXT NOT NULL DEFAULT '',
    hint_id      TEXT NOT NULL DEFAULT '',
    digest       TEXT NOT NULL DEFAULT '',
    correct      BOOLEAN NOT NULL DEFAULT FALSE,
    points       INTEGER NOT NULL DEFAULT 0,
    shared_with  TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    evidence     TEXT NOT NULL DEFAULT '',  -- a check's output, kept to show what passed or failed
    ip           TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL
);
-- An objective is solved once per trainee and scenario, a hint taken once:
-- retries and crashes can never count twice.
CREATE UNIQUE INDEX scoring_one_solve ON scoring_events (trainee_id, scenario_id, objective_id)
    WHERE kind = 'submission' AND correct;
CREATE UNIQUE INDEX scoring_one_hint ON scoring_events (trainee_id, scenario_id, hint_id)
    WHERE kind = 'hint';
CREATE UNIQUE INDEX scoring_one_reveal ON scoring_events (trainee_id, scenario_id, objective_id)
    WHERE kind = 'reveal';
CREATE INDEX scoring_events_trainee ON scoring_events (trainee_id, scenario_id, objective_id);

-- +goose Down
DROP TABLE scoring_events;
