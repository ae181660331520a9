-- +goose Up
-- The two look-alike keys of each display name (UTS #39 skeletons, one of
-- the case-folded name, one of the name as written), so a name that looks
-- like one already taken is found by indexed lookups. Not unique: accounts
-- made before the check may share one. The keys need Unicode's confusables
-- data, which SQL does not have, so the server fills in rows left empty
-- here each time it migrates.
ALTER TABLE users ADD COLUMN display_name_key_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN display_name_key_shaped TEXT NOT NULL DEFAULT '';
CREATE INDEX users_display_name_key_folded ON users (display_name_key_folded);
CREATE INDEX users_display_name_key_shaped ON users (display_name_key_shaped);

-- +goose Down
DROP INDEX users_display_name_key_shaped;
DROP INDEX users_display_name_key_folded;
ALTER TABLE users DROP COLUMN display_name_key_shaped;
ALTER TABLE users DROP COLUMN display_name_key_folded;
