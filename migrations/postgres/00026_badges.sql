-- +goose Up
-- Open Badges 3.0. The issuer's Ed25519 keys: the private seed sealed to
-- the key's id; old keys stay, so credentials they signed still verify.
CREATE TABLE badge_keys (
    kid            TEXT PRIMARY KEY,
    public_key     TEXT NOT NULL,
    sealed_private TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);

-- One award per trainee and achievement, frozen as first earned (the
-- achievement as JSON, the holder's name). Each holds one bit of the
-- revocation list, never reused: a revoked award keeps its bit set.
CREATE TABLE badge_awards (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id),
    kind             TEXT NOT NULL CHECK (kind IN ('scenario', 'work-role')),
    ref              TEXT NOT NULL,
    achievement      TEXT NOT NULL,
    holder           TEXT NOT NULL,
    issued_at        TIMESTAMPTZ NOT NULL,
    status_index     INTEGER NOT NULL UNIQUE,
    revoked_at       TIMESTAMPTZ,
    revoked_by       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX badge_awards_achievement ON badge_awards (user_id, kind, ref);

-- An organisation's work-role threshold, in percent.
CREATE TABLE badge_settings (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    role_threshold  INTEGER NOT NULL CHECK (role_threshold BETWEEN 1 AND 100),
    updated_at      TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE badge_settings;
DROP TABLE badge_awards;
DROP TABLE badge_keys;
