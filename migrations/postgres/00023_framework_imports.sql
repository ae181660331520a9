-- +goose Up
-- Competency catalogues an admin imports: JNSA's SecBoK skill map (never
-- bundled) and a full ATT&CK Enterprise STIX bundle, which replaces the
-- bundled subset. One row per kind says what is loaded; an import replaces
-- that kind's items whole, in one transaction. Lists are one value a line.
CREATE TABLE framework_imports (
    kind        TEXT PRIMARY KEY CHECK (kind IN ('secbok', 'attack')),
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    item_count  INTEGER NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    imported_by TEXT NOT NULL
);

CREATE TABLE secbok_items (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    major  TEXT NOT NULL DEFAULT '',
    middle TEXT NOT NULL DEFAULT ''
);

CREATE TABLE attack_techniques (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    tactics   TEXT NOT NULL DEFAULT '',
    platforms TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE attack_techniques;
DROP TABLE secbok_items;
DROP TABLE framework_imports;
