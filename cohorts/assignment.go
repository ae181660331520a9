package cohorts

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Assignment is coursework set for a cohort: one scenario or an ordered
// set of them, on one or both tracks, open from OpensAt and due at DueAt.
type Assignment struct {
	ID        string
	CohortID  string
	Title     string
	Scenarios []string // scenario ids, in the order the class takes them
	Tracks    Tracks
	OpensAt   time.Time
	DueAt     time.Time
	Late      LatePolicy
	CreatedBy string
	CreatedAt time.Time
}

// Tracks says which sides of the scenarios an assignment asks for.
type Tracks string

const (
	TracksAttack  Tracks = "attack"
	TracksDefence Tracks = "defence"
	TracksBoth    Tracks = "both"
)

// Includes reports whether an objective of track counts for the assignment.
func (t Tracks) Includes(track string) bool { return t == TracksBoth || string(t) == track }

// LateKind is what happens to work handed in after the due date.
type LateKind string

const (
	LateAccept  LateKind = "accept"  // late solves earn their full points
	LatePenalty LateKind = "penalty" // late solves lose a percentage
	LateClosed  LateKind = "closed"  // answers are refused once due
)

// LatePolicy is an assignment's rule for late work.
type LatePolicy struct {
	Kind    LateKind
	Percent int // the penalty, 1–100, for LatePenalty only
}

// MaxAssignmentScenarios bounds one assignment's set of scenarios.
const MaxAssignmentScenarios = 20

// Scenarios is what assignments need from the catalogue: the tracks a
// scenario's objectives cover, and each objective's track. ok is false for
// a scenario the range does not have.
type Scenarios interface {
	ObjectiveTracks(scenarioID string) (tracks map[string]string, ok bool)
}

// AssignmentFields are what a manager sets on an assignment.
type AssignmentFields struct {
	Title     string
	Scenarios []string
	Tracks    Tracks
	OpensAt   time.Time
	DueAt     time.Time
	Late      LatePolicy
}

var ErrAssignmentNotFound = fault.New(fault.NotFound, "assignment_not_found", "No such assignment.")

// clean checks the fields against the catalogue, each fault naming its field.
func (f AssignmentFields) clean(catalogue Scenarios) (AssignmentFields, error) {
	f.Title = strings.TrimSpace(f.Title)
	if len([]rune(f.Title)) > 200 {
		return f, fault.InvalidField("title", "title_too_long", "Keep the title to 200 characters.")
	}
	if len(f.Scenarios) == 0 {
		return f, fault.InvalidField("scenarios", "scenarios_required", "Choose at least one scenario.")
	}
	if len(f.Scenarios) > MaxAssignmentScenarios {
		return f, fault.InvalidField("scenarios", "scenarios_too_many", "An assignment holds at most 20 scenarios.")
	}
	switch f.Tracks {
	case TracksAttack, TracksDefence, TracksBoth:
	case "":
		f.Tracks = TracksBoth
	default:
		return f, fault.InvalidField("tracks", "tracks_invalid", "Tracks must be attack, defence or both.")
	}
	for i, id := range f.Scenarios {
		field := fmt.Sprintf("scenarios[%d]", i)
		if slices.Contains(f.Scenarios[:i], id) {
			return f, fault.InvalidField(field, "scenario_repeated", "Each scenario appears once in an assignment.")
		}
		var objectives map[string]string
		ok := false
		if catalogue != nil {
			objectives, ok = catalogue.ObjectiveTracks(id)
		}
		if !ok {
			return f, fault.InvalidField(field, "scenario_unknown", "The range has no scenario "+quote(id)+".")
		}
		if !coversTracks(objectives, f.Tracks) {
			return f, fault.InvalidField(field, "scenario_track_missing", "Scenario "+quote(id)+" has no objectives on the "+string(f.Tracks)+" track.")
		}
	}
	if f.OpensAt.IsZero() {
		return f, fault.InvalidField("opens_at", "opens_at_required", "Give the date the assignment opens.")
	}
	if f.DueAt.IsZero() {
		return f, fault.InvalidField("due_at", "due_at_required", "Give the date the assignment is due.")
	}
	if !f.DueAt.After(f.OpensAt) {
		return f, fault.InvalidField("due_at", "due_before_open", "An assignment must be due after it opens.")
	}
	switch f.Late.Kind {
	case LateAccept, LateClosed:
		f.Late.Percent = 0
	case LatePenalty:
		if f.Late.Percent < 1 || f.Late.Percent > 100 {
			return f, fault.InvalidField("late_penalty_percent", "late_penalty_invalid", "A late penalty is between 1 and 100 percent.")
		}
	default:
		return f, fault.InvalidField("late_policy", "late_policy_invalid", "Late policy must be accept, penalty or closed.")
	}
	f.OpensAt, f.DueAt = f.OpensAt.UTC(), f.DueAt.UTC()
	return f, nil
}

// coversTracks reports whether the scenario has an objective on every track
// asked for.
func coversTracks(objectives map[string]string, t Tracks) bool {
	has := map[string]bool{}
	for _, track := range objectives {
		has[track] = true
	}
	if t == TracksBoth {
		return has[string(TracksAttack)] && has[string(TracksDefence)]
	}
	return has[string(t)]
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80]
	}
	return fmt.Sprintf("%q", s)
}
