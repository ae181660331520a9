-- +goose Up
-- A rehearsal plays an authored scenario's reference solution as a
-- throwaway trainee account. Such an account is the range's own, not a
-- person: it is left out of the people an admin lists, the scoreboards and
-- the suspicions, where its fast, perfect solves would rank and flag it.
ALTER TABLE users ADD COLUMN rehearsal BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE users DROP COLUMN rehearsal;
