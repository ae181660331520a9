-- +goose Up
-- Two more kinds of record: a lab launched (one per lab, when it first
-- runs) and an assignment completed (one per trainee and assignment, with
-- the score earned in it, the most it could earn and how long it took).
-- They count no points, so every score summed from the records stays as
-- it was. SQLite cannot change a CHECK in place: the table is rebuilt
-- with its indexes and triggers, every record kept.
CREATE TABLE scoring_events_next (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('submission', 'hint', 'reveal', 'launch', 'complete')),
    trainee_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instance_id   TEXT NOT NULL,
    scenario_id   TEXT NOT NULL,
    objective_id  TEXT NOT NULL DEFAULT '',
    hint_id       TEXT NOT NULL DEFAULT '',
    digest        TEXT NOT NULL DEFAULT '',
    correct       BOOLEAN NOT NULL DEFAULT FALSE,
    points        INTEGER NOT NULL DEFAULT 0,
    shared_with   TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    evidence      TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    assignment_id TEXT NOT NULL DEFAULT '',
    score         INTEGER NOT NULL DEFAULT 0,
    max_score     INTEGER NOT NULL DEFAULT 0,
    duration_ms   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO scoring_events_next (id, kind, trainee_id, instance_id, scenario_id, objective_id, hint_id, digest, correct,
    points, shared_with, note, evidence, ip, created_at)
SELECT id, kind, trainee_id, instance_id, scenario_id, objective_id, hint_id, digest, correct,
    points, shared_with, note, evidence, ip, created_at FROM scoring_events;
DROP TABLE scoring_events;
ALTER TABLE scoring_events_next RENAME TO scoring_events;
CREATE UNIQUE INDEX scoring_one_solve ON scoring_events (trainee_id, scenario_id, objective_id)
    WHERE kind = 'submission' AND correct;
CREATE UNIQUE INDEX scoring_one_hint ON scoring_events (trainee_id, scenario_id, hint_id)
    WHERE kind = 'hint';
CREATE UNIQUE INDEX scoring_one_reveal ON scoring_events (trainee_id, scenario_id, objective_id)
    WHERE kind = 'reveal';
CREATE UNIQUE INDEX scoring_one_launch ON scoring_events (instance_id) WHERE kind = 'launch';
CREATE UNIQUE INDEX scoring_one_completion ON scoring_events (trainee_id, assignment_id) WHERE kind = 'complete';
CREATE INDEX scoring_events_scenario_time ON scoring_events (scenario_id, created_at);
CREATE INDEX scoring_events_class ON scoring_events (trainee_id, scenario_id, objective_id, kind, correct);
-- A cohort's competency view reads who solved what within each member's
-- time in the cohort; this index holds all of it (store.Partners.EachSolve).
CREATE INDEX scoring_solves_in_time ON scoring_events (trainee_id, created_at, scenario_id, objective_id)
    WHERE kind = 'submission' AND correct;
-- +goose StatementBegin
CREATE TRIGGER scoring_events_no_update BEFORE UPDATE ON scoring_events
BEGIN
    SELECT RAISE(ABORT, 'scoring_events is append-only: UPDATE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER scoring_events_no_delete BEFORE DELETE ON scoring_events
BEGIN
    SELECT RAISE(ABORT, 'scoring_events is append-only: DELETE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER scoring_events_feed AFTER INSERT ON scoring_events
BEGIN
    INSERT INTO record_feed (record_id) VALUES (NEW.id);
END;
-- +goose StatementEnd

-- +goose Down
-- The new kinds of record cannot be kept in the old table; going down
-- removes them (the table is rebuilt, so its append-only triggers do not
-- apply).
CREATE TABLE scoring_events_prev (
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
    evidence     TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL
);
INSERT INTO scoring_events_prev SELECT id, kind, trainee_id, instance_id, scenario_id, objective_id, hint_id, digest, correct,
    points, shared_with, note, evidence, ip, created_at FROM scoring_events WHERE kind IN ('submission', 'hint', 'reveal');
DROP TABLE scoring_events;
ALTER TABLE scoring_events_prev RENAME TO scoring_events;
CREATE UNIQUE INDEX scoring_one_solve ON scoring_events (trainee_id, scenario_id, objective_id)
    WHERE kind = 'submission' AND correct;
CREATE UNIQUE INDEX scoring_one_hint ON scoring_events (trainee_id, scenario_id, hint_id)
    WHERE kind = 'hint';
CREATE UNIQUE INDEX scoring_one_reveal ON scoring_events (trainee_id, scenario_id, objective_id)
    WHERE kind = 'reveal';
CREATE INDEX scoring_events_scenario_time ON scoring_events (scenario_id, created_at);
CREATE INDEX scoring_events_class ON scoring_events (trainee_id, scenario_id, objective_id, kind, correct);
-- +goose StatementBegin
CREATE TRIGGER scoring_events_no_update BEFORE UPDATE ON scoring_events
BEGIN
    SELECT RAISE(ABORT, 'scoring_events is append-only: UPDATE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER scoring_events_no_delete BEFORE DELETE ON scoring_events
BEGIN
    SELECT RAISE(ABORT, 'scoring_events is append-only: DELETE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER scoring_events_feed AFTER INSERT ON scoring_events
BEGIN
    INSERT INTO record_feed (record_id) VALUES (NEW.id);
END;
-- +goose StatementEnd
