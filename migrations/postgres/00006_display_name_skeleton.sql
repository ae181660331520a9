-- +goose Up
-- The UTS #39 skeleton of each display name, so a name that looks like one
-- already taken is found by an indexed lookup. Not unique: accounts made
-- before this check may share one. The skeleton needs Unicode's confusables
-- data, which SQL does not have, so the server fills in rows left empty here
-- each time it migrates.
ALTER TABLE users ADD COLUMN display_name_skeleton TEXT NOT NULL DEFAULT '';
CREATE INDEX users_display_name_skeleton ON users (display_name_skeleton);

-- +goose Down
DROP INDEX users_display_name_skeleton;
ALTER TABLE users DROP COLUMN display_name_skeleton;
