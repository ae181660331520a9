// Package xapi forwards what trainees do on the range to each
// organisation's own Learning Record Store, as xAPI statements.
//
// Statements are built from the append-only records (scoring's submissions
// and hints, lab launches, assignment completions), never from mutable
// state, so a statement can be rebuilt at any time and is always the same:
// its id is a UUIDv5 of the record's id, and an LRS that receives it twice
// keeps it once. Delivery walks the records with a persisted cursor per
// organisation (the outbox), posts them in batches of at most 50, backs off
// on 5xx, 429 and network errors, and sets aside what the LRS rejects (4xx)
// in a dead-letter list, with the LRS's reply, for the org admin to read
// and replay.
//
// The package knows nothing of HTTP frameworks or databases: it declares
// the small Store it needs and speaks to LRSs with net/http.
package xapi
