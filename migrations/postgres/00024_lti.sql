-- +goose Up
-- The range as an LTI 1.3 tool. A platform (an LMS) is registered to one
-- organisation; its deployment ids are kept one a line. People it launches
-- are linked in sso_identities by (issuer, subject), and its nonces are
-- remembered in sso_replays, beside single sign-on's.
CREATE TABLE lti_platforms (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    deployment_ids  TEXT NOT NULL,
    auth_url        TEXT NOT NULL,
    token_url       TEXT NOT NULL,
    jwks_url        TEXT NOT NULL,
    revoked         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (issuer, client_id)
);
CREATE INDEX lti_platforms_organisation ON lti_platforms (organisation_id);

-- The range's signing keys; the private half sealed to the key id. A
-- retired key is still published for a grace period.
CREATE TABLE lti_keys (
    id             TEXT PRIMARY KEY,
    sealed_private TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    retired_at     TIMESTAMPTZ
);

-- Login initiations waiting for their launch, each taken once.
CREATE TABLE lti_states (
    state       TEXT PRIMARY KEY,
    nonce       TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX lti_states_expiry ON lti_states (expires_at);

-- Each LMS course (context) of a platform is bound to one cohort.
CREATE TABLE lti_bindings (
    platform_id TEXT NOT NULL REFERENCES lti_platforms (id),
    context_id  TEXT NOT NULL,
    cohort_id   TEXT NOT NULL REFERENCES cohorts (id),
    title       TEXT NOT NULL,
    -- the course's Names and Role Provisioning service, as its last launch said
    memberships_url TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (platform_id, context_id)
);

-- Links placed by Deep Linking, and the line item their grades go to.
CREATE TABLE lti_links (
    platform_id   TEXT NOT NULL REFERENCES lti_platforms (id),
    resource_id   TEXT NOT NULL,
    assignment_id TEXT NOT NULL,
    context_id    TEXT NOT NULL,
    line_item_url TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (platform_id, resource_id)
);

-- The grade last sent per line item and person, so only changes are sent.
CREATE TABLE lti_grades (
    line_item_url TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    given         INTEGER NOT NULL,
    maximum       INTEGER NOT NULL,
    PRIMARY KEY (line_item_url, user_id)
);

-- +goose Down
DROP TABLE lti_grades;
DROP TABLE lti_links;
DROP TABLE lti_bindings;
DROP TABLE lti_states;
DROP TABLE lti_keys;
DROP TABLE lti_platforms;
