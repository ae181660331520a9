package scoring

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Deadlines is what scoring needs from assignments: how a trainee's solve
// of a scenario at a time stands against their due dates. late is false
// when no due date has passed; closed refuses the answer; otherwise a late
// solve keeps (100 − penaltyPercent)% of its points.
type Deadlines interface {
	LatePolicy(ctx context.Context, traineeID, scenarioID string, at time.Time) (late bool, penaltyPercent int, closed bool, err error)
}

// UseDeadlines makes answers follow the trainees' assignments' late
// policies; without it nothing is ever late.
func (s *Service) UseDeadlines(d Deadlines) { s.deadlines = d }

// ErrAssignmentClosed refuses an answer after the due date of an
// assignment whose late policy is closed.
var ErrAssignmentClosed = fault.New(fault.Conflict, "assignment_closed", "This assignment is past its due date and takes no more answers.")

// lateness is the late policy that holds for a submission at now.
type lateness struct {
	late    bool
	percent int
}

func (s *Service) lateness(ctx context.Context, lab Lab, now time.Time) (lateness, error) {
	if s.deadlines == nil {
		return lateness{}, nil
	}
	late, percent, closed, err := s.deadlines.LatePolicy(ctx, lab.TraineeID, lab.ScenarioID, now)
	if err != nil {
		return lateness{}, err
	}
	if closed {
		return lateness{}, ErrAssignmentClosed
	}
	return lateness{late: late, percent: min(max(percent, 0), 100)}, nil
}

// apply fixes the late penalty into a solve's points, rounding down, and
// marks the record late for instructors.
func (l lateness) apply(e *Event) {
	if !l.late {
		return
	}
	e.Points -= e.Points * l.percent / 100
	e.Note = mark(e.Note, "late")
}
