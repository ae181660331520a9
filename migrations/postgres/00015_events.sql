-- +goose Up
-- Time-boxed competitions: a set of scenarios played in a window, by one
-- cohort's members or (cohort_id NULL) by everyone on the range. Boards are
-- read from scoring_events through the event's window; nothing is copied.
CREATE TABLE events (
    id         TEXT PRIMARY KEY,
    cohort_id  TEXT REFERENCES cohorts (id),
    name       TEXT NOT NULL,
    scenarios  TEXT NOT NULL, -- a JSON array of scenario ids
    starts_at  TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL,
    freeze_at  TIMESTAMPTZ,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (freeze_at IS NULL OR (freeze_at > starts_at AND freeze_at <= ends_at))
);
CREATE INDEX events_cohort ON events (cohort_id, starts_at);
-- A board reads one scenario's records in a window.
CREATE INDEX scoring_events_scenario_time ON scoring_events (scenario_id, created_at);

-- +goose Down
DROP INDEX scoring_events_scenario_time;
DROP TABLE events;
