package forcohorts_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/forcohorts"
	"github.com/sakimori/sakimori/scoring"
)

type catalogue struct{}

func (catalogue) Objectives(id string) ([]scoring.Objective, []scoring.Hint, error) {
	if id != "cloud-ir" {
		return nil, nil, errors.New("no such scenario")
	}
	return []scoring.Objective{{ID: "find-key", Track: scoring.TrackAttack}, {ID: "rotate-key", Track: scoring.TrackDefence}}, nil, nil
}

// labStore holds one trainee's labs; nothing else of the store is used.
type labStore struct {
	labs.Store
	list []labs.Instance
}

func (s labStore) ListInstances(_ context.Context, f labs.ListFilter) ([]labs.Instance, error) {
	var out []labs.Instance
	for _, i := range s.list {
		if i.TraineeID == f.TraineeID {
			out = append(out, i)
		}
	}
	return out, nil
}

type records struct {
	scoring.Store
	events []scoring.Event
}

func (r records) Events(context.Context, string, string) ([]scoring.Event, error) {
	return r.events, nil
}

func TestCourseworkReadsTheCatalogueLabsAndSolves(t *testing.T) {
	opens := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	c := forcohorts.New(catalogue{},
		labStore{list: []labs.Instance{
			{ID: "old", TraineeID: "hanako", ScenarioID: "cloud-ir", CreatedAt: opens.Add(-time.Hour)},
			{ID: "other", TraineeID: "hanako", ScenarioID: "web-101", CreatedAt: opens.Add(time.Hour)},
			{ID: "new", TraineeID: "taro", ScenarioID: "cloud-ir", CreatedAt: opens.Add(time.Hour)},
		}},
		records{events: []scoring.Event{
			{Kind: scoring.EventSubmission, ObjectiveID: "find-key", Correct: false, At: opens},
			{Kind: scoring.EventHint, ObjectiveID: "rotate-key", At: opens},
			{Kind: scoring.EventSubmission, ObjectiveID: "find-key", Correct: true, At: opens.Add(time.Minute)},
		}})

	if tracks, ok := c.ObjectiveTracks("cloud-ir"); !ok || tracks["rotate-key"] != "defence" || len(tracks) != 2 {
		t.Fatalf("ObjectiveTracks = %v, %v", tracks, ok)
	}
	if _, ok := c.ObjectiveTracks("nope"); ok {
		t.Fatal("an unknown scenario has tracks")
	}
	for trainee, want := range map[string]bool{"hanako": false, "taro": true} { // hanako's lab predates it
		if got, err := c.Launched(ctx, trainee, "cloud-ir", opens); err != nil || got != want {
			t.Fatalf("Launched(%s) = %v, %v; want %v", trainee, got, err, want)
		}
	}
	solved, err := c.Solved(ctx, "hanako", "cloud-ir")
	if err != nil || len(solved) != 1 || !solved["find-key"].Equal(opens.Add(time.Minute)) {
		t.Fatalf("Solved = %v, %v; only the correct submission counts", solved, err)
	}
}
