-- +goose Up
-- A class's live view folds its trainees' submissions to each cell's
-- furthest state (tried or solved) with one grouped read. With kind and
-- correct in the index the read never visits the table; the index it
-- replaces is this one's prefix, so every other read still uses it.
CREATE INDEX scoring_events_class ON scoring_events (trainee_id, scenario_id, objective_id, kind, correct);
DROP INDEX scoring_events_trainee;

-- +goose Down
CREATE INDEX scoring_events_trainee ON scoring_events (trainee_id, scenario_id, objective_id);
DROP INDEX scoring_events_class;
