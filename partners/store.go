package partners

import (
	"context"
	"time"
)

// Store is what partners needs from storage. Every read of work is bounded
// to one organisation: a record belongs to it when its trainee was a member
// (not instructor) of one of the organisation's cohorts when it was made,
// so a partner never sees work done elsewhere, and a removed member's work
// in the cohort stays counted.
type Store interface {
	CreateToken(ctx context.Context, t Token, secretHash string) error
	// TokenByHash finds a token by the hash of its secret; ErrTokenUnknown.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	Tokens(ctx context.Context, orgID string) ([]Token, error)
	// RevokeToken stamps the organisation's token revoked, once;
	// ErrTokenNotFound for another organisation's or an unknown id.
	RevokeToken(ctx context.Context, orgID, id string, at time.Time) (Token, error)
	TouchToken(ctx context.Context, id string, at time.Time) error

	// FeedAfter returns up to limit of the organisation's records after
	// pos, in feed order, and the feed's horizon: every record the feed
	// will ever hold at or before it is already visible, so a reader
	// that has read up to the horizon has missed nothing.
	FeedAfter(ctx context.Context, orgID string, pos Position, limit int) ([]Record, Position, error)

	// InOrganisation reports whether the person is or was a member of one
	// of the organisation's cohorts.
	InOrganisation(ctx context.Context, orgID, userID string) (bool, error)
	// TraineeRecords lists the trainee's records that belong to the
	// organisation, oldest first.
	TraineeRecords(ctx context.Context, orgID, traineeID string) ([]Record, error)
	// CohortTotals adds up the work of a cohort's members while in it.
	CohortTotals(ctx context.Context, cohortID string) (CohortTotals, error)

	// EachRosterRow, EachProgressRow and EachRecord call fn with one row
	// at a time of a cohort's roster, its members' totals, and its records,
	// reading them as a stream: exports are never held whole. They stop
	// at fn's first error.
	EachRosterRow(ctx context.Context, cohortID string, fn func(RosterRow) error) error
	EachProgressRow(ctx context.Context, cohortID string, fn func(ProgressRow) error) error
	EachRecord(ctx context.Context, cohortID string, fn func(Record) error) error
	// EachSolve is who solved what in the cohort, in no set order: each
	// correct submission's trainee, scenario and objective, and nothing
	// else (the other fields are empty). A cohort's competency view needs
	// no more, and reads a large cohort's hundreds of thousands of solves.
	EachSolve(ctx context.Context, cohortID string, fn func(Record) error) error
}

// Record is one scored event as partners see it: a submission, a hint
// taken, or a walkthrough revealed. Its id never changes.
type Record struct {
	Position    Position  `json:"-"`
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	TraineeID   string    `json:"trainee_id"`
	ScenarioID  string    `json:"scenario_id"`
	ObjectiveID string    `json:"objective_id,omitempty"`
	HintID      string    `json:"hint_id,omitempty"`
	Correct     bool      `json:"correct"`
	Points      int       `json:"points"`
	At          time.Time `json:"at"`
	// An assignment completed (kind "complete") names the assignment, the
	// points earned in it, the most it offered and the seconds it took
	// from the trainee's first launch for it.
	AssignmentID    string `json:"assignment_id,omitempty"`
	Score           int    `json:"score,omitempty"`
	MaxScore        int    `json:"max_score,omitempty"`
	DurationSeconds int64  `json:"duration_seconds,omitempty"`
	// LabID is the lab instance the work was done in. Transcripts cite
	// it; the feed and exports leave it out.
	LabID string `json:"-"`
}

// CohortTotals is a cohort's work in sum.
type CohortTotals struct {
	Members int `json:"members"` // active trainees
	Removed int `json:"removed"` // trainees who have left, whose work still counts
	Active  int `json:"active"`  // trainees with at least one record
	Records int `json:"records"`
	Solves  int `json:"solves"`
	Points  int `json:"points"`
}

// RosterRow is one membership of a cohort.
type RosterRow struct {
	CohortID    string     `json:"cohort_id"`
	TraineeID   string     `json:"trainee_id"`
	SourcedID   string     `json:"sourced_id"`
	Email       string     `json:"email"`
	DisplayName string     `json:"display_name"`
	Role        string     `json:"role"`
	JoinedAt    time.Time  `json:"joined_at"`
	RemovedAt   *time.Time `json:"removed_at"`
}

// ProgressRow is one trainee's totals in a cohort.
type ProgressRow struct {
	CohortID     string     `json:"cohort_id"`
	TraineeID    string     `json:"trainee_id"`
	SourcedID    string     `json:"sourced_id"`
	DisplayName  string     `json:"display_name"`
	Points       int        `json:"points"`
	Solved       int        `json:"solved"`
	LastActivity *time.Time `json:"last_activity"`
}
