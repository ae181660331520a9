// Package scoring turns what trainees do in their labs into points, fairly
// and durably. Every submission and hint is an append-only record; a
// trainee's score is derived from the records, so a crash never loses or
// doubles points. Scoring knows labs only through the small Labs interface
// it declares here.
package scoring

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Lab is what scoring knows of one lab instance.
type Lab struct {
	ID         string
	TraineeID  string
	ScenarioID string
	Running    bool
	StartedAt  time.Time // when it last became usable
	Worked     bool      // the trainee opened a terminal into it
}

// Labs is what scoring needs from the lab domain.
type Labs interface {
	Lab(ctx context.Context, instanceID string) (Lab, error) // ErrLabNotFound
	// Objectives are a scenario's objectives and hints as it was loaded;
	// they are shared, never to be modified.
	Objectives(scenarioID string) ([]Objective, []Hint, error)
	// Value is a lab's per-instance value of a scenario variable.
	Value(lab Lab, variable string) string
	// FlagOwner finds the lab of a scenario, past ones included, whose
	// variable holds value: whose flag a wrong answer is. ok is false when
	// it is nobody's.
	FlagOwner(ctx context.Context, scenarioID, variable, value string) (lab Lab, ok bool, err error)
	// RunCheck runs a check command in a host of the lab and returns its
	// exit code and (bounded) output.
	RunCheck(ctx context.Context, lab Lab, host string, command []string) (exitCode int, output string, err error)
	// ReadEvents runs a command in a host of the lab that prints the lab's
	// own log records, one JSON object a line, and returns them.
	ReadEvents(ctx context.Context, lab Lab, host string, command []string) ([]map[string]any, error)
}

// EventKind says what a record is.
type EventKind string

const (
	EventSubmission EventKind = "submission"
	EventHint       EventKind = "hint"
	EventReveal     EventKind = "reveal" // the walkthrough was shown: solving earns nothing
	// Milestones: they count no points and solve nothing, but tell those
	// who follow a trainee (partners, LRSs) where they are.
	EventLaunch   EventKind = "launch"   // a lab first ran, once per lab
	EventComplete EventKind = "complete" // an assignment completed, once per trainee and assignment
)

// Event is one append-only record: a submission or a hint taken.
type Event struct {
	ID          string
	Kind        EventKind
	TraineeID   string
	InstanceID  string
	ScenarioID  string
	ObjectiveID string
	HintID      string
	// Digest is a hash of the submitted answer: records show when two
	// people sent the same thing without keeping anyone's flag in clear.
	Digest     string
	Correct    bool
	Points     int    // gained (submission) or spent (hint, negative)
	SharedWith string // the trainee whose lab a submitted flag came from
	Note       string // marks, comma-separated: stale_instance, fast_solve, no_session, walkthrough_revealed, late
	Evidence   string // a check's output
	IP         string
	At         time.Time
	// An assignment completed carries the assignment, the points earned in
	// its scenarios, the most it offered, and how long it took from the
	// trainee's first launch for it.
	AssignmentID string
	Score        int
	MaxScore     int
	Duration     time.Duration
}

// Store keeps the records.
type Store interface {
	// Record appends an event. A second correct submission of one
	// objective, or a second unlock of one hint, by the same trainee in the
	// same scenario returns ErrDuplicate and records nothing.
	Record(ctx context.Context, e Event) error
	// Events lists a trainee's records in one scenario, or in all when
	// scenarioID is empty, oldest first.
	Events(ctx context.Context, traineeID, scenarioID string) ([]Event, error)
	// ClassEvents is Events for many trainees of one scenario at once, each
	// trainee's oldest first: a class's records in a read or a few.
	ClassEvents(ctx context.Context, traineeIDs []string, scenarioID string) ([]Event, error)
	// Attempts says whether the trainee solved an objective and how many
	// wrong tries they made at it, without reading every record.
	// Wrong answers since `since` are counted apart, for lockouts.
	Attempts(ctx context.Context, traineeID, scenarioID, objectiveID string, since time.Time) (Attempts, error)
	// Solves counts how many trainees have solved an objective.
	Solves(ctx context.Context, scenarioID, objectiveID string) (int, error)
	Score(ctx context.Context, traineeID string) (points, solved int, err error)
	// Suspicions lists submissions of another trainee's flag and solves
	// marked fast_solve, newest first.
	Suspicions(ctx context.Context, limit int) ([]Event, error)
	// Scoreboard ranks trainees by points, then by who got there first;
	// scenarioID empty means the whole range; a non-zero until counts only
	// records before it (a frozen board).
	Scoreboard(ctx context.Context, scenarioID string, limit int, until time.Time) ([]Standing, error)
}

// Attempts is a trainee's history with one objective.
type Attempts struct {
	Solved      bool
	Wrong       int
	WrongRecent int // wrong answers since the time asked about
	Revealed    bool
}

// Standing is one trainee's line on a scoreboard.
type Standing struct {
	Rank        int // 1 for the leader; set by the service, in the store's order
	TraineeID   string
	DisplayName string
	Points      int
	Solved      int
	LastSolveAt time.Time
}

// The faults of scoring.
var (
	ErrDuplicate          = fault.New(fault.Conflict, "already_recorded", "This was already recorded.")
	ErrLabNotFound        = fault.New(fault.NotFound, "lab_not_found", "There is no such lab.")
	ErrLabNotRunning      = fault.New(fault.Conflict, "lab_not_running", "Answers are accepted while your lab runs.")
	ErrObjectiveUnknown   = fault.New(fault.NotFound, "objective_not_found", "This lab has no such objective.")
	ErrHintUnknown        = fault.New(fault.NotFound, "hint_not_found", "This lab has no such hint.")
	ErrNoWalkthrough      = fault.New(fault.NotFound, "walkthrough_not_found", "This objective has no walkthrough.")
	ErrHintAfterSolve     = fault.New(fault.Conflict, "objective_solved", "This objective is solved; its hints are no longer offered.")
	ErrNoAttemptsLeft     = fault.New(fault.Conflict, "attempts_exhausted", "You have used every attempt at this objective.")
	ErrLockedOut          = fault.New(fault.RateLimited, "locked_out", "Too many wrong answers to this objective just now; wait a minute and think it through.")
	ErrNotScoredYet       = fault.New(fault.Conflict, "objective_not_submittable", "This objective is not answered this way.")
	ErrCheckUnavailable   = fault.New(fault.Unavailable, "check_unavailable", "The check could not run in your lab right now; try again.")
	ErrAttackNotLoggedYet = fault.New(fault.Conflict, "attack_not_logged_yet",
		"Your lab's log does not show the intruder's activity yet, so a rule cannot be graded against it. Try again in a minute; it costs no attempt.")
	ErrAnswerRequired = fault.InvalidField("answer", "answer_required", "Type an answer.")
	ErrAnswerTooLong  = fault.InvalidField("answer", "answer_too_long", "Answers are at most 1024 characters (detection rules 16384).")
)
