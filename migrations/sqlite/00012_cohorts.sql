-- +goose Up
-- The range's partners and their classes. Membership rows are never
-- deleted: removing a person stamps removed_at, so their records stay
-- attributed, and at most one row per person is active at a time.
CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('university', 'academy', 'company')),
    created_at DATETIME NOT NULL
);

CREATE TABLE organisation_members (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL CHECK (role IN ('org_admin', 'instructor', 'member')),
    joined_at       DATETIME NOT NULL,
    removed_at      DATETIME
);
CREATE UNIQUE INDEX organisation_members_active ON organisation_members (organisation_id, user_id) WHERE removed_at IS NULL;
CREATE INDEX organisation_members_user ON organisation_members (user_id);

CREATE TABLE cohorts (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    name             TEXT NOT NULL,
    starts_at        DATETIME NOT NULL,
    ends_at          DATETIME NOT NULL,
    capacity_reserve INTEGER NOT NULL DEFAULT 0 CHECK (capacity_reserve >= 0),
    join_code        TEXT NOT NULL UNIQUE,
    created_at       DATETIME NOT NULL,
    archived_at      DATETIME,
    CHECK (ends_at > starts_at)
);
CREATE INDEX cohorts_organisation ON cohorts (organisation_id, created_at);

CREATE TABLE cohort_members (
    id         TEXT PRIMARY KEY,
    cohort_id  TEXT NOT NULL REFERENCES cohorts (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL CHECK (role IN ('instructor', 'member')),
    via        TEXT NOT NULL CHECK (via IN ('added', 'join_code', 'import', 'invite')),
    sourced_id TEXT NOT NULL DEFAULT '',
    joined_at  DATETIME NOT NULL,
    removed_at DATETIME
);
CREATE UNIQUE INDEX cohort_members_active ON cohort_members (cohort_id, user_id) WHERE removed_at IS NULL;
CREATE INDEX cohort_members_user ON cohort_members (user_id);

-- A roster row for someone without an account: the invite made for them,
-- taken up as a membership once they register with it.
CREATE TABLE cohort_invitations (
    id          TEXT PRIMARY KEY,
    cohort_id   TEXT NOT NULL REFERENCES cohorts (id),
    invite_id   TEXT NOT NULL REFERENCES invites (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    given_name  TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT '',
    sourced_id  TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    accepted_at DATETIME
);
CREATE INDEX cohort_invitations_pending ON cohort_invitations (cohort_id) WHERE accepted_at IS NULL;
CREATE INDEX cohort_invitations_email ON cohort_invitations (email) WHERE accepted_at IS NULL;

-- +goose Down
DROP TABLE cohort_invitations;
DROP TABLE cohort_members;
DROP TABLE cohorts;
DROP TABLE organisation_members;
DROP TABLE organisations;
