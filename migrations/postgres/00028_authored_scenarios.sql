-- +goose Up
-- Scenarios written on the range. A scenario belongs to an organisation,
-- is edited by its authors, and is private to them or shared with the
-- whole range. Its versions are bundles (docs/authoring.md) named by the
-- sha256 of their bytes: a draft can be replaced, a published version never
-- changes. Bundles are kept once per digest, however many versions name
-- them. Authored versions are not launched as labs yet.
CREATE TABLE authored_scenarios (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    scenario_id     TEXT NOT NULL,
    visibility      TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'range')),
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (organisation_id, scenario_id)
);

CREATE TABLE authored_scenario_authors (
    authored_id TEXT NOT NULL REFERENCES authored_scenarios (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    added_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (authored_id, user_id)
);

CREATE TABLE scenario_bundles (
    digest     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    data       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE authored_scenario_versions (
    authored_id  TEXT NOT NULL REFERENCES authored_scenarios (id),
    digest       TEXT NOT NULL REFERENCES scenario_bundles (digest),
    number       INTEGER,
    uploaded_by  TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    PRIMARY KEY (authored_id, digest),
    UNIQUE (authored_id, number)
);

-- +goose Down
DROP TABLE authored_scenario_versions;
DROP TABLE scenario_bundles;
DROP TABLE authored_scenario_authors;
DROP TABLE authored_scenarios;
