-- +goose Up
-- Lab images an admin added to the range from an image archive (never from
-- a registry), after the archive was scanned: a user other than root, no
-- setuid or setgid file. Authored scenarios may name these besides the
-- images the range builds itself.
CREATE TABLE lab_images (
    name     TEXT PRIMARY KEY,
    run_as   TEXT NOT NULL,
    layers   INTEGER NOT NULL,
    added_by TEXT REFERENCES users (id), -- NULL: an operator at the command line
    added_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE lab_images;
