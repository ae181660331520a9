// Package forcohorts gives assignments what they follow trainees by: the
// catalogue's objectives with their tracks, the labs trainees launched and
// the objectives they solved. Cohorts stays free of labs and scoring; this
// adapter is the one place that knows all three.
package forcohorts

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
)

// Objectives is the catalogue as scoring sees it.
type Objectives interface {
	Objectives(scenarioID string) ([]scoring.Objective, []scoring.Hint, error)
}

// Coursework implements cohorts.Scenarios and cohorts.Activity.
type Coursework struct {
	catalogue Objectives
	labs      labs.Store
	records   scoring.Store
}

// New makes the adapter over the catalogue, the lab store and the scoring records.
func New(catalogue Objectives, labStore labs.Store, records scoring.Store) *Coursework {
	return &Coursework{catalogue: catalogue, labs: labStore, records: records}
}

// ObjectiveTracks maps each objective of the scenario to its track; ok is
// false for a scenario the catalogue does not hold.
func (c *Coursework) ObjectiveTracks(scenarioID string) (map[string]string, bool) {
	objectives, _, err := c.catalogue.Objectives(scenarioID)
	if err != nil {
		return nil, false
	}
	out := make(map[string]string, len(objectives))
	for _, o := range objectives {
		out[o.ID] = string(o.Track)
	}
	return out, true
}

// Launched reports whether the trainee launched a lab of the scenario at
// or after since.
func (c *Coursework) Launched(ctx context.Context, traineeID, scenarioID string, since time.Time) (bool, error) {
	list, err := c.labs.ListInstances(ctx, labs.ListFilter{TraineeID: traineeID})
	if err != nil {
		return false, err
	}
	for _, inst := range list {
		if inst.ScenarioID == scenarioID && !inst.CreatedAt.Before(since) {
			return true, nil
		}
	}
	return false, nil
}

// Solved maps the objectives the trainee solved in the scenario to when.
func (c *Coursework) Solved(ctx context.Context, traineeID, scenarioID string) (map[string]time.Time, error) {
	events, err := c.records.Events(ctx, traineeID, scenarioID)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	for _, e := range events {
		if e.Kind != scoring.EventSubmission || !e.Correct {
			continue
		}
		if _, ok := out[e.ObjectiveID]; !ok {
			out[e.ObjectiveID] = e.At
		}
	}
	return out, nil
}
