-- +goose Up
-- An invite may be revoked before it is used; and an invite may reset an
-- existing account's password (user_id set) instead of making an account.
ALTER TABLE invites ADD COLUMN revoked_at TIMESTAMPTZ;
ALTER TABLE invites ADD COLUMN user_id TEXT REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX invites_created_at ON invites (created_at);

-- +goose Down
DROP INDEX invites_created_at;
ALTER TABLE invites DROP COLUMN user_id;
ALTER TABLE invites DROP COLUMN revoked_at;
