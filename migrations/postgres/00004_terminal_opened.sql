-- +goose Up
-- When the trainee first opened a terminal into the lab: a flag handed in
-- for a lab never worked in is marked for instructors.
ALTER TABLE lab_instances ADD COLUMN terminal_opened_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE lab_instances DROP COLUMN terminal_opened_at;
