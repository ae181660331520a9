-- +goose Up
-- A cohort's coursework: one scenario or an ordered set of them, with a
-- window and a late policy. The points a late solve earns are fixed in its
-- scoring record, so changing a policy never rewrites anyone's score.
CREATE TABLE assignments (
    id              TEXT PRIMARY KEY,
    cohort_id       TEXT NOT NULL REFERENCES cohorts (id),
    title           TEXT NOT NULL DEFAULT '',
    scenarios       TEXT NOT NULL, -- a JSON array of scenario ids, in order
    tracks          TEXT NOT NULL CHECK (tracks IN ('attack', 'defence', 'both')),
    opens_at        TIMESTAMPTZ NOT NULL,
    due_at          TIMESTAMPTZ NOT NULL,
    late_policy     TEXT NOT NULL CHECK (late_policy IN ('accept', 'penalty', 'closed')),
    penalty_percent INTEGER NOT NULL DEFAULT 0 CHECK (penalty_percent BETWEEN 0 AND 100),
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    CHECK (due_at > opens_at)
);
CREATE INDEX assignments_cohort ON assignments (cohort_id, due_at);

-- +goose Down
DROP TABLE assignments;
