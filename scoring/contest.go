package scoring

import (
	"context"
	"time"
)

// Contests is what scoring needs from events: the scope of the event a
// trainee's solve of a scenario at a time falls in. ok is false when it
// falls in none.
type Contests interface {
	Contest(ctx context.Context, traineeID, scenarioID string, at time.Time) (scope BoardScope, ok bool, err error)
}

// UseContests scopes dynamic scoring to events: a solve inside an event
// decays, and earns a first-solve bonus, by the solves of that event's
// players in its window, not the whole range's. The solves are counted
// through the boards' store. Without it every solve counts range-wide.
func (s *Service) UseContests(c Contests, boards *Boards) {
	s.contests, s.boards = c, boards
}

// solvesBefore counts the solves of o that came before this one: within
// the trainee's event, or across the range.
func (s *Service) solvesBefore(ctx context.Context, lab Lab, o Objective, at time.Time) (int, error) {
	if s.contests == nil || s.boards == nil {
		return s.store.Solves(ctx, lab.ScenarioID, o.ID)
	}
	scope, ok, err := s.contests.Contest(ctx, lab.TraineeID, lab.ScenarioID, at)
	if err != nil {
		return 0, err
	}
	if !ok {
		return s.store.Solves(ctx, lab.ScenarioID, o.ID)
	}
	return s.boards.store.ScopedSolves(ctx, scope, lab.ScenarioID, o.ID)
}
