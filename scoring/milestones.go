package scoring

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// RecordLaunch records that a lab first ran: the start of an attempt, as
// those who follow the trainee (partners, LRSs) see it. A lab's launch is
// recorded once; a reset or a second call records nothing.
func (s *Service) RecordLaunch(ctx context.Context, lab Lab) error {
	at := lab.StartedAt
	if at.IsZero() {
		at = s.now()
	}
	err := s.store.Record(ctx, Event{ID: uuid.Must(uuid.NewV7()).String(), Kind: EventLaunch, TraineeID: lab.TraineeID,
		InstanceID: lab.ID, ScenarioID: lab.ScenarioID, At: at.UTC()})
	if errors.Is(err, ErrDuplicate) {
		return nil
	}
	return err
}

// Completion is an assignment a trainee has completed, as the cohort that
// set it knows it.
type Completion struct {
	TraineeID    string
	AssignmentID string
	Scenarios    []string
	Tracks       func(Track) bool // the tracks the assignment asks for
	OpensAt      time.Time
	At           time.Time // when its last objective was solved
	// The record that completed it: its lab and scenario.
	InstanceID string
	ScenarioID string
}

// RecordCompletion records an assignment completed, once per trainee and
// assignment, with the points the trainee earned in its objectives (hints
// taken in its scenarios subtracted), the most its objectives offer, and
// the time from their first record in its scenarios since it opened (their
// first launch, as a rule) to its last solve. A second call for the same
// assignment records nothing.
func (s *Service) RecordCompletion(ctx context.Context, c Completion) error {
	e := Event{ID: uuid.Must(uuid.NewV7()).String(), Kind: EventComplete, TraineeID: c.TraineeID, InstanceID: c.InstanceID,
		ScenarioID: c.ScenarioID, AssignmentID: c.AssignmentID, At: c.At.UTC()}
	var first time.Time
	for _, scenarioID := range c.Scenarios {
		objectives, _, err := s.labs.Objectives(scenarioID)
		if err != nil {
			return err
		}
		asked := map[string]bool{}
		for _, o := range objectives {
			if c.Tracks == nil || c.Tracks(o.Track) {
				asked[o.ID] = true
				e.MaxScore += o.Points
			}
		}
		events, err := s.store.Events(ctx, c.TraineeID, scenarioID)
		if err != nil {
			return err
		}
		for _, ev := range events {
			if ev.At.After(c.At) {
				continue
			}
			// Work from before the assignment opened counts, as it does
			// for its status; its time does not.
			if ev.Kind == EventHint || ev.Solves() && asked[ev.ObjectiveID] {
				e.Score += ev.Points
			}
			if !ev.At.Before(c.OpensAt) && ev.Kind != EventComplete && (first.IsZero() || ev.At.Before(first)) {
				first = ev.At
			}
		}
	}
	if !first.IsZero() {
		e.Duration = c.At.Sub(first)
	}
	err := s.store.Record(ctx, e)
	if errors.Is(err, ErrDuplicate) {
		return nil
	}
	return err
}
