package scoring

import (
	"context"

	"github.com/google/uuid"
)

// practise judges a try at an objective the trainee has already solved,
// typically in a relaunched lab: the answer, rule or check is judged as
// the first time, so the trainee learns whether it is right, but nothing
// is recorded and no points are given. Practice costs no attempt and
// never locks anyone out, since nothing is at stake.
func (s *Service) practise(ctx context.Context, lab Lab, o Objective, ip string, left int, judge func(*Event) error) (Result, error) {
	e := Event{
		ID: uuid.Must(uuid.NewV7()).String(), Kind: EventSubmission, TraineeID: lab.TraineeID, InstanceID: lab.ID,
		ScenarioID: lab.ScenarioID, ObjectiveID: o.ID, IP: ip, At: s.now().UTC(),
	}
	if err := judge(&e); err != nil {
		return Result{}, err
	}
	r := Result{Correct: e.Correct, AlreadySolved: true, AttemptsLeft: left, Evidence: e.Evidence}
	switch {
	case e.Correct:
		r.Outcome, r.Message = AlreadySolved, "Correct. You solved this before, so it earns no points now."
	case o.Kind == KindDetection:
		r.Outcome, r.Message = PracticeRuleNotYet, "Not yet (practice, no points): the rule "+e.Evidence+"."
	case o.Kind == KindCheck:
		r.Outcome, r.Message = PracticeCheckNotPassed, "The check did not pass (practice, no points)."
	default:
		r.Outcome, r.Message = PracticeWrong, "That is not the answer (practice, no points)."
	}
	return r, nil
}
