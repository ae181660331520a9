-- +goose Up
-- A person's authenticator app (TOTP, RFC 6238). The secret is sealed with
-- a key of the server's secrets, so a copy of the database alone cannot make
-- codes. last_step is the last time step a code was accepted for: a code is
-- good once, and never for a step at or before the last one used.
CREATE TABLE mfa_totp (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    confirmed_at  TIMESTAMPTZ,
    last_step     BIGINT NOT NULL DEFAULT 0
);

-- A person's passkeys (WebAuthn credentials). credential holds what the
-- relying party keeps of one (public key, signature counter, flags) as JSON.
CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- Second-factor steps in progress: a sign-in waiting for its second factor,
-- a passkey registration waiting for the browser, or a sign-in with a
-- passkey alone (whose person is known only from the passkey, so it has no
-- user_id). Each is used once and expires; only the hash of its handle is
-- kept. state holds the WebAuthn ceremony's challenge and options while
-- one is open.
CREATE TABLE mfa_ceremonies (
    handle_hash TEXT PRIMARY KEY,
    user_id     TEXT REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('sign-in', 'passkey-registration', 'passkey-sign-in')),
    state       TEXT NOT NULL DEFAULT '',
    failures    INTEGER NOT NULL DEFAULT 0,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX mfa_ceremonies_expiry ON mfa_ceremonies (expires_at);

-- The roles whose people must sign in with a second factor.
CREATE TABLE mfa_required_roles (
    role TEXT PRIMARY KEY CHECK (role IN ('trainee', 'instructor', 'partner', 'admin'))
);

-- +goose Down
DROP TABLE mfa_required_roles;
DROP TABLE mfa_ceremonies;
DROP TABLE passkeys;
DROP TABLE mfa_totp;
