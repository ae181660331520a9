package server

import (
	"context"
	"errors"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/live"
	"github.com/sakimori/sakimori/scoring"
)

// liveSources reads the live view's matrix from the services that own it.
type liveSources struct {
	cohorts *cohorts.Service
	scoring *scoring.Service
	labs    *labs.Service
}

// Class is the cohort's trainees for those who manage it. A member is
// told there is no such view, as anyone else is.
func (s liveSources) Class(ctx context.Context, a cohorts.Actor, cohortID string) (live.Class, error) {
	ms, _, err := s.cohorts.Members(ctx, a, cohortID)
	if errors.Is(err, cohorts.ErrNotAllowed) {
		return live.Class{}, cohorts.ErrCohortNotFound
	}
	if err != nil {
		return live.Class{}, err
	}
	c, err := s.cohorts.Cohort(ctx, a, cohortID)
	if err != nil {
		return live.Class{}, err
	}
	out := live.Class{Name: c.Cohort.Name}
	for _, m := range ms {
		if m.Role == cohorts.CohortMember {
			out.Trainees = append(out.Trainees, live.Member{ID: m.Person.ID, DisplayName: m.Person.DisplayName})
		}
	}
	return out, nil
}

func (s liveSources) Objectives(scenarioID string) ([]live.Column, error) {
	sc, err := s.labs.Catalogue().Scenario(scenarioID)
	if err != nil {
		return nil, live.ErrScenarioUnknown
	}
	out := make([]live.Column, len(sc.Objectives))
	for i, o := range sc.Objectives {
		out[i] = live.Column{ID: o.ID, Title: o.Title}
		for _, h := range sc.Hints {
			if h.ObjectiveID == o.ID {
				out[i].Hints = append(out[i].Hints, live.ColumnHint{ID: h.ID, Text: h.Text, Cost: h.Cost})
			}
		}
	}
	return out, nil
}

func (s liveSources) Records(ctx context.Context, traineeID, scenarioID string) ([]scoring.Event, error) {
	all, err := s.scoring.History(ctx, traineeID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, e := range all {
		if e.ScenarioID == scenarioID {
			out = append(out, e)
		}
	}
	return out, nil
}

// ClassRecords and ClassLabs read the whole class at once (live.WholeClass).
func (s liveSources) ClassRecords(ctx context.Context, traineeIDs []string, scenarioID string) ([]scoring.Event, error) {
	return s.scoring.ClassHistory(ctx, traineeIDs, scenarioID)
}

func (s liveSources) ClassProgress(ctx context.Context, traineeIDs []string, scenarioID string) (scoring.ClassProgress, error) {
	return s.scoring.ClassProgress(ctx, traineeIDs, scenarioID)
}

func (s liveSources) ClassLabs(ctx context.Context, traineeIDs []string) ([]labs.Instance, error) {
	return s.labs.ClassLabs(ctx, traineeIDs)
}

// Labs are the trainee's own labs, as they would list them.
func (s liveSources) Labs(ctx context.Context, traineeID string) ([]labs.Instance, error) {
	return s.labs.Labs(ctx, labs.Actor{UserID: traineeID}, false, false)
}
