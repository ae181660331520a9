package xapi

import "time"

// Kind is what a record says happened.
type Kind string

const (
	KindLaunched  Kind = "launched"
	KindWrong     Kind = "wrong"  // an objective answered wrongly
	KindPassed    Kind = "passed" // an objective solved
	KindHint      Kind = "hint"
	KindCompleted Kind = "completed" // an assignment finished, with its score
)

// Record is one append-only record, as the outbox reads it: the store
// joins the record with who did it (their opaque id), their cohort and
// the ATT&CK techniques of the objective. Pos orders the records.
type Record struct {
	Pos          Position
	ID           string
	Kind         Kind
	Organisation string
	Person       string // the account id; statements carry only Person(id)
	ScenarioID   string
	ObjectiveID  string
	HintID       string
	CohortID     string
	// Registration ties the statements of one attempt together: the
	// assignment's id, or the lab instance's when no assignment applies.
	Registration string
	Techniques   []string // ATT&CK ids, such as T1078.004
	Points       int
	MaxPoints    int
	Duration     time.Duration
	At           time.Time
}

// Position is a place in the order records commit in: the writing
// transaction (zero where the database commits one writer at a time) and
// the record's sequence number. The outbox's cursor is one.
type Position struct {
	Tx  int64
	Seq int64
}
