-- +goose Up
-- The language a person reads the range in and the time zone their dates
-- are shown in; empty means "not chosen", and the browser's say applies.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN time_zone;
ALTER TABLE users DROP COLUMN language;
