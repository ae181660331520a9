-- +goose Up
-- Two more kinds of record: a lab launched (one per lab, when it first
-- runs) and an assignment completed (one per trainee and assignment, with
-- the score earned in it, the most it could earn and how long it took).
-- They count no points, so every score summed from the records stays as
-- it was.
ALTER TABLE scoring_events DROP CONSTRAINT scoring_events_kind_check;
ALTER TABLE scoring_events ADD CONSTRAINT scoring_events_kind_check
    CHECK (kind IN ('submission', 'hint', 'reveal', 'launch', 'complete'));
ALTER TABLE scoring_events ADD COLUMN assignment_id TEXT NOT NULL DEFAULT '';
ALTER TABLE scoring_events ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scoring_events ADD COLUMN max_score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scoring_events ADD COLUMN duration_ms BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX scoring_one_launch ON scoring_events (instance_id) WHERE kind = 'launch';
CREATE UNIQUE INDEX scoring_one_completion ON scoring_events (trainee_id, assignment_id) WHERE kind = 'complete';
-- A cohort's competency view reads who solved what within each member's
-- time in the cohort; this index holds all of it (store.Partners.EachSolve).
CREATE INDEX scoring_solves_in_time ON scoring_events (trainee_id, created_at, scenario_id, objective_id)
    WHERE kind = 'submission' AND correct;

-- +goose Down
-- The new kinds of record cannot be kept under the old constraint; going
-- down removes them, past the append-only trigger for this once.
DROP INDEX scoring_solves_in_time;
DROP INDEX scoring_one_completion;
DROP INDEX scoring_one_launch;
ALTER TABLE scoring_events DISABLE TRIGGER scoring_events_append_only;
DELETE FROM scoring_events WHERE kind IN ('launch', 'complete');
ALTER TABLE scoring_events ENABLE TRIGGER scoring_events_append_only;
ALTER TABLE scoring_events DROP COLUMN duration_ms;
ALTER TABLE scoring_events DROP COLUMN max_score;
ALTER TABLE scoring_events DROP COLUMN score;
ALTER TABLE scoring_events DROP COLUMN assignment_id;
ALTER TABLE scoring_events DROP CONSTRAINT scoring_events_kind_check;
ALTER TABLE scoring_events ADD CONSTRAINT scoring_events_kind_check CHECK (kind IN ('submission', 'hint', 'reveal'));
