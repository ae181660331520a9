package scoring

import (
	"context"
	"errors"

	"github.com/google/uuid"
)

// NoteGiven marks a hint an instructor gave the trainee's whole class: it
// cost the trainee nothing.
const NoteGiven = "given to the class"

// Hint is one hint of a scenario, or ErrHintUnknown.
func (s *Service) Hint(scenarioID, hintID string) (Hint, error) {
	_, hints, err := s.labs.Objectives(scenarioID)
	if err != nil {
		return Hint{}, err
	}
	for _, h := range hints {
		if h.ID == hintID {
			return h, nil
		}
	}
	return Hint{}, ErrHintUnknown
}

// GiveHint unlocks a hint of the scenario for the trainee at no cost to
// them, lab or no lab: an instructor giving it to a whole class. A hint the
// trainee has already taken stays as taken; given reports whether this
// call unlocked it. Taking it afterwards shows it and costs nothing, as for
// any hint already unlocked.
func (s *Service) GiveHint(ctx context.Context, trainee, scenarioID, hintID string) (given bool, err error) {
	h, err := s.Hint(scenarioID, hintID)
	if err != nil {
		return false, err
	}
	err = s.store.Record(ctx, Event{
		ID: uuid.Must(uuid.NewV7()).String(), Kind: EventHint, TraineeID: trainee, ScenarioID: scenarioID,
		ObjectiveID: h.ObjectiveID, HintID: h.ID, Note: NoteGiven, At: s.now().UTC(),
	})
	if errors.Is(err, ErrDuplicate) {
		return false, nil
	}
	return err == nil, err
}
