-- +goose Up
-- What instructors sent to their whole cohort, kept as sent: a message is
-- never edited or deleted, so a class's record shows what it was told.
CREATE TABLE cohort_messages (
    id        TEXT PRIMARY KEY,
    cohort_id TEXT NOT NULL REFERENCES cohorts (id),
    sender_id TEXT NOT NULL REFERENCES users (id),
    text      TEXT NOT NULL,
    sent_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX cohort_messages_cohort ON cohort_messages (cohort_id, sent_at);

-- +goose Down
DROP TABLE cohort_messages;
