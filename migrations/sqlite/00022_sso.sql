-- +goose Up
-- Signing in through an organisation's identity provider (OpenID Connect
-- or SAML 2.0). Lists (allowed email domains, role values) are kept one
-- value a line. The client secret is sealed to the provider's id.
CREATE TABLE sso_providers (
    id                TEXT PRIMARY KEY,
    organisation_id   TEXT NOT NULL REFERENCES organisations (id),
    name              TEXT NOT NULL,
    protocol          TEXT NOT NULL CHECK (protocol IN ('oidc', 'saml')),
    enabled           BOOLEAN NOT NULL DEFAULT FALSE,
    issuer            TEXT NOT NULL,
    client_id         TEXT NOT NULL DEFAULT '',
    sealed_secret     TEXT NOT NULL DEFAULT '',
    metadata          TEXT NOT NULL DEFAULT '',
    metadata_url      TEXT NOT NULL DEFAULT '',
    allowed_domains   TEXT NOT NULL DEFAULT '',
    role_claim        TEXT NOT NULL DEFAULT '',
    instructor_values TEXT NOT NULL DEFAULT '',
    logout            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE INDEX sso_providers_organisation ON sso_providers (organisation_id);

-- A person is known to a provider by (issuer, subject), never by email.
-- The link outlives its provider's configuration.
CREATE TABLE sso_identities (
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    provider_id  TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_identities_user ON sso_identities (user_id);

-- Sign-ins in flight, each taken once when the person comes back.
CREATE TABLE sso_requests (
    id           TEXT PRIMARY KEY,
    provider_id  TEXT NOT NULL,
    nonce        TEXT NOT NULL DEFAULT '',
    verifier     TEXT NOT NULL DEFAULT '',
    link_user_id TEXT NOT NULL DEFAULT '',
    return_to    TEXT NOT NULL DEFAULT '/',
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL
);
CREATE INDEX sso_requests_expiry ON sso_requests (expires_at);

-- The replay cache: nonces and assertion ids already seen, until they
-- would be refused as expired anyway.
CREATE TABLE sso_replays (
    key        TEXT PRIMARY KEY,
    expires_at DATETIME NOT NULL
);

-- Refused sign-ins, for the organisation's admins to read.
CREATE TABLE sso_failures (
    id          TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    at          DATETIME NOT NULL,
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sso_failures_provider ON sso_failures (provider_id, at);

-- Organisations whose people sign in only through their providers.
CREATE TABLE sso_settings (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    passwords_off   BOOLEAN NOT NULL DEFAULT FALSE
);

-- +goose Down
DROP TABLE sso_settings;
DROP TABLE sso_failures;
DROP TABLE sso_replays;
DROP TABLE sso_requests;
DROP TABLE sso_identities;
DROP TABLE sso_providers;
