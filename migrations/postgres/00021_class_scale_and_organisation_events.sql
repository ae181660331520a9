-- +goose Up
-- A class's live view folds its trainees' submissions to each cell's
-- furthest state (tried or solved) with one grouped read. With kind and
-- correct in the index the read never visits the table; the index it
-- replaces is this one's prefix, so every other read still uses it.
CREATE INDEX scoring_events_class ON scoring_events (trainee_id, scenario_id, objective_id, kind, correct);
DROP INDEX scoring_events_trainee;
-- An event may be an organisation's, played by the trainees of all its
-- cohorts; then it has no cohort.
ALTER TABLE events ADD COLUMN organisation_id TEXT REFERENCES organisations (id);
CREATE INDEX events_organisation ON events (organisation_id, starts_at);

-- +goose Down
DROP INDEX events_organisation;
ALTER TABLE events DROP COLUMN organisation_id;
CREATE INDEX scoring_events_trainee ON scoring_events (trainee_id, scenario_id, objective_id);
DROP INDEX scoring_events_class;
