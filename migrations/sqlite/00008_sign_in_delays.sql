-- +goose Up
-- Failed sign-ins per account, for the progressive delay: kept in the
-- database so it holds across restarts and across several servers. The key
-- is a hash of the email as typed (normalised), so unknown addresses are
-- held back the same as known ones, and no address is kept in clear.
CREATE TABLE sign_in_failures (
    account_key    TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL,
    last_failed_at DATETIME NOT NULL,
    blocked_until  DATETIME NOT NULL,
    version        INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_failed_at);

-- +goose Down
DROP TABLE sign_in_failures;
